#!/usr/bin/env node
// bench/postgres-cdc: N single-row insert transactions (snapshot excluded) streamed from a pgoutput slot.
// Ours: the PostgresConnector in a real worker process (embedded log, JsonConverter with schemas, as a
// Debezium user would run it), timed from the slot becoming active until the slot's confirmed LSN passes
// the last insert (records in the log, offsets stored, slot confirmed). Ceiling: pg_recvlogical reading a
// slot of the same kind (pgoutput, same publication) to /dev/null up to the same LSN.
// Both slots are created before the inserts, so both decode the same WAL.
//   node bench/postgres-cdc.mjs [rows]      (default 1,000,000)
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ROOT, freePort, peakRssMb, post, startWorker, table, waitUntil } from './lib.mjs';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const DB = 'bench_cdc';
const PG = { host: '127.0.0.1', port: 55432, user: 'postgres', password: 'postgres' };
const dir = await mkdtemp(join(tmpdir(), 'bench-cdc-'));

execFileSync('bash', [join(ROOT, 'test/services/up.sh'), 'postgres'], { stdio: ['ignore', 'ignore', 'inherit'] });

async function sql(database, text, params) {
  const c = new pg.Client({ ...PG, database });
  await c.connect();
  try { return await c.query(text, params); } finally { await c.end(); }
}

// Fresh database, table, publication and the two slots.
await sql('postgres', `SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = '${DB}' AND active`);
await sql('postgres', `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '${DB}'`);
await sql('postgres', `DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
await sql('postgres', `CREATE DATABASE ${DB}`);
await sql(DB, 'CREATE TABLE events (id bigint PRIMARY KEY, kind text NOT NULL, amount numeric(10,2), created timestamptz NOT NULL DEFAULT now())');
await sql(DB, 'CREATE PUBLICATION bench_pub FOR TABLE events');
await sql(DB, "SELECT pg_create_logical_replication_slot('bench_ours', 'pgoutput')");
await sql(DB, "SELECT pg_create_logical_replication_slot('bench_raw', 'pgoutput')");

// N single-row transactions, written server-side so the writer is not what we measure.
const writeStart = Date.now();
await sql(DB, `DO $$ BEGIN FOR i IN 1..${ROWS} LOOP
  INSERT INTO events (id, kind, amount) VALUES (i, CASE WHEN i % 3 = 0 THEN 'refund' ELSE 'sale' END, (i % 10000) / 100.0); COMMIT;
END LOOP; END $$`);
const writeSecs = (Date.now() - writeStart) / 1000;
const target = (await sql(DB, 'SELECT pg_current_wal_lsn() AS l')).rows[0].l;
console.log(`# ${ROWS} single-row transactions written in ${writeSecs.toFixed(1)} s; target LSN ${target}`);

async function confirmedPast(slot) {
  const r = await sql(DB, 'SELECT confirmed_flush_lsn >= $1::pg_lsn AS ok, active FROM pg_replication_slots WHERE slot_name = $2', [target, slot]);
  return r.rows[0];
}

async function ours() {
  const port = await freePort();
  const workerFile = join(dir, 'worker.properties');
  await writeFile(workerFile, [
    `listeners=http://127.0.0.1:${port}`, `embedded.log.dir=${join(dir, 'log')}`,
    `offset.storage.file.filename=${join(dir, 'connect.offsets')}`, 'offset.flush.interval.ms=1000',
    'key.converter=org.apache.kafka.connect.json.JsonConverter', 'value.converter=org.apache.kafka.connect.json.JsonConverter',
  ].join('\n'));
  const child = await startWorker(workerFile, process.env.BENCH_WORKER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS } : {});
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(async () => (await fetch(`${url}/`)).ok);
  await post(`${url}/connectors`, { name: 'bench', config: {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector', 'database.hostname': PG.host, 'database.port': String(PG.port),
    'database.user': PG.user, 'database.password': PG.password, 'database.dbname': DB, 'topic.prefix': 'bench', 'slot.name': 'bench_ours',
    'publication.name': 'bench_pub', 'publication.autocreate.mode': 'disabled', 'snapshot.mode': 'no_data',
  } });
  await waitUntil(async () => (await confirmedPast('bench_ours'))?.active === true, 120_000, 10);
  const started = process.hrtime.bigint();
  await waitUntil(async () => (await confirmedPast('bench_ours'))?.ok === true, 3_600_000, 100);
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  const rss = peakRssMb(child.pid);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return { secs, rss };
}

async function ceiling() {
  const started = process.hrtime.bigint();
  const child = spawn('pg_recvlogical', ['-h', PG.host, '-p', String(PG.port), '-U', PG.user, '-d', DB, '-S', 'bench_raw', '--start',
    '-o', 'proto_version=1', '-o', 'publication_names=bench_pub', '-E', target, '-f', '/dev/null', '-F', '0'],
  { env: { ...process.env, PGPASSWORD: PG.password }, stdio: ['ignore', 'ignore', 'inherit'] });
  let rss = 0;
  // A zombie has no VmHWM line (NaN): keep the last real reading.
  const t = setInterval(() => { try { const v = peakRssMb(child.pid); if (!Number.isNaN(v)) rss = Math.max(rss, v); } catch { /* exited */ } }, 20);
  await new Promise((r) => child.once('exit', r));
  clearInterval(t);
  return { secs: Number(process.hrtime.bigint() - started) / 1e9, rss };
}

const raw = await ceiling();
const ourRun = await ours();
const rate = (r) => Math.round(ROWS / r.secs);
console.log(table([
  ['', 'events/s', 'seconds', 'peak RSS MB'],
  ['tributary PostgresConnector (JSON+schemas, embedded log)', rate(ourRun), ourRun.secs.toFixed(1), ourRun.rss.toFixed(0)],
  ['pg_recvlogical, same slot kind, to /dev/null (ceiling)', rate(raw), raw.secs.toFixed(1), raw.rss.toFixed(0)],
  ['Debezium 3.0 in Kafka Connect 3.9 (peer)', 'not run', '', ''],
]));
console.log(`# ours/ceiling events/s: ${(rate(ourRun) / rate(raw)).toFixed(2)}; load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
await sql('postgres', `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '${DB}'`);
