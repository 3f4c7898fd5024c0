import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { openEmbeddedLog } from '@tributary/connect-runtime';
import { WorkerProcess, waitFor } from '../support/worker-process.js';
import { exampleConfig, files, spoolDirs, waitForFiles, writeOrders } from './spooldir/support.js';

const ROWS = Number(process.env.SPOOLDIR_CRASH_ROWS ?? 1_000_000);

/** The committed offset of a file in the standalone offsets file (0 when none yet). */
async function committedOffset(w: WorkerProcess, fileName: string): Promise<number> {
  const text = await readFile(join(w.dir, 'connect.offsets'), 'utf8').catch(() => '');
  if (!text) return 0;
  const offsets = (JSON.parse(text) as { offsets: Record<string, { offset: number }> }).offsets;
  const entry = Object.entries(offsets).find(([k]) => k.includes(`"fileName":"${fileName}"`));
  return entry ? entry[1].offset : 0;
}

/** Counts order ids in topic `orders` (keys `Struct{order_id=N}` through StringConverter). */
async function countOrders(
  logDir: string,
  rows: number,
): Promise<{ total: number; distinct: number; duplicates: number }> {
  const log = await openEmbeddedLog({ dir: logDir, readOnly: true });
  const consumer = log.consumer({ groupId: `count-${Date.now()}`, topics: ['orders'], autoOffsetReset: 'earliest' });
  await consumer.start();
  const seen = new Uint8Array(rows + 1);
  let total = 0,
    distinct = 0,
    idle = 0;
  while (idle < 3) {
    const batch = await consumer.poll(500);
    if (batch.length === 0) {
      idle++;
      continue;
    }
    idle = 0;
    for (const r of batch) {
      const m = /order_id=(\d+)/.exec(Buffer.from(r.key!).toString());
      const id = Number(m![1]);
      total++;
      if (seen[id] === 0) distinct++;
      seen[id] = 1;
    }
  }
  await consumer.close();
  await log.close();
  return { total, distinct, duplicates: total - distinct };
}

describe('spooldir: SIGKILL in the middle of a large file', () => {
  const workers: WorkerProcess[] = [];
  after(async () => {
    for (const w of workers) await w.kill();
  });

  it(`delivers every one of ${ROWS} rows after a restart and moves the file only once all are committed`, async () => {
    const flushMs = 500;
    const w = await WorkerProcess.create({ 'offset.flush.interval.ms': String(flushMs) });
    workers.push(w);
    const dirs = await spoolDirs(w.dir);
    const big = join(dirs.source, 'orders-big.csv');
    await writeOrders(big, 1, ROWS);
    console.log(`# input: ${ROWS} rows, ${((await stat(big)).size / 1e6).toFixed(1)} MB`);
    await w.start();
    assert.equal((await w.request('POST', '/connectors', await exampleConfig(dirs))).status, 201);
    await waitFor(
      'a third of the file committed',
      async () => (await committedOffset(w, 'orders-big.csv')) > ROWS / 3,
      300_000,
      50,
    );
    await w.kill();
    const atKill = await committedOffset(w, 'orders-big.csv');
    assert.deepEqual(await files(dirs.finished), [], 'not moved before completion');
    assert.ok((await files(dirs.source)).includes('orders-big.csv.PROCESSING'), 'the crash left its marker');
    await w.start();
    const started = Date.now();
    await waitForFiles(dirs.finished, 1, 600_000);
    assert.equal(await committedOffset(w, 'orders-big.csv'), ROWS, 'moved only with every row committed');
    assert.deepEqual(await files(dirs.source), [], 'marker recovered and removed');
    await w.stop();
    const c = await countOrders(join(w.dir, 'log'), ROWS);
    console.log(
      `# killed with ${atKill} rows committed; rest in ${((Date.now() - started) / 1000).toFixed(1)} s after restart; topic has ${c.total} records, ${c.distinct} distinct, ${c.duplicates} duplicates`,
    );
    assert.equal(c.distinct, ROWS, 'every row delivered');
    // A crash repeats at most what was acknowledged but not yet flushed: one flush interval of
    // throughput plus the batches in flight. Bound it generously by a tenth of the file.
    assert.ok(c.duplicates <= ROWS / 10, `duplicates (${c.duplicates}) exceed ${ROWS / 10}`);
  });
});
