import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeBatch } from './format.js';
import { PartitionLog } from './partition-log.js';
import { captureLogger, tempDir } from './test-support.js';

const batch = (n: number) =>
  encodeBatch(
    Array.from({ length: n }, () => ({ topic: 't', key: null, value: Buffer.from('v') })),
    Array.from({ length: n }, (_, i) => i),
    1,
  );

async function withPartition(body: (log: PartitionLog) => Promise<void>): Promise<void> {
  const dir = await tempDir();
  const log = await PartitionLog.open(join(dir, 't', '0'), 't', 0, {
    readOnly: false,
    segmentBytes: 1 << 20,
    syncEachWrite: false,
    logger: captureLogger(),
  });
  try {
    await body(log);
  } finally {
    await log.close();
    await rm(dir, { recursive: true, force: true });
  }
}

describe('partition log', () => {
  it('regression: readers indexing a closed segment at the same time share one scan (no false "damaged")', async () => {
    const dir = await tempDir();
    const path = join(dir, 't', '0');
    const opts = { readOnly: false, segmentBytes: 4096, syncEachWrite: false };
    try {
      const writer = await PartitionLog.open(path, 't', 0, { ...opts, logger: captureLogger() });
      for (let i = 0; i < 40; i++) await writer.append(batch(50)); // several closed segments
      await writer.close();
      const logger = captureLogger();
      const log = await PartitionLog.open(path, 't', 0, { ...opts, logger });
      const first = log.segmentFor(0);
      await Promise.all([log.ensureIndexed(first), log.ensureIndexed(first), log.ensureIndexed(first)]);
      assert.deepEqual(logger.messages('error'), []);
      assert.equal(first.nextOffset, log.segmentAfter(first)!.baseOffset);
      await log.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('regression: an append made as soon as the previous one resolves is written (no lost drain)', async () => {
    await withPartition(async (log) => {
      // The .then callback runs right after the ack, before the drain loop has finished returning.
      let chained = 0;
      const appendChain = (left: number): Promise<number> =>
        log.append(batch(1)).then((offset) => (++chained, left > 0 ? appendChain(left - 1) : offset));
      const last = await Promise.race([
        appendChain(50),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`append hung after ${chained}`)), 5000)),
      ]);
      assert.equal(last, 50);
      assert.equal(log.nextOffset, 51);
    });
  });

  it('acks concurrent appends in order, coalescing queued batches into one write', async () => {
    await withPartition(async (log) => {
      const offsets = await Promise.all(Array.from({ length: 20 }, () => log.append(batch(3))));
      assert.deepEqual(
        offsets,
        Array.from({ length: 20 }, (_, i) => i * 3),
      );
      assert.equal(log.nextOffset, 60);
    });
  });
});
