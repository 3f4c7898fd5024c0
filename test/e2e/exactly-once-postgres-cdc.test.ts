/**
 * Exactly-once PostgreSQL CDC (KIP-618, poll boundary) on the real broker: inserts while the worker
 * is SIGKILLed again and again; read_committed, every row once, the slot confirmed only after commit.
 * (Split from exactly-once.test.ts to keep each file short; the connector boundary has its own file.)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ensureService } from '../support/services.js';
import { WorkerProcess, waitFor } from '../support/worker-process.js';
import {
  connectorConfig,
  freshDatabase,
  ITEMS_DDL,
  JSON_CONVERTERS,
  waitForCaughtUp,
  withClient,
} from './postgres-cdc/cdc-harness.js';
import { KILLS, LINES, readTopic, run } from './exactly-once/support.js';

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
    await freshDatabase(db);
    await withClient(db, (c) => c.query(ITEMS_DDL));
    const w = await WorkerProcess.distributed(group, { 'exactly.once.source.support': 'enabled', ...JSON_CONVERTERS });
    workers.push(w);
    await w.start();
    await waitFor(
      'the worker in its cluster',
      async () => (await w.request('GET', '/health')).status === 200,
      60_000,
      250,
    );
    const created = await waitFor(
      'the connector created',
      async () => {
        const r = await w.request('POST', '/connectors', {
          name: 'eos-cdc',
          config: connectorConfig(db, slot, {
            'topic.prefix': group,
            'exactly.once.support': 'required',
            'slot.drop.on.stop': 'false',
          }),
        });
        return r.status === 409 ? null : r;
      },
      60_000,
      250,
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await waitFor(
      'the slot',
      () =>
        withClient(
          db,
          async (c) => (await c.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slot])).rowCount! > 0,
        ),
      120_000,
      100,
    );
    // Inserts in transactions of 500 while the worker is killed again and again.
    const writer = withClient(db, async (c) => {
      for (let id = 1; id <= rows; id += 500) {
        await c.query(
          `INSERT INTO items (id, val, txt, amount) SELECT g, g % 1000, 'row ' || g, 1.5 FROM generate_series($1::int, $2::int) g`,
          [id, Math.min(rows, id + 499)],
        );
        await new Promise((r) => setTimeout(r, 5));
      }
    });
    for (let k = 0; k < KILLS; k++) {
      await new Promise((r) => setTimeout(r, 1_500 + Math.random() * 2_500));
      await w.kill();
      await w.start();
    }
    await writer;
    await waitForCaughtUp(db, slot);
    await w.stop();
    const ids = (await readTopic(`${group}.public.items`, 'read_committed', true))
      .map((k) => (JSON.parse(k) as { payload: { id: number } }).payload.id)
      .filter((id) => id > 0);
    const distinct = new Set(ids);
    console.log(
      `# postgres-cdc exactly once: ${ids.length} change events read_committed, ${distinct.size} distinct rows, ${ids.length - distinct.size} duplicates after ${KILLS} SIGKILLs`,
    );
    assert.equal(distinct.size, rows, 'every row');
    assert.equal(ids.length, rows, 'no change twice');
    await withClient('postgres', (c) => c.query('SELECT pg_drop_replication_slot($1)', [slot])).catch(() => {});
  });
});
