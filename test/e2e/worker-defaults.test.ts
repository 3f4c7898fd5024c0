import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkerProcess, waitFor } from '../support/worker-process.js';

// Regression: a worker config that names no converters uses Kafka Connect's JsonConverter defaults
// (tasks failed with "Cannot read properties of undefined" before).
describe('a worker config with only the required keys', () => {
  let w: WorkerProcess | undefined;
  after(async () => {
    await w?.stop();
  });

  it('runs a pipeline with the default converters', async () => {
    w = await WorkerProcess.create();
    delete w.props['key.converter'];
    delete w.props['value.converter'];
    await writeFile(join(w.dir, 'in.txt'), 'a\nb\n');
    await w.start();
    await w.request('POST', '/connectors', {
      name: 'in',
      config: { 'connector.class': 'FileStreamSource', file: join(w.dir, 'in.txt'), topic: 't' },
    });
    await w.request('POST', '/connectors', {
      name: 'out',
      config: { 'connector.class': 'FileStreamSink', file: join(w.dir, 'out.txt'), topics: 't' },
    });
    await waitFor(
      'two lines',
      async () => (await readFile(join(w!.dir, 'out.txt'), 'utf8').catch(() => '')) === 'a\nb\n',
    );
    const s = await w.request<{ tasks: Array<{ state: string }> }>('GET', '/connectors/out/status');
    assert.equal(s.body.tasks[0]!.state, 'RUNNING');
  });
});
