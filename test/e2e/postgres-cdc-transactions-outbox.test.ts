// provide.transaction.metadata against a real PostgreSQL: BEGIN/END records on <prefix>.transaction with
// Debezium's counts and the transaction block of each event; and Debezium's outbox EventRouter routing the rows
// of the outbox table of Debezium's documentation to per-aggregate topics.
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
  type ChangeEvent,
} from './postgres-cdc/cdc-harness.js';

async function streaming(slot: string): Promise<boolean> {
  return withClient(
    'postgres',
    async (c) =>
      (
        await c.query(
          "SELECT 1 FROM pg_replication_slots s JOIN pg_stat_replication r ON r.pid = s.active_pid WHERE s.slot_name = $1 AND r.state IN ('streaming', 'catchup')",
          [slot],
        )
      ).rowCount! > 0,
  );
}

async function startConnector(w: WorkerProcess, name: string, config: Record<string, string>): Promise<void> {
  assert.equal((await w.request('POST', '/connectors', { name, config })).status, 201);
  await waitFor(
    `${name} streaming`,
    async () => {
      const st = await taskStatus(w, name);
      if (st?.state === 'FAILED') throw new Error(`task failed: ${st.trace}`);
      return streaming(config['slot.name']!);
    },
    60_000,
    100,
  );
}

async function readAtLeast(w: WorkerProcess, topic: string, n: number): Promise<ChangeEvent[]> {
  const out: ChangeEvent[] = [];
  await waitFor(
    `${n} records on ${topic}`,
    async () => {
      out.length = 0;
      await readTopic(w, topic, (e) => out.push(e));
      return out.length >= n;
    },
    60_000,
    500,
  );
  return out;
}

type TxValue = {
  status: string;
  id: string;
  event_count: number | null;
  data_collections: Array<{ data_collection: string; event_count: number }> | null;
  ts_ms: number;
};

describe('postgres-cdc: transaction metadata and the outbox EventRouter', () => {
  let w: WorkerProcess;
  before(async () => {
    ensureService('postgres');
    w = await WorkerProcess.create({ ...JSON_CONVERTERS });
    await w.start();
  });
  after(async () => {
    await w?.kill();
  });

  it('BEGIN/END on <prefix>.transaction with event counts per table; each event carries its order', async () => {
    const db = 'h3_txmeta';
    await freshDatabase(db);
    await withClient(db, async (c) => {
      await c.query('CREATE TABLE a (id int PRIMARY KEY, v text)');
      await c.query('CREATE TABLE b (id int PRIMARY KEY, v text)');
      await c.query("INSERT INTO b VALUES (1, 'x'), (2, 'y')");
    });
    await startConnector(
      w,
      'h3-txmeta',
      connectorConfig(db, 'h3_txmeta', { 'provide.transaction.metadata': 'true', 'slot.drop.on.stop': 'true' }),
    );
    const xid = await withClient(db, async (c) => {
      await c.query('BEGIN');
      const x = Number((await c.query('SELECT txid_current() AS x')).rows[0].x);
      await c.query("INSERT INTO a VALUES (1, 'one'), (2, 'two'), (3, 'three')");
      await c.query("UPDATE b SET v = v || '!'");
      await c.query('DELETE FROM a WHERE id = 2'); // an event and a tombstone: the tombstone is not counted
      await c.query('COMMIT');
      await c.query("INSERT INTO b VALUES (3, 'z')"); // a transaction of its own
      return x;
    });
    const tx = (await readAtLeast(w, `${db}.transaction`, 4)).map((e) => ({
      key: e.key as { id: string },
      value: e.value as unknown as TxValue,
    }));
    // BEGIN and END ids differ after the colon, so on a topic of several partitions they may sit apart.
    assert.deepEqual(tx.map((t) => t.value.status).sort(), ['BEGIN', 'BEGIN', 'END', 'END']);
    const ofTx = (status: string, mine: boolean) =>
      tx.find((t) => t.value.status === status && t.value.id.startsWith(`${xid}:`) === mine);
    const [begin, end] = [ofTx('BEGIN', true), ofTx('END', true)];
    assert.equal(begin!.value.id.split(':')[0], String(xid), "the id is Debezium's <xid>:<lsn>");
    assert.equal(end!.value.id.split(':')[0], String(xid));
    assert.equal(begin!.key.id, begin!.value.id);
    assert.equal(begin!.value.event_count, null);
    assert.equal(begin!.value.data_collections, null);
    assert.equal(end!.value.event_count, 6);
    assert.deepEqual(
      [...end!.value.data_collections!].sort((x, y) => (x.data_collection < y.data_collection ? -1 : 1)),
      [
        { data_collection: 'public.a', event_count: 4 },
        { data_collection: 'public.b', event_count: 2 },
      ],
    );
    assert.equal(begin!.value.ts_ms, end!.value.ts_ms, 'both carry the commit time');
    assert.equal(ofTx('END', false)!.value.event_count, 1);

    const events = [
      ...(await readAtLeast(w, `${db}.public.a`, 5)),
      ...(await readAtLeast(w, `${db}.public.b`, 5)).filter((e) => e.value?.op !== 'r'),
    ].filter((e) => e.value && e.value.op !== 'r');
    const blocks = events
      .map(
        (e) =>
          (e.value as unknown as { transaction: { id: string; total_order: number; data_collection_order: number } })
            .transaction,
      )
      .filter((b) => b.id.startsWith(`${xid}:`));
    assert.deepEqual(
      blocks.map((b) => b.total_order).sort((x, y) => x - y),
      [1, 2, 3, 4, 5, 6],
      'total_order numbers the events of the transaction',
    );
    const aOrders = events
      .filter((e) => e.value!.source.table === 'a')
      .map(
        (e) =>
          (e.value as unknown as { transaction: { data_collection_order: number } }).transaction.data_collection_order,
      );
    // Keys spread over partitions: each key's events stay in order, the numbers are what counts here.
    assert.deepEqual(
      aOrders.sort((x, y) => x - y),
      [1, 2, 3, 4],
    );
    assert.equal((await w.request('DELETE', '/connectors/h3-txmeta')).status, 204);
  });

  it("EventRouter routes the outbox table's rows to outbox.event.<aggregatetype>, keyed by aggregateid", async () => {
    const db = 'h3_outbox';
    await freshDatabase(db);
    await withClient(db, async (c) => {
      await c.query(
        'CREATE TABLE outbox (id uuid PRIMARY KEY, aggregatetype varchar(255) NOT NULL, aggregateid varchar(255) NOT NULL, type varchar(255) NOT NULL, payload jsonb)',
      );
      await c.query(
        `INSERT INTO outbox VALUES ('00000000-0000-4000-8000-000000000001', 'order', 'o-1', 'OrderCreated', '{"total": 10}')`,
      );
    });
    await startConnector(
      w,
      'h3-outbox',
      connectorConfig(db, 'h3_outbox', {
        'slot.drop.on.stop': 'true',
        'table.include.list': 'public.outbox',
        transforms: 'outbox',
        'transforms.outbox.type': 'io.debezium.transforms.outbox.EventRouter',
        'transforms.outbox.route.topic.replacement': `${db}.outbox.\${routedByValue}`,
        'transforms.outbox.table.fields.additional.placement': 'type:envelope:eventType',
      }),
    );
    await withClient(db, async (c) => {
      await c.query(`INSERT INTO outbox VALUES
        ('00000000-0000-4000-8000-000000000002', 'customer', 'c-7', 'CustomerCreated', '{"name": "Ada"}'),
        ('00000000-0000-4000-8000-000000000003', 'order', 'o-1', 'OrderShipped', '{"carrier": "X"}')`);
      await c.query("UPDATE outbox SET type = 'Changed' WHERE aggregateid = 'c-7'"); // skipped
      await c.query("DELETE FROM outbox WHERE aggregateid = 'c-7'"); // dropped
      await c.query(
        `INSERT INTO outbox VALUES ('00000000-0000-4000-8000-000000000004', 'customer', 'c-8', 'CustomerDeleted', '{}')`,
      );
    });
    const orders = await readAtLeast(w, `${db}.outbox.order`, 2);
    const customers = await readAtLeast(w, `${db}.outbox.customer`, 2);
    const shape = (e: ChangeEvent) => {
      const v = e.value as unknown as { payload: string; eventType: string };
      return [e.keyJson?.payload, v.eventType, JSON.parse(v.payload)];
    };
    assert.deepEqual(orders.map(shape), [
      ['o-1', 'OrderCreated', { total: 10 }],
      ['o-1', 'OrderShipped', { carrier: 'X' }],
    ]);
    assert.deepEqual(customers.map(shape), [
      ['c-7', 'CustomerCreated', { name: 'Ada' }],
      ['c-8', 'CustomerDeleted', {}],
    ]);
    assert.equal((orders[0]!.keyJson!.schema as { type: string }).type, 'string');
    assert.equal((await w.request('DELETE', '/connectors/h3-outbox')).status, 204);
  });
});
