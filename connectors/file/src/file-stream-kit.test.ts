import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sinkTaskSuite, sourceTaskSuite } from '@tributary/connect-api/testing';
import { FileStreamSinkConnector } from './file-stream-sink-connector.js';
import { FileStreamSourceConnector } from './file-stream-source-connector.js';

async function scratch(): Promise<{ dir: string; teardown: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'file-kit-'));
  return { dir, teardown: () => rm(dir, { recursive: true, force: true }) };
}

sourceTaskSuite('FileStreamSource', {
  connector: () => new FileStreamSourceConnector(),
  setup: async () => {
    const { dir, teardown } = await scratch();
    const file = join(dir, 'in.txt');
    await writeFile(file, Array.from({ length: 6 }, (_, i) => `line ${i}\n`).join(''));
    return { config: { 'connector.class': 'FileStreamSource', file, topic: 'lines' }, teardown };
  },
  records: 6,
  rereadWindowMs: 300, // local files: a task rereads at once
});

sinkTaskSuite('FileStreamSink', {
  connector: () => new FileStreamSinkConnector(),
  setup: async () => {
    const { dir, teardown } = await scratch();
    const file = join(dir, 'out.txt');
    const stored = async () => (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);
    return { config: { 'connector.class': 'FileStreamSink', topics: 'lines', file }, stored, teardown };
  },
  redelivery: { duplicates: "it appends lines, as Kafka's FileStreamSink; the runtime delivers at least once" },
});
