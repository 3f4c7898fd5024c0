/**
 * transaction.boundary=connector (KIP-618) with PostgreSQL CDC on the real broker: the task ends its
 * Kafka transactions only where PostgreSQL transactions end, so through SIGKILLs every row arrives
 * once (read_committed) and every offset the connector committed sits at the end of a PostgreSQL
 * transaction — never inside one, although its transactions (500 rows) span several polls (300).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ensureService } from '../support/services.js';
import type { WorkerProcess } from '../support/worker-process.js';
import { withClient } from './postgres-cdc/cdc-harness.js';
import { cdcThroughKills } from './exactly-once/cdc.js';
import { readRecords, run } from './exactly-once/support.js';

const ROWS = Number(process.env.EOS_CDC_ROWS ?? 30_000);
const KILLS = Number(process.env.EOS_KILLS ?? 5);

describe('exactly once with transaction.boundary=connector (PostgreSQL CDC)', { timeout: 10 * 60_000 }, () => {
  let w: WorkerProcess | undefined;
  before(() => {
    ensureService('kafka');
    ensureService('postgres');
  });
  after(async () => {
    await w?.kill();
  });

  it(`ends Kafka transactions only at PostgreSQL commits, with every row once through ${KILLS} SIGKILLs`, async () => {
    const group = `eos-txb-${run}`;
    const db = 'cdc_eos_boundary';
    const slot = `eos_txb_${run.replace(/[^a-z0-9]/g, '_')}`;
    const { ids } = await cdcThroughKills({
      name: 'eos-txb',
      group,
      db,
      slot,
      rows: ROWS,
      kills: KILLS,
      config: { 'transaction.boundary': 'connector', 'max.batch.size': '300' },
      started: (started) => (w = started),
    });
    const offsets = (await readRecords(`${group}-offsets`, 'read_committed'))
      .filter((r) => r.key?.toString().startsWith('["eos-txb"'))
      .map((r) => JSON.parse(r.value!.toString()) as { events_in_tx?: number });
    const inside = offsets.filter((o) => typeof o.events_in_tx === 'number' && o.events_in_tx > 0).length;
    console.log(
      `# connector boundary: ${ids.length} change events read_committed, ${new Set(ids).size} distinct rows, ` +
        `${offsets.length} committed offsets, ${inside} inside a PostgreSQL transaction, after ${KILLS} SIGKILLs`,
    );
    assert.equal(new Set(ids).size, ROWS, 'every row');
    assert.equal(ids.length, ROWS, 'no change twice');
    assert.ok(offsets.length > 0);
    assert.equal(inside, 0, 'no Kafka transaction ended inside a PostgreSQL transaction');
    await withClient('postgres', (c) => c.query('SELECT pg_drop_replication_slot($1)', [slot])).catch(() => {});
  });
});
