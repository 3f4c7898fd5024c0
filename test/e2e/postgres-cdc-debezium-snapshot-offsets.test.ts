// A connector adopted from Debezium in the middle of an incremental snapshot: its offset (set through KIP-875's
// PATCH on the stopped connector, as an adoption does) holds Debezium's incremental snapshot state, the chunk
// keys as the hex of Java-serialized Object[] arrays. The snapshot continues after the stored key, up to the
// stored maximum, and completes under Debezium's correlation id.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ensureService } from '../support/services.js';
import { WorkerProcess, waitFor } from '../support/worker-process.js';
import { connectorConfig, freshDatabase, JSON_CONVERTERS, readTopic, withClient } from './postgres-cdc/cdc-harness.js';
import { SIGNAL_TABLE_DDL, streaming, waitForNotification } from './postgres-cdc/signal-harness.js';

const DB = 'cdcx_dbz_snapshot';
const SLOT = 'cdcx_dbz_snapshot';
const NAME = 'cdcx-dbz-snapshot';
const NOTIFICATIONS = `${DB}.notifications`;

/** new Object[] { n } through java.io.ObjectOutputStream (OpenJDK 17), hex: what Debezium stores. */
function javaIntegerKey(n: number): string {
  return (
    'aced0005757200135b4c6a6176612e6c616e672e4f626a6563743b90ce589f1073296c020000787000000001' +
    '737200116a6176612e6c616e672e496e746567657212e2a0a4f781873802000149000576616c7565787200106a6176612e6c616e672e' +
    '4e756d62657286ac951d0b94e08b0200007870' +
    n.toString(16).padStart(8, '0')
  );
}

describe('postgres-cdc: an incremental snapshot Debezium started, continued from its offsets', () => {
  let w: WorkerProcess;

  before(async () => {
    ensureService('postgres');
    ensureService('kafka');
    await freshDatabase(DB);
    await withClient(DB, async (c) => {
      await c.query('CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL)');
      await c.query("INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 100) g");
      await c.query(SIGNAL_TABLE_DDL);
    });
    w = await WorkerProcess.create({ ...JSON_CONVERTERS, 'offset.flush.interval.ms': '500' });
    await w.start();
  });

  after(async () => {
    await w?.stop();
    await withClient('postgres', (c) =>
      c.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [SLOT]),
    ).catch(() => {});
  });

  it('reads the rows after the stored key up to the stored maximum, and only those', async () => {
    const config = connectorConfig(DB, SLOT, {
      'snapshot.mode': 'no_data',
      'table.include.list': 'public.t',
      'signal.data.collection': 'public.debezium_signal',
      'incremental.snapshot.chunk.size': '10',
      'notification.enabled.channels': 'sink',
      'notification.sink.topic.name': NOTIFICATIONS,
    });
    assert.equal((await w.request('POST', '/connectors', { name: NAME, config })).status, 201);
    await waitFor('streaming', () => streaming(SLOT), 300_000, 100);
    assert.equal((await w.request('PUT', `/connectors/${NAME}/stop`)).status, 204);
    await waitFor('the slot released', async () => !(await streaming(SLOT)), 60_000, 200);
    const confirmed = await withClient(DB, async (c) =>
      Number(
        (
          await c.query(
            "SELECT (confirmed_flush_lsn - '0/0')::bigint AS l FROM pg_replication_slots WHERE slot_name = $1",
            [SLOT],
          )
        ).rows[0].l,
      ),
    );
    // Debezium's PostgreSQL offset mid-snapshot: rows up to id 40 were sent, the maximum key was 90 when it began.
    const offset = {
      lsn: confirmed,
      lsn_proc: confirmed,
      lsn_commit: confirmed,
      txId: null,
      ts_usec: Date.now() * 1000,
      incremental_snapshot_collections: JSON.stringify([
        {
          incremental_snapshot_collections_id: `${DB}.public.t`,
          incremental_snapshot_collections_additional_condition: null,
          incremental_snapshot_collections_surrogate_key: null,
        },
      ]),
      incremental_snapshot_primary_key: javaIntegerKey(40),
      incremental_snapshot_maximum_key: javaIntegerKey(90),
      incremental_snapshot_correlation_id: 'dbz-corr-1',
    };
    const patched = await w.request('PATCH', `/connectors/${NAME}/offsets`, {
      offsets: [{ partition: { server: DB }, offset }],
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal((await w.request('PUT', `/connectors/${NAME}/resume`)).status, 202);
    await waitForNotification(w, NOTIFICATIONS, 'the adopted snapshot completed', (ns) =>
      ns.some((n) => n.id === 'dbz-corr-1' && n.type === 'COMPLETED'),
    );
    const ids: number[] = [];
    await readTopic(w, `${DB}.public.t`, (e) => {
      if (e.value?.op === 'r') ids.push(Number(e.value.after!.id));
    });
    assert.deepEqual(
      ids,
      Array.from({ length: 50 }, (_, i) => 41 + i),
      'ids 41..90, in key order, each once',
    );
  });
});
