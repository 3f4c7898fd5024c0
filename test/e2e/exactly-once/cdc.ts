/** The exactly-once CDC e2e run: inserts in transactions of 500 while the worker is SIGKILLed again and again. */
import assert from 'node:assert/strict';
import { WorkerProcess, waitFor } from '../../support/worker-process.js';
import {
  connectorConfig,
  freshDatabase,
  ITEMS_DDL,
  JSON_CONVERTERS,
  waitForCaughtUp,
  withClient,
} from '../postgres-cdc/cdc-harness.js';
import { readTopic, redeliveredOf } from './support.js';

export interface CdcRun {
  readonly name: string;
  readonly group: string;
  readonly db: string;
  readonly slot: string;
  readonly rows: number;
  readonly kills: number;
  /** Connector keys besides the database's and `exactly.once.support=required`. */
  readonly config: Record<string, string>;
  /** The worker's `exactly.once.source.support`: `disabled` runs at least once (default `enabled`). */
  readonly mode?: 'enabled' | 'disabled';
  /** Told of the worker as soon as it exists, so the test's `after` can kill it. */
  readonly started: (w: WorkerProcess) => void;
}

/**
 * Runs the connector on an exactly-once (or at-least-once) worker through the kills: the ids of the changes
 * read_committed, and what the task counted as sent again (at least once; 0 with exactly once).
 */
export async function cdcThroughKills(o: CdcRun): Promise<{ ids: number[]; redelivered: number }> {
  const mode = o.mode ?? 'enabled';
  await freshDatabase(o.db);
  await withClient(o.db, (c) => c.query(ITEMS_DDL));
  const w = await WorkerProcess.distributed(o.group, { 'exactly.once.source.support': mode, ...JSON_CONVERTERS });
  o.started(w);
  await w.start();
  await waitFor('the worker in its cluster', async () => (await w.request('GET', '/health')).status === 200, 60_000);
  const created = await w.requestOutsideRebalance('POST', '/connectors', {
    name: o.name,
    config: connectorConfig(o.db, o.slot, {
      'topic.prefix': o.group,
      ...(mode === 'enabled' ? { 'exactly.once.support': 'required' } : {}),
      'slot.drop.on.stop': 'false',
      ...o.config,
    }),
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await waitFor(
    'the slot',
    () =>
      withClient(
        o.db,
        async (c) => (await c.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [o.slot])).rowCount! > 0,
      ),
    120_000,
    100,
  );
  const writer = withClient(o.db, async (c) => {
    for (let id = 1; id <= o.rows; id += 500) {
      await c.query(
        `INSERT INTO items (id, val, txt, amount) SELECT g, g % 1000, 'row ' || g, 1.5 FROM generate_series($1::int, $2::int) g`,
        [id, Math.min(o.rows, id + 499)],
      );
      await new Promise((r) => setTimeout(r, 5));
    }
  });
  for (let k = 0; k < o.kills; k++) {
    await new Promise((r) => setTimeout(r, 1_500 + Math.random() * 2_500));
    await w.kill();
    await w.start();
  }
  await writer;
  // A task that starts without stored offsets snapshots, and the slot is confirmed at the snapshot's start
  // while it runs: the slot alone says nothing until the stored offset is past the snapshot.
  await waitFor(
    `${o.name}'s snapshot finished`,
    async () => {
      const r = await w.request<{ offsets?: Array<{ offset: Record<string, unknown> }> }>(
        'GET',
        `/connectors/${o.name}/offsets`,
      );
      const off = r.body.offsets?.[0]?.offset;
      return off !== undefined && (off.snapshot == null || off.snapshot_completed === true);
    },
    300_000,
    500,
  );
  await waitForCaughtUp(o.db, o.slot);
  const redelivered = mode === 'disabled' ? await redeliveredOf(w, o.name) : 0;
  await w.stop();
  const ids = (await readTopic(`${o.group}.public.items`, 'read_committed', true))
    .map((k) => (JSON.parse(k) as { payload: { id: number } }).payload.id)
    .filter((id) => id > 0);
  return { ids, redelivered };
}
