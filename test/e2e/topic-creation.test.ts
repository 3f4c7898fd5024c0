import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkerProcess, waitFor } from '../support/worker-process.js';

describe('topic creation for source connectors (KIP-158)', () => {
  let w: WorkerProcess | undefined;
  after(async () => {
    await w?.stop();
  });

  it('creates the topic with the settings of the first matching group, and rejects incomplete settings', async () => {
    w = await WorkerProcess.create();
    await writeFile(join(w.dir, 'in.txt'), 'x\n');
    await w.start();
    const bad = await w.request<{ message: string }>('POST', '/connectors', {
      name: 'bad',
      config: {
        'connector.class': 'FileStreamSource',
        file: join(w.dir, 'in.txt'),
        topic: 'logs-a',
        'topic.creation.default.partitions': '2',
      },
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /topic\.creation\.default\.replication\.factor/);
    const ok = await w.request('POST', '/connectors', {
      name: 'src',
      config: {
        'connector.class': 'FileStreamSource',
        file: join(w.dir, 'in.txt'),
        topic: 'logs-a',
        'topic.creation.default.partitions': '1',
        'topic.creation.default.replication.factor': '-1',
        'topic.creation.groups': 'logs',
        'topic.creation.logs.include': 'logs-.*',
        'topic.creation.logs.partitions': '3',
      },
    });
    assert.equal(ok.status, 201);
    const meta = await waitFor(
      'the topic',
      async () =>
        JSON.parse(await readFile(join(w!.dir, 'log/topics/logs-a/meta.json'), 'utf8')) as { partitions: number },
    );
    assert.equal(meta.partitions, 3);
  });
});
