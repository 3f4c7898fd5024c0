// Signals and incremental snapshots against a real PostgreSQL and Kafka: execute-snapshot through the signal
// table, a Kafka topic and the REST API while writers change both tables; the replayed topic equals the table;
// a SIGKILL mid-snapshot resumes from the last chunk; bad signals are reported and streaming goes on.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import { SERVICES } from '../support/services.js';
import { WorkerProcess, waitFor } from '../support/worker-process.js';
import {
  connectorConfig,
  JSON_CONVERTERS,
  readTopic,
  taskStatus,
  waitForCaughtUp,
  withClient,
} from './postgres-cdc/cdc-harness.js';
import {
  expectReplayEqual as expectReplayEqualOf,
  notifications as notificationsOf,
  chunkStored,
  prepareSignalDatabase,
  snapshotSignalKeys,
  streaming,
  waitForNotification as waitForNotificationOf,
  writeA as writeAOf,
  writeItems as writeItemsOf,
  type Notification,
} from './postgres-cdc/signal-harness.js';

// Info-level worker logs: printed with the notifications wait when it times out (it did once in CI).
process.env.TRIBUTARY_LOG_LEVEL ??= 'info';
const ROWS = Number(process.env.CDC_SIGNAL_ROWS ?? 20_000);
const CHUNK = 1024;
const DB = 'h2_signals';
const SLOT = 'h2_signals';
const SIGNAL_TOPIC = `h2-signals-${process.pid}-${Date.now()}`;
const NOTIFICATIONS = `${DB}.notifications`;

async function notifications(w: WorkerProcess): Promise<Notification[]> {
  return notificationsOf(w, NOTIFICATIONS);
}

async function waitForNotification(w: WorkerProcess, what: string, pick: (n: Notification[]) => boolean) {
  await waitForNotificationOf(w, NOTIFICATIONS, what, pick);
}

const writeItems = (firstNewId: number) => writeItemsOf(DB, ROWS, firstNewId);
const writeA = () => writeAOf(DB);
const expectReplayEqual = (w: WorkerProcess, label: string) => expectReplayEqualOf(w, DB, label);

/** Watermark windows opened so far (insert_insert leaves the rows): progress seen without reading a topic. */
async function windows(): Promise<number> {
  return withClient(DB, async (c) =>
    Number((await c.query("SELECT count(*) FROM debezium_signal WHERE type = 'snapshot-window-open'")).rows[0].count),
  );
}

describe('postgres-cdc: signals and incremental snapshots', () => {
  let w: WorkerProcess;
  let snapshotRows = 0;
  const kafka = new Kafka({ brokers: [SERVICES.kafka], clientId: 'h2-signals-test', logLevel: logLevel.NOTHING });
  const producer = kafka.producer();

  before(async () => {
    await producer.connect();
    await prepareSignalDatabase(DB, ROWS);
    w = await WorkerProcess.create({ ...JSON_CONVERTERS, 'offset.flush.interval.ms': '500' });
    await w.start();
    const created = await w.request('POST', '/connectors', {
      name: 'h2-signals',
      config: connectorConfig(DB, SLOT, {
        'slot.drop.on.stop': 'true',
        'snapshot.mode': 'no_data',
        'table.include.list': 'public.items,public.a_stream',
        'signal.data.collection': 'public.debezium_signal',
        ...snapshotSignalKeys({
          channels: 'source,kafka,rest',
          topic: SIGNAL_TOPIC,
          group: `h2-signals-${process.pid}`,
          chunk: CHUNK,
          notifications: NOTIFICATIONS,
        }),
      }),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    // Signals written before the slot exists are not in its stream: wait for the walsender.
    await waitFor('streaming', () => streaming(SLOT), 300_000, 100); // a slot waits for open transactions
  });

  after(async () => {
    await producer.disconnect().catch(() => {});
    await w?.stop();
  });

  it(`snapshots B (${ROWS} rows) through the signal table, Kafka and REST while A and B change`, async () => {
    const writers = writeItems(10_000_000);
    const a = writeA();
    const started = Date.now();
    const channels: Array<[string, () => Promise<void>]> = [
      [
        'source',
        () =>
          withClient(DB, async (c) => {
            await c.query(`INSERT INTO debezium_signal VALUES ('src-1', 'execute-snapshot', $1)`, [
              JSON.stringify({ 'data-collections': ['public.items'], type: 'incremental' }),
            ]);
          }),
      ],
      [
        'kafka',
        async () => {
          await producer.send({
            topic: SIGNAL_TOPIC,
            messages: [
              { key: 'other-connector', value: JSON.stringify({ type: 'log', data: { message: 'not ours' } }) },
              {
                key: DB,
                value: JSON.stringify({ type: 'execute-snapshot', data: { 'data-collections': ['public\\.it.*'] } }),
              },
            ],
          });
        },
      ],
      [
        'rest',
        async () => {
          const r = await w.request('POST', '/tributary/connectors/h2-signals/signals', {
            id: 'rest-1',
            type: 'execute-snapshot',
            data: { 'data-collections': ['public.items'], type: 'INCREMENTAL' },
          });
          assert.equal(r.status, 202, JSON.stringify(r.body));
        },
      ],
    ];
    for (const [i, [channel, send]] of channels.entries()) {
      const t0 = Date.now();
      await send();
      await waitForNotification(
        w,
        `snapshot ${i + 1} (${channel}) completed`,
        (ns) => ns.filter((n) => n.aggregate_type === 'Incremental Snapshot' && n.type === 'COMPLETED').length > i,
      );
      console.log(`# ${channel} channel: ${ROWS} rows snapshotted in ${Date.now() - t0} ms`);
    }
    await writers.stop();
    const aChanges = await a.stop();
    await waitForCaughtUp(DB, SLOT, 120_000);
    const ns = await notifications(w);
    const progress = ns.filter((n) => n.type === 'IN_PROGRESS');
    assert.ok(progress.length >= 3 * (Math.ceil(ROWS / CHUNK) - 2), `chunks reported: ${progress.length}`);
    assert.equal(progress[0]!.additional_data.current_collection_in_progress, 'public.items');
    const scans = ns.filter((n) => n.type === 'TABLE_SCAN_COMPLETED');
    assert.equal(scans.length, 3);
    assert.ok(scans.every((n) => n.additional_data.status === 'SUCCEEDED'));
    assert.ok(ns.some((n) => n.id === 'src-1') && ns.some((n) => n.id === 'rest-1'), 'signal ids correlate');
    let aEvents = 0;
    let aDuring = 0;
    await readTopic(w, `${DB}.public.a_stream`, (e) => {
      if (e.value?.op !== 'u') return;
      aEvents++;
      if (Number(e.value.source.ts_ms) >= started) aDuring++;
    });
    console.log(`# A streamed ${aEvents} updates (${aChanges} made), ${aDuring} during the snapshots`);
    assert.equal(aEvents, aChanges, 'every update of A streamed');
    const stats = await expectReplayEqual(w, 'three incremental snapshots under writers');
    assert.ok(stats.snapshotRows > 2 * ROWS, `r events: ${stats.snapshotRows}`);
    snapshotRows = stats.snapshotRows;
  });

  it('resumes an incremental snapshot from its last chunk after a SIGKILL', async () => {
    const writers = writeItems(20_000_000);
    const opened = await windows();
    const r = await w.request('POST', '/tributary/connectors/h2-signals/signals', {
      id: 'kill-1',
      type: 'execute-snapshot',
      data: { 'data-collections': ['public.items'] },
    });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    // Killed a third of the way through, once a chunk of it is in the stored offsets: a REST signal is durable
    // from then on (chunks are read 3 ahead, so windows open faster than offsets are flushed, every 500 ms).
    await waitFor(
      'a third of the chunks, one stored',
      async () => (await windows()) - opened > ROWS / CHUNK / 3 && (await chunkStored(w, 'h2-signals', 'kill-1')),
      60_000,
      50,
    );
    await w.kill();
    const beforeKill = (await notifications(w))
      .filter((n) => n.id === 'kill-1' && n.type === 'IN_PROGRESS')
      .map((n) => Number(n.additional_data.last_processed_key));
    await w.start();
    await waitForNotification(w, 'the resumed snapshot completed', (ns) =>
      ns.some((n) => n.id === 'kill-1' && n.type === 'COMPLETED'),
    );
    await writers.stop();
    await waitForCaughtUp(DB, SLOT, 120_000);
    const ns = (await notifications(w)).filter((n) => n.id === 'kill-1');
    const keys = ns.filter((n) => n.type === 'IN_PROGRESS').map((n) => Number(n.additional_data.last_processed_key));
    const lastBefore = beforeKill[beforeKill.length - 1]!;
    const firstAfter = keys[beforeKill.length]!;
    // Keys are sparse (the writers delete rows), so "after a stored chunk" is: not the first chunk again.
    assert.ok(
      firstAfter > keys[0]!,
      `the first chunk after the restart (${firstAfter}) follows a stored one (last before the kill: ${lastBefore})`,
    );
    const items = await withClient(DB, async (c) =>
      Number((await c.query('SELECT count(*) FROM items')).rows[0].count),
    );
    const stats = await expectReplayEqual(w, 'incremental snapshot through a SIGKILL');
    const emitted = stats.snapshotRows - snapshotRows;
    console.log(
      `# SIGKILL after key ${lastBefore}: the next chunk ended at ${firstAfter}; ${emitted} r events for ${items} rows`,
    );
    assert.ok(emitted < items * 1.5, 'not snapshotted again from the start');
  });

  it('reports bad signals (log + notification) and keeps streaming; a blocking snapshot reads A', async () => {
    await withClient(DB, (c) =>
      c.query(
        `INSERT INTO debezium_signal VALUES ('bad-type', 'no-such-signal', NULL), ('bad-data', 'execute-snapshot', '{oops')`,
      ),
    );
    const missing = await w.request('POST', '/tributary/connectors/h2-signals/signals', {
      id: 'bad-table',
      type: 'execute-snapshot',
      data: { 'data-collections': ['public.no_such_table'] },
    });
    assert.equal(missing.status, 202, 'the table is looked up by the task');
    const malformed = await w.request('POST', '/tributary/connectors/h2-signals/signals', {
      id: 'bad-rest',
      type: 'execute-snapshot',
      data: '{"data-collections": 42}',
    });
    assert.equal(malformed.status, 400, JSON.stringify(malformed.body));
    const blocking = await w.request('POST', '/tributary/connectors/h2-signals/signals', {
      id: 'block-1',
      type: 'execute-snapshot',
      data: { 'data-collections': ['public.a_stream'], type: 'blocking' },
    });
    assert.equal(blocking.status, 202, JSON.stringify(blocking.body));
    await waitForNotification(
      w,
      'the rejections and the blocking snapshot',
      (ns) =>
        ['bad-type', 'bad-data', 'bad-table', 'bad-rest'].every((id) =>
          ns.some((n) => n.aggregate_type === 'Signal' && n.type === 'REJECTED' && n.additional_data.signal_id === id),
        ) &&
        // As Debezium's, the blocking snapshot's notifications have ids of their own.
        ns.some(
          (n) =>
            n.aggregate_type === 'Initial Snapshot' &&
            n.type === 'TABLE_SCAN_COMPLETED' &&
            n.additional_data.connector_name === DB &&
            n.additional_data.scanned_collection === 'public.a_stream',
        ),
    );
    const ns = await notifications(w);
    assert.ok(
      ns.some(
        (n) =>
          n.id === 'bad-table' && n.type === 'TABLE_SCAN_COMPLETED' && n.additional_data.status === 'UNKNOWN_SCHEMA',
      ),
    );
    await withClient(DB, (c) => c.query('UPDATE a_stream SET val = -7 WHERE id = 1'));
    let blockRows = 0;
    let seen = false;
    await waitFor(
      'A still streams',
      async () => {
        blockRows = 0;
        await readTopic(w, `${DB}.public.a_stream`, (e) => {
          if (e.value?.op === 'r') blockRows++;
          if (e.value?.op === 'u' && e.value.after?.val === -7) seen = true;
        });
        return seen;
      },
      60_000,
      1000,
    );
    assert.equal(blockRows, 1000, 'the blocking snapshot read every row of A');
    assert.ok(w.output.includes('no-such-signal'), 'the unknown type is logged');
    assert.equal((await taskStatus(w, 'h2-signals'))?.state, 'RUNNING');
  });

  it('reports a signal table missing from the publication at start, with the SQL to add it', async () => {
    await withClient(DB, (c) => c.query('CREATE PUBLICATION h2_only_a FOR TABLE a_stream'));
    const r = await w.request('POST', '/connectors', {
      name: 'h2-unpublished',
      config: connectorConfig(DB, 'h2_unpublished', {
        'slot.drop.on.stop': 'true',
        'snapshot.mode': 'no_data',
        'publication.name': 'h2_only_a',
        'publication.autocreate.mode': 'disabled',
        'topic.prefix': 'h2_unpublished',
        'signal.data.collection': 'public.debezium_signal',
      }),
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    await waitFor('streaming', () => streaming('h2_unpublished'), 60_000, 100);
    await waitFor(
      'the warning',
      // The log is JSON: the SQL's quotes are escaped there.
      async () => w.output.includes('ALTER PUBLICATION \\"h2_only_a\\" ADD TABLE \\"public\\".\\"debezium_signal\\"'),
      60_000,
      500,
    );
    assert.equal((await taskStatus(w, 'h2-unpublished'))?.state, 'RUNNING');
    await w.request('DELETE', '/connectors/h2-unpublished');
  });

  it('refuses to move the position (PATCH offsets) to an LSN the slot no longer has, naming its restart_lsn', async () => {
    // Its initial snapshot (of A) reports Debezium's Initial Snapshot notifications.
    const config = connectorConfig(DB, 'h2_lsn', {
      'topic.prefix': 'h2_lsn',
      'table.include.list': 'public.a_stream',
      'notification.enabled.channels': 'sink',
      'notification.sink.topic.name': NOTIFICATIONS,
    });
    assert.equal((await w.request('POST', '/connectors', { name: 'h2-lsn', config })).status, 201);
    await waitFor('streaming', () => streaming('h2_lsn'), 60_000, 100);
    await waitForNotification(w, 'the initial snapshot notifications', (ns) =>
      ns.some(
        (n) =>
          n.aggregate_type === 'Initial Snapshot' &&
          n.type === 'TABLE_SCAN_COMPLETED' &&
          n.additional_data.connector_name === 'h2_lsn' &&
          n.additional_data.total_rows_scanned === '1000',
      ),
    );
    const initial = (await notifications(w)).filter(
      (n) => n.aggregate_type === 'Initial Snapshot' && n.additional_data.connector_name === 'h2_lsn',
    );
    assert.deepEqual(
      initial.map((n) => n.type),
      ['STARTED', 'IN_PROGRESS', 'TABLE_SCAN_COMPLETED', 'COMPLETED'],
    );
    assert.equal(initial[1]!.additional_data.current_collection_in_progress, 'public.a_stream');
    await withClient(DB, (c) => c.query('UPDATE a_stream SET val = val + 1 WHERE id < 10'));
    assert.equal((await w.request('PUT', '/connectors/h2-lsn/stop')).status, 204);
    await waitFor('the slot released', async () => !(await streaming('h2_lsn')), 60_000, 200);
    const patch = (lsn: number) =>
      w.request<{ message: string }>('PATCH', '/connectors/h2-lsn/offsets', {
        offsets: [{ partition: { server: 'h2_lsn' }, offset: { lsn } }],
      });
    const refused = await patch(16);
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.match(
      refused.body.message,
      /no longer retained by replication slot "h2_lsn": its restart_lsn is [0-9A-F]+\/[0-9A-F]+/,
    );
    const confirmed = await withClient(DB, async (c) =>
      Number(
        (
          await c.query(
            "SELECT (confirmed_flush_lsn - '0/0')::bigint AS l FROM pg_replication_slots WHERE slot_name = 'h2_lsn'",
          )
        ).rows[0].l,
      ),
    );
    const moved = await patch(confirmed);
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    await w.request('DELETE', '/connectors/h2-lsn');
    await withClient(DB, (c) =>
      c.query(
        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'h2_lsn' AND NOT active",
      ),
    );
  });
});
