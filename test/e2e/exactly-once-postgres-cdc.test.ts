/**
 * Exactly-once PostgreSQL CDC (KIP-618, poll boundary) on the real broker: inserts while the worker
 * is SIGKILLed again and again; read_committed, every row once, the slot confirmed only after commit. The
 * same at least once: the duplicates the kills make, and the task's count of them (records_redelivered) agrees.
 * (Split from exactly-once.test.ts to keep each file short; the connector boundary has its own file.)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ensureService } from '../support/services.js';
import type { WorkerProcess } from '../support/worker-process.js';
import { withClient } from './postgres-cdc/cdc-harness.js';
import { cdcThroughKills } from './exactly-once/cdc.js';
import { KILLS, LINES, run } from './exactly-once/support.js';

describe('exactly-once PostgreSQL CDC (KIP-618)', { timeout: 15 * 60_000 }, () => {
  const workers: WorkerProcess[] = [];
  before(() => ensureService('kafka'));
  after(async () => {
    for (const w of workers) await w.kill();
  });

  it(`delivers PostgreSQL changes exactly once through ${KILLS} SIGKILLs, confirming the slot only after commit`, async () => {
    ensureService('postgres');
    const group = `eos-cdc-${run}`;
    const db = 'cdc_exactly_once';
    const slot = `eos_${run.replace(/[^a-z0-9]/g, '_')}`;
    const rows = Math.min(LINES, 100_000);
    const { ids } = await cdcThroughKills({
      name: 'eos-cdc',
      group,
      db,
      slot,
      rows,
      kills: KILLS,
      config: {},
      started: (w) => workers.push(w),
    });
    const distinct = new Set(ids);
    console.log(
      `# postgres-cdc exactly once: ${ids.length} change events read_committed, ${distinct.size} distinct rows, ${ids.length - distinct.size} duplicates after ${KILLS} SIGKILLs`,
    );
    assert.equal(distinct.size, rows, 'every row');
    assert.equal(ids.length, rows, 'no change twice');
    await withClient('postgres', (c) => c.query('SELECT pg_drop_replication_slot($1)', [slot])).catch(() => {});
  });

  it(`shows the duplicates ${KILLS} SIGKILLs make at least once, and the task's count agrees`, async () => {
    ensureService('postgres');
    const group = `alo-cdc-${run}`;
    const db = 'cdc_at_least_once';
    const slot = `alo_${run.replace(/[^a-z0-9]/g, '_')}`;
    const rows = Math.min(LINES, 100_000);
    const { ids, redelivered } = await cdcThroughKills({
      name: 'alo-cdc',
      group,
      db,
      slot,
      rows,
      kills: KILLS,
      // The counter counts what earlier runs wrote after their last offset flush. An initial snapshot that a
      // kill interrupts starts over (as Debezium's), re-sending rows from before that flush too, uncounted:
      // so the changes here come from the stream only, where it is exact.
      config: { 'snapshot.mode': 'no_data' },
      mode: 'disabled',
      started: (w) => workers.push(w),
    });
    const distinct = new Set(ids);
    console.log(
      `# postgres-cdc at least once: ${ids.length} change events, ${distinct.size} distinct rows, ` +
        `${ids.length - distinct.size} duplicates after ${KILLS} SIGKILLs; the task counted ${redelivered} sent again`,
    );
    assert.equal(distinct.size, rows, 'every row');
    assert.equal(redelivered, ids.length - distinct.size, 'the counter agrees with the duplicates in the topic');
    await withClient('postgres', (c) => c.query('SELECT pg_drop_replication_slot($1)', [slot])).catch(() => {});
  });
});
