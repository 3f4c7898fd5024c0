// The size: an incremental snapshot of a 1M-row table B through the signal table while A streams and a
// writer changes B; the replayed topic equals the table (md5). CDC_1M_ROWS changes the size.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkerProcess, waitFor } from '../support/worker-process.js';
import {
  connectorConfig,
  freshDatabase,
  JSON_CONVERTERS,
  waitForCaughtUp,
  withClient,
} from './postgres-cdc/cdc-harness.js';
import {
  expectReplayEqual,
  prepareSignalDatabase,
  streaming,
  waitForNotification,
  writeA,
  writeItems,
} from './postgres-cdc/signal-harness.js';

const ROWS = Number(process.env.CDC_1M_ROWS ?? 1_000_000);
const DB = 'cdcx_1m';
const SLOT = 'cdcx_1m';
const NAME = 'cdcx-1m';
const NOTIFICATIONS = `${DB}.notifications`;

describe(`postgres-cdc: an incremental snapshot of ${ROWS} rows`, () => {
  let w: WorkerProcess;

  before(async () => {
    await prepareSignalDatabase(DB, ROWS);
    w = await WorkerProcess.create({ ...JSON_CONVERTERS, 'offset.flush.interval.ms': '1000' });
    await w.start();
    const created = await w.request('POST', '/connectors', {
      name: NAME,
      config: connectorConfig(DB, SLOT, {
        'slot.drop.on.stop': 'true',
        'snapshot.mode': 'no_data',
        'table.include.list': 'public.items,public.a_stream',
        'signal.data.collection': 'public.debezium_signal',
        'notification.enabled.channels': 'sink',
        'notification.sink.topic.name': NOTIFICATIONS,
      }),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await waitFor('streaming', () => streaming(SLOT), 300_000, 100);
  });

  after(async () => {
    await w?.stop();
    await freshDatabase(DB); // about 150 MB of table and WAL-retaining slot: not left behind
  });

  it('snapshots B in chunks while A streams and B changes; the replay equals the table', async () => {
    const writers = writeItems(DB, ROWS, ROWS + 10_000_000);
    const a = writeA(DB);
    const t0 = Date.now();
    await withClient(DB, (c) =>
      c.query(`INSERT INTO debezium_signal VALUES ('big-1', 'execute-snapshot', $1)`, [
        JSON.stringify({ 'data-collections': ['public.items'], type: 'incremental' }),
      ]),
    );
    await waitForNotification(w, NOTIFICATIONS, 'the snapshot completed', (ns) =>
      ns.some((n) => n.id === 'big-1' && n.type === 'COMPLETED'),
    );
    const ms = Date.now() - t0;
    const [made, aMade] = [await writers.stop(), await a.stop()];
    console.log(
      `# ${ROWS} rows in ${ms} ms (${Math.round(ROWS / (ms / 1000))} rows/s); ${made} B and ${aMade} A writes`,
    );
    await waitForCaughtUp(DB, SLOT, 180_000);
    const t1 = Date.now();
    const stats = await expectReplayEqual(w, DB, `incremental snapshot of ${ROWS} rows`);
    console.log(`# replay and md5 in ${Date.now() - t1} ms`);
    assert.ok(stats.snapshotRows >= ROWS * 0.9, `r events: ${stats.snapshotRows}`);
  });
});
