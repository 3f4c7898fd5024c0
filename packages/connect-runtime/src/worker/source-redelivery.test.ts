import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedLog } from '../log/embedded/index.js';
import type { Log, ProduceRecord } from '../log/log.js';
import { FileOffsetStore } from '../storage/offset-store.js';
import { ConnectorOffsets } from '../herder/offsets.js';
import type { SourceConnector } from '@tributary/connect-api';
import { isRedeliveryPartition, SourceRedelivery } from './source-redelivery.js';
import { silentLogger } from './test-support.js';

const logs: Log[] = [];
after(async () => {
  for (const l of logs) await l.close();
});

const enc = new TextEncoder();
const records = (topic: string, from: number, to: number): ProduceRecord[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ topic, key: null, value: enc.encode(String(from + i)) }));

/**
 * One run of a task, as the runner drives SourceRedelivery: start, first send, acks, offset flushes.
 * A "crash" is a run that stops without flushing.
 */
async function run(log: Log, store: FileOffsetStore, topic: string) {
  let total = -1;
  const r = new SourceRedelivery('c', 0, store, log.admin(), silentLogger, (n) => (total = n));
  await r.start();
  const producer = log.producer();
  return {
    total: () => total,
    async send(from: number, to: number) {
      const batch = records(topic, from, to);
      await r.beforeSend(batch);
      for (const ack of await producer.send(batch)) r.acked(ack);
    },
    async flush() {
      const e = r.entry();
      if (e) await store.set('c', [e]);
    },
    close: () => producer.close(),
  };
}

describe('SourceRedelivery', () => {
  it('counts, across SIGKILLed runs, exactly the copies written after the last flush', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'redelivery-'));
    const log = await openEmbeddedLog({ dir, logger: silentLogger as never });
    logs.push(log);
    await log.admin().createTopics([{ topic: 'out', partitions: 1 }]);
    const store = new FileOffsetStore(join(dir, 'offsets.json'));
    await store.start();

    // Run 1: 1..10 flushed, 11..15 written after the flush, then killed.
    const r1 = await run(log, store, 'out');
    assert.equal(r1.total(), 0);
    await r1.send(1, 10);
    await r1.flush();
    await r1.send(11, 15);
    await r1.close();
    // Run 2 resumes after 10: it sends 11..13 again and is killed before its flush.
    const r2 = await run(log, store, 'out');
    assert.equal(r2.total(), 5);
    await r2.send(11, 13);
    await r2.close();
    // Run 3 resumes after 10 again: 11..15 once more; 11..13 were written three times, 14..15 twice.
    const r3 = await run(log, store, 'out');
    assert.equal(r3.total(), 2 + 2 + 2 + 1 + 1);
    await r3.send(11, 20);
    await r3.flush();
    await r3.close();
    // A clean run after a flush sends nothing again.
    const r4 = await run(log, store, 'out');
    assert.equal(r4.total(), 8);
    await r4.close();
  });

  it('counts a run killed before its first flush, from where its topic ended when it began', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'redelivery-'));
    const log = await openEmbeddedLog({ dir, logger: silentLogger as never });
    logs.push(log);
    await log.admin().createTopics([{ topic: 'shared', partitions: 1 }]);
    await log.producer().send(records('shared', 1, 7)); // written by someone else before
    const store = new FileOffsetStore(join(dir, 'offsets.json'));
    await store.start();
    const r1 = await run(log, store, 'shared');
    await r1.send(1, 4);
    await r1.close();
    const r2 = await run(log, store, 'shared');
    assert.equal(r2.total(), 4);
    await r2.close();
  });

  it('keeps its entry apart from the connector offsets: not listed, not shown to the connector, reset with them', async () => {
    assert.equal(isRedeliveryPartition({ 'tributary.redelivery.task': 0 }), true);
    assert.equal(isRedeliveryPartition({ filename: 'x' }), false);
    const dir = await mkdtemp(join(tmpdir(), 'redelivery-'));
    const store = new FileOffsetStore(join(dir, 'offsets.json'));
    await store.start();
    await store.set('c', [
      [{ 'tributary.redelivery.task': 0 }, { total: 3 }],
      [{ filename: 'x' }, { position: 10 }],
    ]);
    const ops = new ConnectorOffsets(store, {} as never);
    assert.deepEqual(await ops.list('c', 'source', {}), {
      offsets: [{ partition: { filename: 'x' }, offset: { position: 10 } }],
    });
    const told: unknown[] = [];
    const connector = {
      kind: 'source',
      alterOffsets: (_c: unknown, offsets: Map<unknown, unknown>) => {
        told.push(...offsets.keys());
        return true;
      },
    } as unknown as SourceConnector;
    await ops.reset('c', {}, connector);
    assert.deepEqual(told, [{ filename: 'x' }]);
    assert.deepEqual(await store.list('c'), [], 'the count starts afresh with the offsets');
  });
});
