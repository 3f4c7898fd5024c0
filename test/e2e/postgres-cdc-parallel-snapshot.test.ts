// The parallel chunked initial snapshot against a real PostgreSQL: 4 tables read by 4 connections, each table
// split into key ranges. Every row arrives once, each chunk in key order, one record closes the snapshot.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ensureService } from '../support/services.js';
import { WorkerProcess, waitFor } from '../support/worker-process.js';
import {
  connectorConfig,
  freshDatabase,
  JSON_CONVERTERS,
  readTopic,
  taskStatus,
  withClient,
} from './postgres-cdc/cdc-harness.js';

const ROWS = Number(process.env.CDC_PSNAP_ROWS ?? 50_000);
const TABLES = ['t1', 't2', 't3', 't4'];

/** The fewest ascending runs the sequence can be split into (patience sorting): the chunks interleaved. */
function ascendingRuns(ids: number[]): number {
  const tails: number[] = [];
  for (const id of ids) {
    // The first run whose tail is below id takes it; tails stay in decreasing order.
    let lo = 0,
      hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (tails[mid]! < id) hi = mid;
      else lo = mid + 1;
    }
    if (lo === tails.length) tails.push(id);
    else tails[lo] = id;
  }
  return tails.length;
}

describe('postgres-cdc: parallel chunked initial snapshot', () => {
  let w: WorkerProcess;
  before(async () => {
    ensureService('postgres');
    w = await WorkerProcess.create({ ...JSON_CONVERTERS });
    await w.start();
  });
  after(async () => {
    await w?.kill();
  });

  it('snapshot.max.threads=4 reads 4 tables in key ranges: every row once, each chunk in key order', async () => {
    const db = 'h3_psnap';
    await freshDatabase(db);
    await withClient(db, async (c) => {
      for (const t of TABLES) {
        await c.query(`CREATE TABLE ${t} (id int PRIMARY KEY, val text NOT NULL)`);
        // Shuffled physical order: a whole-table read would not come out in key order.
        await c.query(`INSERT INTO ${t} SELECT g, md5(g::text) FROM generate_series(1, $1) g ORDER BY random()`, [
          ROWS,
        ]);
        await c.query(`ANALYZE ${t}`);
      }
    });
    const started = Date.now();
    const created = await w.request('POST', '/connectors', {
      name: 'h3-psnap',
      config: connectorConfig(db, 'h3_psnap', {
        'snapshot.max.threads': '4',
        'slot.drop.on.stop': 'true',
        'max.batch.size': '4096',
        'max.queue.size': '16384',
      }),
    });
    assert.equal(created.status, 201);
    await waitFor(
      'the snapshot to be streamed',
      async () => {
        const st = await taskStatus(w, 'h3-psnap');
        if (st?.state === 'FAILED') throw new Error(`task failed: ${st.trace}`);
        return withClient(
          'postgres',
          async (c) =>
            (
              await c.query(
                "SELECT 1 FROM pg_replication_slots s JOIN pg_stat_replication r ON r.pid = s.active_pid WHERE s.slot_name = 'h3_psnap' AND r.state IN ('streaming', 'catchup')",
              )
            ).rowCount! > 0,
        );
      },
      120_000,
      200,
    );
    console.log(`# snapshot of ${TABLES.length} x ${ROWS} rows streamed after ${Date.now() - started} ms`);
    const marks = new Map<string, number>();
    for (const t of TABLES) {
      const ids: number[] = [];
      await waitFor(
        `${t}: ${ROWS} records`,
        async () => {
          ids.length = 0;
          await readTopic(w, `${db}.public.${t}`, (e) => {
            assert.equal(e.value?.op, 'r');
            ids.push(Number(e.value.after!.id));
            const m = String(e.value.source.snapshot);
            marks.set(m, (marks.get(m) ?? 0) + 1);
          });
          return ids.length >= ROWS;
        },
        60_000,
        1000,
      );
      assert.equal(ids.length, ROWS, `${t}: one record per row`);
      assert.equal(new Set(ids).size, ROWS, `${t}: every row once`);
      const runs = ascendingRuns(ids);
      console.log(`# ${t}: ${ids.length} records in ${runs} ascending runs`);
      assert.ok(runs >= 2 && runs <= 4, `${t}: read as 2-4 key-ordered chunks, found ${runs} ascending runs`);
    }
    console.log(`# source.snapshot marks: ${JSON.stringify(Object.fromEntries(marks))}`);
    assert.equal(marks.get('last'), 1, 'one record closes the snapshot');
    assert.equal(marks.get('first'), 1, 'one record opens it');
    assert.equal(marks.get('last_in_data_collection'), TABLES.length - 1);
    assert.equal((await w.request('DELETE', '/connectors/h3-psnap')).status, 204);
  });
});
