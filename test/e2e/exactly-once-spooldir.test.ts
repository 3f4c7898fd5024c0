/**
 * Exactly-once spooldir (KIP-618) on the real broker: CSV files spooled through a worker SIGKILLed
 * again and again; read_committed, every row once, and each file moved once its last transaction
 * committed. The same at least once: the duplicates the kills make, and the task's count of them agrees.
 * (Split from exactly-once.test.ts to keep each file short.)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureService } from '../support/services.js';
import { WorkerProcess, waitFor } from '../support/worker-process.js';
import { exampleConfig, files, spoolDirs, waitForFiles, writeOrders } from './spooldir/support.js';
import { KILLS, LINES, readTopic, redeliveredOf, run } from './exactly-once/support.js';

describe('exactly-once spooldir (KIP-618)', { timeout: 15 * 60_000 }, () => {
  const workers: WorkerProcess[] = [];
  before(() => ensureService('kafka'));
  after(async () => {
    for (const w of workers) await w.kill();
  });

  /**
   * Spools 5 CSV files through a worker SIGKILLed KILLS times: the order ids read_committed, what the
   * task counted as sent again (at least once), and the files left in the error directory.
   */
  async function spooled(
    mode: 'enabled' | 'disabled',
  ): Promise<{ ids: number[]; rows: number; redelivered: number; errors: string[] }> {
    const group = `${mode === 'enabled' ? 'eos' : 'alo'}-spool-${run}`;
    const name = `${group}-c`;
    const w = await WorkerProcess.distributed(group, { 'exactly.once.source.support': mode });
    workers.push(w);
    const dirs = await spoolDirs(w.dir);
    const perFile = Math.ceil(LINES / 5);
    // Written aside and renamed in, so no file is picked up half-written.
    for (let f = 0; f < 5; f++) {
      const tmp = join(w.dir, `orders-${f}.tmp`);
      await writeOrders(tmp, 1 + f * perFile, perFile);
      await rename(tmp, join(dirs.source, `orders-${f}.csv`));
    }
    await w.start();
    await waitFor(
      'the worker in its cluster',
      async () => (await w.request('GET', '/health')).status === 200,
      60_000,
      250,
    );
    const topic = `${group}-orders`;
    const eos: Record<string, string> = mode === 'enabled' ? { 'exactly.once.support': 'required' } : {};
    const body = await exampleConfig(dirs, { topic, ...eos }, name);
    const created = await waitFor(
      'the connector created',
      async () => {
        const r = await w.request('POST', '/connectors', body);
        return r.status === 409 ? null : r;
      },
      60_000,
      250,
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    for (let k = 0; k < KILLS; k++) {
      await new Promise((r) => setTimeout(r, 1_500 + Math.random() * 2_500));
      await w.kill();
      await w.start();
    }
    await waitForFiles(dirs.finished, 5, 600_000);
    const redelivered = mode === 'disabled' ? await redeliveredOf(w, name) : 0;
    await w.stop();
    const ids = (await readTopic(topic, 'read_committed', true)).map((k) => Number(/order_id=(\d+)/.exec(k)?.[1]));
    return { ids, rows: perFile * 5, redelivered, errors: await files(dirs.error) };
  }

  it(`delivers spooled CSV rows exactly once through ${KILLS} SIGKILLs, moving each file once committed`, async () => {
    const { ids, rows, errors } = await spooled('enabled');
    const distinct = new Set(ids);
    console.log(
      `# spooldir exactly once: ${ids.length} rows read_committed, ${distinct.size} distinct, ${ids.length - distinct.size} duplicates after ${KILLS} SIGKILLs`,
    );
    assert.equal(distinct.size, rows, 'every row');
    assert.equal(ids.length, distinct.size, 'no row twice');
    assert.deepEqual(errors, []);
  });

  it(`shows the duplicates ${KILLS} SIGKILLs make at least once, and the task's count agrees`, async () => {
    const { ids, rows, redelivered, errors } = await spooled('disabled');
    const distinct = new Set(ids);
    console.log(
      `# spooldir at least once: ${ids.length} rows, ${distinct.size} distinct, ${ids.length - distinct.size} duplicates ` +
        `after ${KILLS} SIGKILLs; the task counted ${redelivered} sent again`,
    );
    assert.equal(distinct.size, rows, 'every row');
    assert.equal(redelivered, ids.length - distinct.size, 'the counter agrees with the duplicates in the topic');
    assert.deepEqual(errors, []);
  });
});
