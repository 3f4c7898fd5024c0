/**
 * Exactly-once PostgreSQL CDC (KIP-618, poll boundary) on the real broker: inserts while the worker
 * is SIGKILLed again and again; read_committed, every row once, the slot confirmed only after commit.
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
    const ids = await cdcThroughKills({
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
});
