#!/usr/bin/env node
// bench/postgres-cdc-incremental: an incremental snapshot (Debezium's `execute-snapshot` signal, watermark windows
// in the signal table) of one table of N rows, requested through the signal table of a connector that is already
// streaming, in one run:
//   ours   the PostgresConnector in a `tributary standalone` worker writing to the real Kafka of test/services
//   peer   Debezium 3.0 (io.debezium:debezium-connector-postgres) in Kafka Connect 3.9 ConnectStandalone
// Both with JsonConverter (schemas on), `incremental.snapshot.chunk.size` CHUNK (Debezium's default 1024), their
// own slot and publication (the table and the signal table), `snapshot.mode=no_data`. Rows/s: from the signal's
// INSERT until the topic holds N records; peak RSS of each process (VmHWM).
//   node bench/postgres-cdc-incremental.mjs [rows]   (default 1,000,000; CHUNK=1024; SKIP_OURS=1 or SKIP_DEBEZIUM=1;
//        READ_ONLY=1: `read.only=true` on both sides, with heartbeats every second, which Debezium's read-only
//        windows need to close on a quiet database)
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, kafkajs, loadNote, peakRssMb, post, ROOT, startWorker, table, waitUntil } from './lib.mjs';
import { BROKER, DEBEZIUM_VERSION, startDebezium } from './debezium.mjs';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const CHUNK = Number(process.env.CHUNK ?? 1024);
const READ_ONLY = process.env.READ_ONLY === '1';
const DB = 'bench_incr';
const PG = { host: '127.0.0.1', port: 55432, user: 'postgres', password: 'postgres' };
const run = Date.now().toString(36);
const dir = await mkdtemp(join(tmpdir(), 'bench-incr-'));

execFileSync('bash', [join(ROOT, 'test/services/up.sh'), 'postgres', 'kafka'], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
const { Kafka, logLevel } = kafkajs();
const admin = new Kafka({ clientId: 'bench-incremental', brokers: [BROKER], logLevel: logLevel.NOTHING }).admin();
await admin.connect();

async function sql(database, text, params) {
  const c = new pg.Client({ ...PG, database });
  await c.connect();
  try {
    return await c.query(text, params);
  } finally {
    await c.end();
  }
}

await sql('postgres', `SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = '${DB}'`);
await new Promise((r) => setTimeout(r, 300));
await sql('postgres', `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '${DB}'`);
await sql('postgres', `DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
await sql('postgres', `CREATE DATABASE ${DB}`);
await sql(DB, 'CREATE TABLE big (id bigint PRIMARY KEY, kind text NOT NULL, amount numeric(10,2), note text)');
await sql(
  DB,
  `INSERT INTO big SELECT g, CASE WHEN g % 3 = 0 THEN 'refund' ELSE 'sale' END, (g % 10000) / 100.0, 'row ' || g
   FROM generate_series(1, ${ROWS}) g`,
);
await sql(
  DB,
  'CREATE TABLE debezium_signal (id varchar(42) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048))',
);
await sql(DB, 'VACUUM ANALYZE big');

async function recordsIn(topic) {
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  } catch {
    return 0;
  }
}

const config = (prefix, slot) => ({
  'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
  'tasks.max': '1',
  'database.hostname': PG.host,
  'database.port': String(PG.port),
  'database.user': PG.user,
  'database.password': PG.password,
  'database.dbname': DB,
  'topic.prefix': prefix,
  'plugin.name': 'pgoutput',
  'slot.name': slot,
  'publication.name': `${slot}_pub`,
  'publication.autocreate.mode': 'filtered',
  'table.include.list': 'public.big,public.debezium_signal',
  'snapshot.mode': 'no_data',
  // Debezium's PostgreSQL connector names the signal table schema.table.
  'signal.data.collection': 'public.debezium_signal',
  'incremental.snapshot.chunk.size': String(CHUNK),
  'slot.drop.on.stop': 'true',
  ...(READ_ONLY ? { 'read.only': 'true', 'heartbeat.interval.ms': '1000' } : {}),
});

async function startOurs(name, cfg) {
  const port = await freePort();
  const workerFile = join(dir, `${name}.properties`);
  await writeFile(
    workerFile,
    [
      `listeners=http://127.0.0.1:${port}`,
      `bootstrap.servers=${BROKER}`,
      `offset.storage.file.filename=${join(dir, `${name}.offsets`)}`,
      'offset.flush.interval.ms=1000',
      'key.converter=org.apache.kafka.connect.json.JsonConverter',
      'value.converter=org.apache.kafka.connect.json.JsonConverter',
    ].join('\n'),
  );
  const child = await startWorker(workerFile);
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(async () => (await fetch(`${url}/`)).ok);
  await post(`${url}/connectors`, { name, config: cfg });
  return {
    child,
    alive: () => child.exitCode === null,
    async stop() {
      await fetch(`${url}/connectors/${name}`, { method: 'DELETE' }).catch(() => {});
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** Starts a side, waits for its slot to stream, sends the signal, times until the topic holds every row. */
async function measure(label, prefix, slot, start) {
  const proc = await start(`incr-${prefix}`, config(prefix, slot));
  try {
    await waitUntil(
      async () => {
        if (!proc.alive()) throw new Error(`${label}: the process under test exited`);
        return (await sql(DB, 'SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot])).rows[0]?.active;
      },
      900_000, // creating a slot waits for every open transaction of the server (other benchmarks' snapshots)
      50,
    );
    await new Promise((r) => setTimeout(r, 2000)); // the signal must come after the stream started
    const topic = `${prefix}.public.big`;
    const t0 = Date.now();
    await sql(DB, `INSERT INTO debezium_signal VALUES ($1, 'execute-snapshot', $2)`, [
      `${prefix}-1`,
      JSON.stringify({ 'data-collections': ['public.big'], type: 'incremental' }),
    ]);
    await waitUntil(
      async () => {
        if (!proc.alive()) throw new Error(`${label}: the process under test exited`);
        return (await recordsIn(topic)) >= ROWS;
      },
      3_600_000,
      200,
    );
    const secs = (Date.now() - t0) / 1000;
    const rss = peakRssMb(proc.child.pid);
    console.error(`# ${label}: ${ROWS} rows in ${secs.toFixed(1)} s`);
    return { secs, rss };
  } finally {
    await proc.stop();
  }
}

const ours = process.env.SKIP_OURS ? null : await measure('ours', `incr_ours_${run}`, `incr_ours_${run}`, startOurs);
const peer = process.env.SKIP_DEBEZIUM
  ? null
  : await measure('Debezium', `incr_dbz_${run}`, `incr_dbz_${run}`, (name, cfg) =>
      startDebezium({ dir, name, config: cfg, heap: '2g' }),
    );
await admin.disconnect();
await rm(dir, { recursive: true, force: true });

const rate = (m) => Math.round(ROWS / m.secs);
const rows = [['', 'rows/s', 'seconds', 'peak RSS MB']];
if (ours) rows.push(['ours → Kafka', rate(ours), ours.secs.toFixed(1), ours.rss.toFixed(0)]);
if (peer) rows.push([`Debezium ${DEBEZIUM_VERSION}`, rate(peer), peer.secs.toFixed(1), peer.rss.toFixed(0)]);
console.log(
  `${READ_ONLY ? 'Read-only incremental' : 'Incremental'} snapshot of ${ROWS} rows, chunks of ${CHUNK} (${loadNote()})\n${table(rows)}`,
);
if (ours && peer) console.log(`ours / Debezium: ${(rate(ours) / rate(peer)).toFixed(2)}`);
console.log(
  JSON.stringify({
    bench: 'postgres-cdc-incremental',
    rows: ROWS,
    chunk: CHUNK,
    read_only: READ_ONLY,
    ours_rows_per_s: ours ? rate(ours) : null,
    ours_peak_rss_mb: ours ? Math.round(ours.rss) : null,
    debezium_rows_per_s: peer ? rate(peer) : null,
    debezium_peak_rss_mb: peer ? Math.round(peer.rss) : null,
  }),
);
