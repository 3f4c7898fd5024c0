import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { WorkerProcess } from '../support/worker-process.js';

/**
 * KIP-458 through a real standalone worker: `producer.override.*` / `consumer.override.*` the worker's
 * `connector.client.config.override.policy` refuses are a 400 at create, naming the key in Kafka
 * Connect's words, and an error in the validate reply; what it allows is accepted.
 * (Messages compared with Kafka Connect 3.9.2 under policy None.)
 */
describe('connector client config overrides (KIP-458)', () => {
  const workers: WorkerProcess[] = [];
  after(async () => {
    for (const w of workers) await w.kill();
  });

  const sink = (dir: string, extra: Record<string, string>) => ({
    'connector.class': 'FileStreamSink',
    file: join(dir, 'out.txt'),
    topics: 'overrides-in',
    ...extra,
  });

  it('policy None: 400 at create naming each refused key; validate reports them; no override is accepted', async () => {
    const w = await WorkerProcess.create({ 'connector.client.config.override.policy': 'None' });
    workers.push(w);
    await w.start();
    const config = sink(w.dir, { 'consumer.override.max.poll.records': '10' });
    const created = await w.request<{ error_code: number; message: string }>('POST', '/connectors', {
      name: 'refused',
      config,
    });
    assert.equal(created.status, 400);
    assert.equal(created.body.error_code, 400);
    assert.equal(
      created.body.message,
      'Connector configuration is invalid and contains the following 1 error(s):\n' +
        "The 'None' policy does not allow 'max.poll.records' to be overridden in the connector configuration.\n" +
        'You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`',
    );
    assert.equal((await w.request('PUT', '/connectors/refused/config', config)).status, 400);

    const v = await w.request<{ error_count: number; configs: Array<{ value: { name: string; errors: string[] } }> }>(
      'PUT',
      '/connector-plugins/FileStreamSink/config/validate',
      { name: 'refused', ...config },
    );
    assert.equal(v.status, 200);
    assert.equal(v.body.error_count, 1);
    assert.deepEqual(v.body.configs.find((c) => c.value.name === 'consumer.override.max.poll.records')!.value.errors, [
      "The 'None' policy does not allow 'max.poll.records' to be overridden in the connector configuration.",
    ]);
    assert.equal((await w.request('POST', '/connectors', { name: 'plain', config: sink(w.dir, {}) })).status, 201);
  });

  it('policy Allowlist (KIP-1188): the listed keys are accepted, the others refused', async () => {
    const w = await WorkerProcess.create({
      'connector.client.config.override.policy': 'Allowlist',
      'connector.client.config.override.allowlist': 'max.poll.records',
    });
    workers.push(w);
    await w.start();
    assert.equal(
      (
        await w.request('POST', '/connectors', {
          name: 'allowed',
          config: sink(w.dir, { 'consumer.override.max.poll.records': '10' }),
        })
      ).status,
      201,
    );
    const refused = await w.request<{ message: string }>('POST', '/connectors', {
      name: 'refused',
      config: sink(w.dir, { 'consumer.override.fetch.min.bytes': '1' }),
    });
    assert.equal(refused.status, 400);
    assert.match(refused.body.message, /The 'Allowlist' policy does not allow 'fetch\.min\.bytes' to be overridden/);
  });
});
