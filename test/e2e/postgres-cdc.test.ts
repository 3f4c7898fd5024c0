// The postgres-cdc connector against a real PostgreSQL 15: Debezium-shaped events for a golden set
// of column types, error statuses that say what to do, and the example config with its transforms.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { ensureService, SERVICES } from '../support/services.js';
import { ROOT, WorkerProcess, waitFor } from '../support/worker-process.js';
import {
  connectorConfig,
  freshDatabase,
  JSON_CONVERTERS,
  readTopic,
  taskStatus,
  withClient,
  type ChangeEvent,
} from './postgres-cdc/cdc-harness.js';

const TYPES_DDL = `
  CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
  CREATE TABLE golden (
    id int PRIMARY KEY, i2 int2, i8 int8, num numeric(10,2), bare numeric, flag bool NOT NULL, t text, vc varchar(20),
    ts timestamp, ts3 timestamp(3), tstz timestamptz, d date, tm time, u uuid, j json, jb jsonb, b bytea,
    ints int[], texts text[], m mood)`;
const GOLDEN_ROW = `INSERT INTO golden VALUES (1, -7, 9007199254740993, 12.30, 3.14159, true, 'hello', 'v',
  '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05.123', '2024-01-02 03:04:05.5+02', '2024-01-02', '12:34:56.789',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": 1}', '{"b": [1, 2]}', '\\x0102ff', '{1,2,NULL}', '{"x y",z}', 'happy')`;

describe('postgres-cdc connector', () => {
  const workers: WorkerProcess[] = [];
  let w: WorkerProcess;
  before(async () => {
    ensureService('postgres');
    w = await WorkerProcess.create({ ...JSON_CONVERTERS });
    workers.push(w);
    await w.start();
  });
  after(async () => {
    for (const x of workers) await x.kill();
  });

  it("emits Debezium envelopes with Debezium's type mapping: snapshot r, then c, u, d + tombstone", async () => {
    const db = 'cdc_golden';
    await freshDatabase(db);
    await withClient(db, async (c) => {
      await c.query(TYPES_DDL);
      await c.query(GOLDEN_ROW);
    });
    assert.equal(
      (
        await w.request('POST', '/connectors', {
          name: 'golden',
          config: connectorConfig(db, 'golden', { 'slot.drop.on.stop': 'true' }),
        })
      ).status,
      201,
    );
    await waitFor(
      'streaming',
      () =>
        withClient(
          db,
          async (c) =>
            (await c.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = 'golden' AND active")).rowCount! > 0,
        ),
      60_000,
      100,
    );
    await withClient(db, async (c) => {
      await c.query(`INSERT INTO golden (id, flag, t) VALUES (2, false, 'two')`);
      await c.query(`UPDATE golden SET t = 'uno', num = 99.5 WHERE id = 1`);
      await c.query(`DELETE FROM golden WHERE id = 2`);
    });
    const events: ChangeEvent[] = [];
    await waitFor(
      '5 records',
      async () => {
        events.length = 0;
        await readTopic(w, `${db}.public.golden`, (e) => events.push(e));
        return events.length >= 5;
      },
      60_000,
      500,
    );
    assert.deepEqual(
      events.map((e) => e.value?.op ?? 'tombstone'),
      ['r', 'c', 'u', 'd', 'tombstone'],
    );
    assert.deepEqual(
      events.map((e) => e.key),
      [{ id: 1 }, { id: 2 }, { id: 1 }, { id: 2 }, { id: 2 }],
    );
    const r = events[0]!.value!;
    assert.equal(r.before, null);
    assert.deepEqual(r.after, {
      id: 1,
      i2: -7,
      // JSON.parse reads 2^53+1 as this same double, so the literal says what the event's number parses to.
      // eslint-disable-next-line no-loss-of-precision
      i8: 9007199254740993,
      num: 'BM4=',
      bare: { scale: 5, value: 'BMsv' },
      flag: true,
      t: 'hello',
      vc: 'v',
      ts: 1704164645123456,
      ts3: 1704164645123,
      tstz: '2024-01-02T01:04:05.500000Z',
      d: 19724,
      tm: 45296789000,
      u: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      j: '{"a": 1}',
      jb: '{"b": [1, 2]}',
      b: 'AQL/',
      ints: [1, 2, null],
      texts: ['x y', 'z'],
      m: 'happy',
    });
    const src = r.source;
    assert.equal(src.connector, 'postgresql');
    assert.equal(src.name, db);
    assert.equal(src.db, db);
    assert.equal(src.schema, 'public');
    assert.equal(src.table, 'golden');
    assert.equal(src.snapshot, 'last'); // the only snapshot row is the first and the last; Debezium marks it last
    const c = events[1]!.value!;
    assert.equal(c.source.snapshot, 'false');
    assert.equal(typeof c.source.lsn, 'number');
    assert.equal(typeof c.source.txId, 'number');
    assert.ok(JSON.parse(c.source.sequence as string).length === 2);
    const u = events[2]!.value!;
    assert.equal(u.before, null, 'REPLICA IDENTITY DEFAULT: no before image on update');
    assert.equal((u.after as Record<string, unknown>).t, 'uno');
    const d = events[3]!.value!;
    assert.equal((d.before as Record<string, unknown>).id, 2);
    assert.equal(d.after, null);
    console.log(`# golden row and c/u/d events match Debezium's mapping (${events.length} records)`);
    await w.request('DELETE', '/connectors/golden');
    await waitFor(
      'slot dropped (slot.drop.on.stop)',
      () =>
        withClient(
          db,
          async (c) => (await c.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = 'golden'")).rowCount === 0,
        ),
      30_000,
      100,
    );
  });

  it('REPLICA IDENTITY FULL gives full before images; unchanged TOASTed values carry the placeholder', async () => {
    const db = 'cdc_toast';
    await freshDatabase(db);
    await withClient(db, async (c) => {
      await c.query('CREATE TABLE full_id (id int PRIMARY KEY, a text, n int)');
      await c.query('ALTER TABLE full_id REPLICA IDENTITY FULL');
      await c.query('CREATE TABLE toasty (id int PRIMARY KEY, big text, n int)');
      await c.query("INSERT INTO full_id VALUES (1, 'x', 1)");
      await c.query("INSERT INTO toasty SELECT 1, string_agg(md5(g::text), '') , 1 FROM generate_series(1, 2000) g");
    });
    assert.equal(
      (
        await w.request('POST', '/connectors', {
          name: 'toast',
          config: connectorConfig(db, 'toast', { 'slot.drop.on.stop': 'true', 'snapshot.mode': 'no_data' }),
        })
      ).status,
      201,
    );
    await waitFor(
      'streaming',
      () =>
        withClient(
          db,
          async (c) =>
            (await c.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = 'toast' AND active")).rowCount! > 0,
        ),
      60_000,
      100,
    );
    await withClient(db, async (c) => {
      await c.query("UPDATE full_id SET a = 'y' WHERE id = 1");
      await c.query('UPDATE toasty SET n = 2 WHERE id = 1');
      await c.query('ALTER TABLE full_id ADD COLUMN extra text');
      await c.query("UPDATE full_id SET extra = 'new column' WHERE id = 1");
    });
    const full: ChangeEvent[] = [];
    const toast: ChangeEvent[] = [];
    await waitFor(
      'events',
      async () => {
        full.length = 0;
        toast.length = 0;
        await readTopic(w, `${db}.public.full_id`, (e) => full.push(e));
        await readTopic(w, `${db}.public.toasty`, (e) => toast.push(e));
        return full.length >= 2 && toast.length >= 1;
      },
      60_000,
      500,
    );
    assert.deepEqual(full[0]!.value!.before, { id: 1, a: 'x', n: 1 });
    assert.deepEqual(
      full[1]!.value!.after,
      { id: 1, a: 'y', n: 1, extra: 'new column' },
      'ADD COLUMN picked up from the relation message',
    );
    assert.equal((toast[0]!.value!.after as Record<string, unknown>).big, '__debezium_unavailable_value');
    console.log('# FULL before image, ADD COLUMN and the TOAST placeholder as Debezium emits them');
    await w.request('DELETE', '/connectors/toast');
  });

  it('fails with a status that says what to do: wrong password, no REPLICATION, no primary key, slot in use', async () => {
    const db = 'cdc_errors';
    await freshDatabase(db);
    await withClient(db, async (c) => {
      await c.query('CREATE TABLE ok (id int PRIMARY KEY)');
      await c.query('DROP ROLE IF EXISTS cdc_norepl');
      await c.query("CREATE ROLE cdc_norepl LOGIN PASSWORD 'pw'");
    });
    const cases: Array<{ name: string; config: Record<string, string>; expect: RegExp; setup?: () => Promise<void> }> =
      [
        {
          name: 'bad-password',
          config: connectorConfig(db, 'e1', { 'database.password': 'wrong' }),
          expect: /Authentication failed.*check database.user and database.password/,
        },
        {
          name: 'no-replication',
          config: connectorConfig(db, 'e2', { 'database.user': 'cdc_norepl', 'database.password': 'pw' }),
          expect: /ALTER ROLE "cdc_norepl" WITH REPLICATION/,
        },
        {
          name: 'no-pk',
          config: connectorConfig(db, 'e3'),
          expect: /public\.nokey has neither a primary key nor a replica identity.*REPLICA IDENTITY FULL/,
          setup: () =>
            withClient(db, async (c) => {
              await c.query('CREATE TABLE nokey (a int)');
            }),
        },
      ];
    for (const k of cases) {
      await k.setup?.();
      assert.equal((await w.request('POST', '/connectors', { name: k.name, config: k.config })).status, 201);
      const st = await waitFor(
        `${k.name} to fail`,
        async () => {
          const s = await taskStatus(w, k.name);
          return s?.state === 'FAILED' ? s : null;
        },
        60_000,
        200,
      );
      assert.match(st.trace ?? '', k.expect);
      console.log(`# ${k.name}: ${(st.trace ?? '').split('\n')[0]!.slice(0, 200)}`);
      await w.request('DELETE', `/connectors/${k.name}`);
    }
    await withClient(db, async (c) => {
      await c.query('DROP TABLE nokey');
    });
    // The slot held by another client (pg_recvlogical).
    await withClient(db, async (c) => {
      await c.query("SELECT pg_create_logical_replication_slot('held', 'pgoutput')");
    });
    const pgr: ChildProcess = spawn(
      'pg_recvlogical',
      [
        '-h',
        SERVICES.postgres.host,
        '-p',
        String(SERVICES.postgres.port),
        '-U',
        'postgres',
        '-d',
        db,
        '-S',
        'held',
        '--start',
        '-o',
        'proto_version=1',
        '-o',
        `publication_names=pub_held`,
        '-f',
        '/dev/null',
      ],
      { env: { ...process.env, PGPASSWORD: 'postgres' }, stdio: 'ignore' },
    );
    try {
      await withClient(db, async (c) => {
        await c.query('CREATE PUBLICATION pub_held FOR ALL TABLES');
      });
      await waitFor(
        'pg_recvlogical holding the slot',
        () =>
          withClient(
            db,
            async (c) =>
              (await c.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = 'held' AND active")).rowCount! > 0,
          ),
        30_000,
        100,
      );
      assert.equal(
        (await w.request('POST', '/connectors', { name: 'slot-busy', config: connectorConfig(db, 'held') })).status,
        201,
      );
      const st = await waitFor(
        'slot-busy to fail',
        async () => {
          const s = await taskStatus(w, 'slot-busy');
          return s?.state === 'FAILED' ? s : null;
        },
        60_000,
        200,
      );
      assert.match(st.trace ?? '', /Replication slot "held" is in use by another client .*pg_terminate_backend/);
      console.log(`# slot-busy: ${(st.trace ?? '').split('\n')[0]!.slice(0, 200)}`);
      await w.request('DELETE', '/connectors/slot-busy');
    } finally {
      pgr.kill('SIGKILL');
      await waitFor(
        'held released',
        () =>
          withClient(
            db,
            async (c) =>
              (await c.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = 'held' AND active")).rowCount === 0,
          ),
        30_000,
        100,
      );
      await withClient(db, async (c) => {
        await c.query("SELECT pg_drop_replication_slot('held')");
      });
    }
    // Bad configs over REST: every offending key named.
    const v = await w.request<{ error_count: number; configs: Array<{ value: { name: string; errors: string[] } }> }>(
      'PUT',
      '/connector-plugins/io.debezium.connector.postgresql.PostgresConnector/config/validate',
      {
        name: 'bad',
        'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
        'database.hostname': 'h',
        'snapshot.mode': 'sometimes',
        'slot.name': 'Bad-Name',
      },
    );
    const bad = v.body.configs
      .filter((c) => c.value.errors.length > 0)
      .map((c) => c.value.name)
      .sort();
    assert.deepEqual(bad, ['database.dbname', 'database.user', 'slot.name', 'snapshot.mode', 'topic.prefix']);
    console.log(`# validate: ${v.body.error_count} errors on ${bad.join(', ')}`);
    // The connector that was fine all along still streams.
    assert.equal(
      (
        await w.request('POST', '/connectors', {
          name: 'still-ok',
          config: connectorConfig(db, 'e_ok', { 'slot.drop.on.stop': 'true' }),
        })
      ).status,
      201,
    );
    await withClient(db, async (c) => {
      await c.query('INSERT INTO ok VALUES (1)');
    });
    await waitFor(
      'the good connector streams',
      async () => {
        let n = 0;
        await readTopic(w, `${db}.public.ok`, () => {
          n++;
        });
        return n >= 1;
      },
      60_000,
      500,
    );
    await w.request('DELETE', '/connectors/still-ok');
  });

  it('the example config, POSTed unmodified, streams flat rows with messagetopic and messagesource', async () => {
    await freshDatabase('demo');
    await withClient('demo', async (c) => {
      await c.query('CREATE TABLE customers (id int PRIMARY KEY, first_name text, last_name text, email text)');
      await c.query("INSERT INTO customers VALUES (1, 'Rick', 'Astley', 'rick@example.com')");
    });
    const example = JSON.parse(await readFile(`${ROOT}test/e2e/postgres-cdc/cdc-customers-transforms.json`, 'utf8'));
    const res = await w.request('POST', '/connectors', example);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await waitFor(
      'streaming',
      () =>
        withClient(
          'demo',
          async (c) =>
            (await c.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = 'debezium' AND active")).rowCount! > 0,
        ),
      60_000,
      100,
    );
    await withClient('demo', async (c) => {
      await c.query("INSERT INTO customers VALUES (2, 'Ada', 'Lovelace', 'ada@example.com')");
    });
    const rows: Array<Record<string, unknown>> = [];
    await waitFor(
      'two flat rows',
      async () => {
        rows.length = 0;
        await readTopic(w, 'asgard.public.customers', (e) => rows.push(e.value as unknown as Record<string, unknown>));
        return rows.length >= 2;
      },
      60_000,
      500,
    );
    assert.deepEqual(rows[1], {
      id: 2,
      first_name: 'Ada',
      last_name: 'Lovelace',
      email: 'ada@example.com',
      messagetopic: 'asgard.public.customers',
      messagesource: 'Debezium CDC from PostgreSQL on asgard',
    });
    assert.equal(rows[0]!.id, 1);
    console.log(`# asgard.public.customers: ${JSON.stringify(rows[1])}`);
    await w.request('DELETE', `/connectors/${example.name}`);
    await withClient('demo', async (c) => {
      await waitFor(
        'slot released',
        async () =>
          (await c.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = 'debezium' AND active")).rowCount === 0,
        30_000,
        200,
      );
      await c.query("SELECT pg_drop_replication_slot('debezium')");
    });
  });
});
