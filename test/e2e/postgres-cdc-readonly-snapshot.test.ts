// Read-only incremental snapshots (read.only=true) against a real PostgreSQL and Kafka: the connector's role
// may only SELECT and replicate. execute-snapshot through Kafka and REST while writers change both tables; the
// replayed topic equals the table; a SIGKILL mid-snapshot resumes from the last chunk.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
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
  chunkStored,
  expectReplayEqual,
  notifications,
  prepareSignalDatabase,
  snapshotSignalKeys,
  streaming,
  waitForNotification,
  writeA,
  writeItems,
} from './postgres-cdc/signal-harness.js';

const ROWS = Number(process.env.CDC_SIGNAL_ROWS ?? 20_000);
const CHUNK = 1024;
const DB = 'cdcx_readonly';
const SLOT = 'cdcx_readonly';
const ROLE = 'cdcx_ro';
const PUBLICATION = 'cdcx_ro_pub';
const SIGNAL_TOPIC = `cdcx-ro-signals-${process.pid}-${Date.now()}`;
const NOTIFICATIONS = `${DB}.notifications`;
const NAME = 'cdcx-readonly';

// The log notification channel shows progress without reading the topic: the worker logs at info.
process.env.TRIBUTARY_LOG_LEVEL = 'info';

/** Progress notifications of one snapshot, counted in the worker's log. */
function progressLogged(w: WorkerProcess, id: string): number {
  return w.output.split('\n').filter((l) => l.includes(`Notification ${id} (Incremental Snapshot IN_PROGRESS)`)).length;
}

describe('postgres-cdc: read-only incremental snapshots (a role with SELECT and REPLICATION only)', () => {
  let w: WorkerProcess;
  let snapshotRows = 0;
  const kafka = new Kafka({ brokers: [SERVICES.kafka], clientId: 'cdcx-ro-test', logLevel: logLevel.NOTHING });
  const producer = kafka.producer();

  before(async () => {
    await producer.connect();
    await prepareSignalDatabase(DB, ROWS, false);
    await withClient(DB, async (c) => {
      await c.query(
        `DO $$ BEGIN CREATE ROLE ${ROLE} LOGIN REPLICATION PASSWORD '${ROLE}'; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
      );
      await c.query(`GRANT CONNECT ON DATABASE ${DB} TO ${ROLE}`);
      await c.query(`GRANT USAGE ON SCHEMA public TO ${ROLE}`);
      await c.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${ROLE}`);
      await c.query(`CREATE PUBLICATION ${PUBLICATION} FOR TABLE items, a_stream`);
    });
    // The role really cannot write.
    const ro = new pg.Client({
      host: SERVICES.postgres.host,
      port: SERVICES.postgres.port,
      user: ROLE,
      password: ROLE,
      database: DB,
    });
    await ro.connect();
    await assert.rejects(ro.query('INSERT INTO items (id, val) VALUES (-2, 0)'), { code: '42501' });
    await assert.rejects(ro.query('CREATE TABLE public.cdcx_nope (id int)'), { code: '42501' });
    await ro.end();
    w = await WorkerProcess.create({ ...JSON_CONVERTERS, 'offset.flush.interval.ms': '500' });
    await w.start();
    const created = await w.request('POST', '/connectors', {
      name: NAME,
      config: connectorConfig(DB, SLOT, {
        'database.user': ROLE,
        'database.password': ROLE,
        'publication.name': PUBLICATION,
        'publication.autocreate.mode': 'disabled',
        'slot.drop.on.stop': 'true',
        'snapshot.mode': 'no_data',
        'table.include.list': 'public.items,public.a_stream',
        'read.only': 'true',
        ...snapshotSignalKeys({
          channels: 'kafka,rest',
          topic: SIGNAL_TOPIC,
          group: `cdcx-ro-${process.pid}`,
          chunk: CHUNK,
          notifications: NOTIFICATIONS,
        }),
      }),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await waitFor('streaming', () => streaming(SLOT), 300_000, 100); // a slot waits for open transactions
  });

  after(async () => {
    await producer.disconnect().catch(() => {});
    await w?.stop();
    await withClient('postgres', (c) =>
      c.query(
        'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active',
        [SLOT],
      ),
    ).catch(() => {});
  });

  it(`snapshots items (${ROWS} rows) through Kafka and REST while both tables change, writing nothing`, async () => {
    const writers = writeItems(DB, ROWS, 10_000_000);
    const a = writeA(DB);
    const started = Date.now();
    const channels: Array<[string, () => Promise<void>]> = [
      [
        'kafka',
        async () => {
          await producer.send({
            topic: SIGNAL_TOPIC,
            messages: [
              {
                key: DB,
                value: JSON.stringify({ type: 'execute-snapshot', data: { 'data-collections': ['public.items'] } }),
              },
            ],
          });
        },
      ],
      [
        'rest',
        async () => {
          const r = await w.request('POST', `/tributary/connectors/${NAME}/signals`, {
            id: 'ro-rest-1',
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
        NOTIFICATIONS,
        `snapshot ${i + 1} (${channel}) completed`,
        (ns) => ns.filter((n) => n.aggregate_type === 'Incremental Snapshot' && n.type === 'COMPLETED').length > i,
      );
      console.log(`# ${channel} channel: ${ROWS} rows snapshotted read-only in ${Date.now() - t0} ms`);
    }
    await writers.stop();
    const aChanges = await a.stop();
    await waitForCaughtUp(DB, SLOT, 120_000);
    const ns = await notifications(w, NOTIFICATIONS);
    const scans = ns.filter((n) => n.type === 'TABLE_SCAN_COMPLETED');
    assert.equal(scans.length, 2);
    assert.ok(scans.every((n) => n.additional_data.status === 'SUCCEEDED'));
    assert.ok(!ns.some((n) => n.type === 'REJECTED'), 'no signal rejected');
    let aEvents = 0;
    await readTopic(w, `${DB}.public.a_stream`, (e) => {
      if (e.value?.op === 'u' && Number(e.value.source.ts_ms) >= started - 60_000) aEvents++;
    });
    assert.equal(aEvents, aChanges, 'every update of A streamed');
    const stats = await expectReplayEqual(w, DB, 'two read-only incremental snapshots under writers');
    assert.ok(stats.snapshotRows > ROWS, `r events: ${stats.snapshotRows}`);
    snapshotRows = stats.snapshotRows;
  });

  it('closes windows on an idle database (keepalives) and resumes after a SIGKILL from its last chunk', async () => {
    // No writer for the first chunks: only keepalives can close the windows.
    const r = await w.request('POST', `/tributary/connectors/${NAME}/signals`, {
      id: 'ro-kill-1',
      type: 'execute-snapshot',
      data: { 'data-collections': ['public.items'] },
    });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    await waitFor('two chunks on an idle database', async () => progressLogged(w, 'ro-kill-1') >= 2, 60_000, 50);
    const writers = writeItems(DB, ROWS, 20_000_000);
    await waitFor(
      'a third of the chunks, one stored',
      async () => progressLogged(w, 'ro-kill-1') > ROWS / CHUNK / 3 && (await chunkStored(w, NAME, 'ro-kill-1')),
      60_000,
      50,
    );
    await w.kill();
    const beforeKill = progressLogged(w, 'ro-kill-1');
    await w.start();
    await waitForNotification(w, NOTIFICATIONS, 'the resumed snapshot completed', (ns) =>
      ns.some((n) => n.id === 'ro-kill-1' && n.type === 'COMPLETED'),
    );
    await writers.stop();
    await waitForCaughtUp(DB, SLOT, 120_000);
    const keys = (await notifications(w, NOTIFICATIONS))
      .filter((n) => n.id === 'ro-kill-1' && n.type === 'IN_PROGRESS')
      .map((n) => Number(n.additional_data.last_processed_key));
    const items = await withClient(DB, async (c) =>
      Number((await c.query('SELECT count(*) FROM items')).rows[0].count),
    );
    const stats = await expectReplayEqual(w, DB, 'read-only incremental snapshot through a SIGKILL');
    const emitted = stats.snapshotRows - snapshotRows;
    console.log(
      `# SIGKILL after ${beforeKill} chunks; the first chunk after the restart ended at key ${keys[beforeKill]}; ${emitted} r events for ${items} rows`,
    );
    assert.ok(keys[beforeKill]! > keys[0]!, 'the first chunk after the restart follows a stored one');
    // Chunks close fast on a quiet database, so up to an offset flush interval of them is read again: the
    // proof of resuming is the key above, this is a bound on what the restart repeats.
    assert.ok(emitted < items * 2, 'not snapshotted again from the start');
    assert.equal((await taskStatus(w, NAME))?.state, 'RUNNING');
  });
});
