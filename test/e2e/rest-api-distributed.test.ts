import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ensureService } from '../support/services.js';
import { WorkerProcess, waitFor } from '../support/worker-process.js';

describe('REST API of a cluster: a starting worker, and logger levels for the whole cluster', () => {
  const group = `tributary-rest-${Date.now()}`;
  const workers: WorkerProcess[] = [];

  const retry = async (w: WorkerProcess, method: string, path: string, body?: unknown) =>
    (await w.requestOutsideRebalance(method, path, body)).status;

  before(async () => {
    ensureService('kafka');
    const first = await WorkerProcess.distributed(group);
    workers.push(first);
    await first.start();
    await waitFor(
      'the first worker in the cluster',
      async () => (await first.request('GET', '/health')).status === 200,
      60_000,
      250,
    );
    const config = { 'connector.class': 'FileStreamSink', file: join(first.dir, 'out.txt'), topics: `${group}-lines` };
    assert.equal(await retry(first, 'POST', '/connectors', { name: 'kept', config }), 201);
  });
  after(async () => {
    for (const w of workers) await w.kill();
  });

  it('a new worker never answers GET /connectors without what the config topic holds: it waits, or answers 503', async () => {
    const second = await WorkerProcess.distributed(group);
    workers.push(second);
    const seen: string[] = [];
    let polling = true;
    // Ask from the moment the process starts, before its REST API even listens.
    const poller = (async () => {
      while (polling) {
        try {
          const r = await fetch(`${second.url}/connectors`);
          seen.push(`${r.status} ${await r.text()}`);
        } catch {
          /* not listening yet */
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await second.start();
    await waitFor('a 200 from the new worker', async () => seen.some((s) => s.startsWith('200 ')), 60_000, 50);
    polling = false;
    await poller;
    for (const s of seen) assert.ok(s === '200 ["kept"]' || s.startsWith('503 {"error_code":503,'), s);
  });

  it('PUT /admin/loggers/{name}?scope=cluster sets the level on every worker (204); scope=worker on one', async () => {
    const [a, b] = workers as [WorkerProcess, WorkerProcess];
    const put = await fetch(`${b.url}/admin/loggers/connector.kept?scope=cluster`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"level":"DEBUG"}',
    });
    assert.equal(put.status, 204);
    for (const w of [a, b]) {
      await waitFor(
        `DEBUG on ${w.url}`,
        async () => {
          const r = await w.request<{ level: string }>('GET', '/admin/loggers/connector.kept');
          return r.status === 200 && r.body.level === 'DEBUG';
        },
        30_000,
        100,
      );
    }
    const local = await a.request<string[]>('PUT', '/admin/loggers/connector.kept?scope=worker', { level: 'TRACE' });
    assert.equal(local.status, 200);
    assert.ok(local.body.includes('connector.kept'));
    assert.equal((await a.request<{ level: string }>('GET', '/admin/loggers/connector.kept')).body.level, 'TRACE');
    assert.equal((await b.request<{ level: string }>('GET', '/admin/loggers/connector.kept')).body.level, 'DEBUG');
  });
});
