// postgres-cdc against a real PostgreSQL 15: values that once stopped the connector for good (each test is
// named after its bug), and the rule behind them: a value the connector cannot represent never stops the
// stream. It becomes what Debezium writes, or goes through errors.tolerance / the dead-letter queue with the
// row's identity, and the records before it are delivered.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ensureService } from '../support/services.js';
import { CLI, WorkerProcess, waitFor } from '../support/worker-process.js';
import {
  connectorConfig,
  freshDatabase,
  JSON_CONVERTERS,
  readTopic,
  taskStatus,
  withClient,
  type ChangeEvent,
} from './postgres-cdc/cdc-harness.js';

describe('postgres-cdc: values that must not stall the connector', () => {
  let w: WorkerProcess;
  before(async () => {
    ensureService('postgres');
    w = await WorkerProcess.create({ ...JSON_CONVERTERS });
    await w.start();
  });
  after(async () => {
    await w.kill();
  });

  /** A fresh database with `ddl` and `rows`, a connector on it, and streaming started. */
  async function capture(db: string, ddl: string, extra: Record<string, string> = {}): Promise<void> {
    await freshDatabase(db);
    await withClient(db, (c) => c.query(ddl));
    const res = await w.request('POST', '/connectors', {
      name: db,
      config: connectorConfig(db, db, { 'slot.drop.on.stop': 'true', ...extra }),
    });
    assert.equal(res.status, 201);
    await waitFor(
      'streaming',
      () =>
        withClient(
          db,
          async (c) =>
            (await c.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 AND active', [db])).rowCount! > 0,
        ),
      60_000,
      100,
    );
  }

  async function events(topic: string, atLeast: number): Promise<ChangeEvent[]> {
    const out: ChangeEvent[] = [];
    await waitFor(
      `${atLeast} records in ${topic}`,
      async () => {
        out.length = 0;
        await readTopic(w, topic, (e) => out.push(e));
        return out.length >= atLeast;
      },
      60_000,
      500,
    );
    return out;
  }

  async function running(name: string): Promise<void> {
    const st = await taskStatus(w, name);
    assert.equal(st?.state, 'RUNNING', st?.trace);
  }

  it("truncate carried the table's required key schema with a null key: now no key schema, as Debezium", async () => {
    const db = 'cdc_truncate';
    await capture(db, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'a')", {
      'skipped.operations': 'none',
    });
    await withClient(db, async (c) => {
      await c.query("INSERT INTO t VALUES (2, 'b')");
      await c.query('TRUNCATE t');
      await c.query("INSERT INTO t VALUES (3, 'c')");
    });
    const got = await events(`${db}.public.t`, 4);
    assert.deepEqual(
      got.map((e) => e.value?.op),
      ['r', 'c', 't', 'c'],
    );
    const t = got[2]!;
    assert.equal(t.keyJson, null, 'a truncate has neither key nor key schema');
    assert.equal(t.value!.before, null);
    assert.equal(t.value!.after, null);
    assert.deepEqual(got[3]!.key, { id: 3 }, 'the stream goes on after the truncate');
    await running(db);
    await w.request('DELETE', `/connectors/${db}`);
  });

  it('numeric NaN in precise mode stopped the task: now null, as Debezium (Decimal and VariableScaleDecimal)', async () => {
    const db = 'cdc_numeric_nan';
    await capture(
      db,
      "CREATE TABLE n (id int PRIMARY KEY, fixed numeric(10,2), free numeric); INSERT INTO n VALUES (1, 'NaN', 'NaN')",
    );
    await withClient(db, async (c) => {
      await c.query("INSERT INTO n VALUES (2, 'NaN', 'Infinity'), (3, 1.5, 2.50)");
    });
    const got = await events(`${db}.public.n`, 3);
    assert.deepEqual(
      got.map((e) => e.value!.after),
      [
        { id: 1, fixed: null, free: null },
        { id: 2, fixed: null, free: null },
        { id: 3, fixed: 'AJY=', free: { scale: 1, value: 'GQ==' } },
      ],
    );
    await running(db);
    await w.request('DELETE', `/connectors/${db}`);
  });

  it('date ±infinity stopped the task: now the overflowed day counts Debezium streams', async () => {
    const db = 'cdc_date_infinity';
    await capture(db, "CREATE TABLE d (id int PRIMARY KEY, day date); INSERT INTO d VALUES (1, 'infinity')");
    await withClient(db, (c) => c.query("INSERT INTO d VALUES (2, '-infinity'), (3, '2024-02-29')"));
    const got = await events(`${db}.public.d`, 3);
    assert.deepEqual(
      got.map((e) => e.value!.after!.day),
      [-2147472692, -2147472691, 19782],
    );
    await running(db);
    await w.request('DELETE', `/connectors/${db}`);
  });

  it('time 24:00:00 with time.precision.mode=connect stopped the task: now 86,400,000 ms, which Kafka allows', async () => {
    const db = 'cdc_time_2400';
    await capture(db, "CREATE TABLE tm (id int PRIMARY KEY, at time); INSERT INTO tm VALUES (1, '24:00:00')", {
      'time.precision.mode': 'connect',
    });
    await withClient(db, (c) => c.query("INSERT INTO tm VALUES (2, '24:00:00'), (3, '23:59:59.999')"));
    const got = await events(`${db}.public.tm`, 3);
    assert.deepEqual(
      got.map((e) => e.value!.after!.at),
      [86_400_000, 86_400_000, 86_399_999],
    );
    await running(db);
    await w.request('DELETE', `/connectors/${db}`);
  });

  it("a value it cannot represent goes to the dead-letter queue with the row's identity (errors.tolerance=all); the rows around it arrive", async () => {
    // Connect's Timestamp is a JavaScript Date here, which cannot hold timestamp 'infinity' (Debezium's
    // 9223372036825200000 ms).
    const db = 'cdc_errant_dlq';
    await capture(db, 'CREATE TABLE e (id int PRIMARY KEY, at timestamp)', {
      'time.precision.mode': 'connect',
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': `${db}-dlq`,
      'errors.deadletterqueue.context.headers.enable': 'true',
    });
    await withClient(db, (c) =>
      c.query("INSERT INTO e VALUES (1, '2024-01-01 00:00:00'), (2, 'infinity'), (3, '2024-01-03 00:00:00')"),
    );
    const got = await events(`${db}.public.e`, 2);
    assert.deepEqual(
      got.map((e) => e.key),
      [{ id: 1 }, { id: 3 }],
    );
    const dlq = await rawRecords(`${db}-dlq`, 1);
    assert.deepEqual(JSON.parse(dlq[0]!.value!), {
      schema: 'public',
      table: 'e',
      op: 'c',
      key: { id: '2' },
      lsn: JSON.parse(dlq[0]!.value!).lsn,
    });
    assert.match(dlq[0]!.headers['__connect.errors.exception.message'] ?? '', /public\.e\.at .*infinity/);
    await running(db);
    await w.request('DELETE', `/connectors/${db}`);
  });

  it('with errors.tolerance=none the task fails at that value, and the records polled before it are delivered', async () => {
    const db = 'cdc_errant_fail';
    await capture(db, 'CREATE TABLE e (id int PRIMARY KEY, at timestamp)', { 'time.precision.mode': 'connect' });
    await withClient(db, (c) =>
      c.query(
        "INSERT INTO e VALUES (1, '2024-01-01 00:00:00'), (2, '2024-01-02 00:00:00'), (3, 'infinity'), (4, '2024-01-04 00:00:00')",
      ),
    );
    const st = await waitFor(
      'the task to fail',
      async () => {
        const s = await taskStatus(w, db);
        return s?.state === 'FAILED' ? s : null;
      },
      60_000,
      200,
    );
    assert.match(st.trace ?? '', /public\.e\.at/);
    const got = await events(`${db}.public.e`, 2);
    assert.deepEqual(
      got.map((e) => e.key),
      [{ id: 1 }, { id: 2 }],
    );
    await w.request('DELETE', `/connectors/${db}`);
  });

  /** Records of a topic with their headers, as text. */
  async function rawRecords(
    topic: string,
    atLeast: number,
  ): Promise<Array<{ value: string | null; headers: Record<string, string> }>> {
    const out: Array<{ value: string | null; headers: Record<string, string> }> = [];
    await waitFor(
      `${atLeast} records in ${topic}`,
      async () => {
        out.length = 0;
        const child = spawn(
          process.execPath,
          [CLI, 'consume', topic, '--log-dir', `${w.dir}/log`, '--from-beginning', '--timeout-ms', '3000'],
          { stdio: ['ignore', 'pipe', 'inherit'] },
        );
        for await (const line of createInterface({ input: child.stdout })) {
          if (line.startsWith('{')) {
            const r = JSON.parse(line) as { value: string | null; headers?: Record<string, string> };
            out.push({ value: r.value, headers: r.headers ?? {} });
          }
        }
        return out.length >= atLeast;
      },
      60_000,
      500,
    );
    return out;
  }
});
