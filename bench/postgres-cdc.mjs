#!/usr/bin/env node
// bench/postgres-cdc: N single-row insert transactions (snapshot excluded) streamed from a pgoutput slot,
// all slots created before the inserts so every reader decodes the same WAL, in one run:
//   ours      the PostgresConnector in a `tributary standalone` worker writing to the real Kafka of
//             test/services (JsonConverter with schemas, as a Debezium user runs it)
//   peer      Debezium 3.0 (io.debezium:debezium-connector-postgres) in Apache Kafka Connect 3.9
//             ConnectStandalone, same converters, same database and broker (bench/debezium.mjs)
//   ours/emb  the same worker with the embedded log instead of Kafka
//   ours/eos  the same worker on Kafka with exactly.once.source.support=enabled, once with
//             transaction.boundary=poll and once with =connector (Kafka transactions end at PostgreSQL
//             commits), timed until the slot is confirmed past the last insert (after the last commit)
//   ceiling   pg_recvlogical reading a slot of the same kind (pgoutput, same publication) to /dev/null
// Throughput: from the slot becoming active until the topic holds all N records (Kafka runs), until the
// slot is confirmed past the last insert (embedded log: records stored, offsets stored, slot confirmed),
// or until pg_recvlogical reached that LSN. Peak RSS is the process's VmHWM, for the Node worker and the JVM
// alike (the JVM with Kafka's connect-standalone.sh heap: -Xms256m -Xmx2g).
// Latency: single-row inserts at a steady LAT_RATE/s (paced inside PostgreSQL), captured by ours and then by
// Debezium, each on a new slot: LAT_WARMUP_SECS s of warm-up until the connector has caught up, then LAT_SECS
// s measured; per record, the time a kafkajs consumer receives it minus the commit time in the envelope
// (source.ts_ms, milliseconds); p50/p99/max over the measured records.
// Snapshot phase: the initial snapshot of 4 tables of SNAP_ROWS rows each (same columns as `events`), by ours
// with snapshot.max.threads=1 and =4 and by Debezium with the same two settings (Debezium 3.0 reads whole tables
// in parallel; ours also splits each table into key ranges), each into Kafka on a new slot: rows/s from the slot's
// creation until the 4 topics hold every row, and peak RSS.
//   node bench/postgres-cdc.mjs [rows] [snapshot rows per table]   (defaults 1,000,000 and 100,000;
//        LAT_RATE=5000 LAT_WARMUP_SECS=10 LAT_SECS=20; SKIP_EMBEDDED=1; SKIP_EOS=1; BENCH_PHASES=stream,snapshot)
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import pg from 'pg';
import { ROOT, freePort, peakRssMb, post, startWorker, table, waitUntil } from './lib.mjs';
import { BROKER, DEBEZIUM_VERSION, startDebezium } from './debezium.mjs';

const require = createRequire(join(ROOT, 'packages/connect-runtime/package.json'));
const { Kafka, logLevel } = require('kafkajs');

const ROWS = Number(process.argv[2] ?? 1_000_000);
// 100k by default: each 1M-row table becomes about 3 GB of Kafka log (JSON with schemas), four of them per run.
const SNAP_ROWS = Number(process.argv[3] ?? 100_000);
const SNAP_TABLES = ['snap1', 'snap2', 'snap3', 'snap4'];
const PHASES = new Set((process.env.BENCH_PHASES ?? 'stream,snapshot').split(','));
const LAT_RATE = Number(process.env.LAT_RATE ?? 5000);
const LAT_SECS = Number(process.env.LAT_SECS ?? 20);
const LAT_WARMUP_SECS = Number(process.env.LAT_WARMUP_SECS ?? 10);
// The snapshot phase alone gets a database of its own, so a stream run started meanwhile does not drop it.
const DB = PHASES.has('stream') ? 'bench_cdc' : 'bench_cdc_snap';
const PG = { host: '127.0.0.1', port: 55432, user: 'postgres', password: 'postgres' };
const run = Date.now().toString(36);
const dir = await mkdtemp(join(tmpdir(), 'bench-cdc-'));

execFileSync('bash', [join(ROOT, 'test/services/up.sh'), 'postgres'], { stdio: ['ignore', 'ignore', 'inherit'] });
execFileSync('bash', [join(ROOT, 'test/services/up.sh'), 'kafka'], { stdio: ['ignore', 'ignore', 'inherit'] });
const kafka = new Kafka({ clientId: 'bench-postgres-cdc', brokers: [BROKER], logLevel: logLevel.NOTHING });
const admin = kafka.admin();
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

const SLOTS = PHASES.has('stream')
  ? [
      'bench_raw',
      'bench_ours',
      'bench_dbz',
      ...(process.env.SKIP_EMBEDDED ? [] : ['bench_emb']),
      ...(process.env.SKIP_EOS ? [] : ['bench_eos', 'bench_eosc']),
    ]
  : [];
// Fresh database, tables, publications and the slots.
await sql(
  'postgres',
  `SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = '${DB}' AND active`,
);
await new Promise((r) => setTimeout(r, 300));
await sql('postgres', `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '${DB}'`);
await sql('postgres', `DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
await sql('postgres', `CREATE DATABASE ${DB}`);
await sql(
  DB,
  'CREATE TABLE events (id bigint PRIMARY KEY, kind text NOT NULL, amount numeric(10,2), created timestamptz NOT NULL DEFAULT now())',
);
await sql(DB, 'CREATE TABLE lat (id bigint PRIMARY KEY, kind text NOT NULL, amount numeric(10,2))');
await sql(DB, 'CREATE PUBLICATION bench_pub FOR TABLE events');
await sql(DB, 'CREATE PUBLICATION bench_lat_pub FOR TABLE lat');
for (const s of SLOTS) await sql(DB, `SELECT pg_create_logical_replication_slot('${s}', 'pgoutput')`);

// N single-row transactions, written server-side so the writer is not what we measure.
const writeStart = Date.now();
if (PHASES.has('stream'))
  await sql(
    DB,
    `DO $$ BEGIN FOR i IN 1..${ROWS} LOOP
  INSERT INTO events (id, kind, amount) VALUES (i, CASE WHEN i % 3 = 0 THEN 'refund' ELSE 'sale' END, (i % 10000) / 100.0); COMMIT;
END LOOP; END $$`,
  );
const writeSecs = (Date.now() - writeStart) / 1000;
const target = (await sql(DB, 'SELECT pg_current_wal_lsn() AS l')).rows[0].l;
if (PHASES.has('stream'))
  console.error(`# ${ROWS} single-row transactions written in ${writeSecs.toFixed(1)} s; target LSN ${target}`);

const slot = async (name) =>
  (
    await sql(
      DB,
      'SELECT confirmed_flush_lsn >= $1::pg_lsn AS ok, active FROM pg_replication_slots WHERE slot_name = $2',
      [target, name],
    )
  ).rows[0];
async function recordsIn(topic) {
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  } catch {
    return 0;
  }
}
const connectorConfig = (prefix, slotName, publication, extra = {}) => ({
  'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
  'tasks.max': '1',
  'database.hostname': PG.host,
  'database.port': String(PG.port),
  'database.user': PG.user,
  'database.password': PG.password,
  'database.dbname': DB,
  'topic.prefix': prefix,
  'plugin.name': 'pgoutput',
  'slot.name': slotName,
  'publication.name': publication,
  'publication.autocreate.mode': 'disabled',
  'snapshot.mode': 'no_data',
  ...extra,
});

/** A tributary worker (Kafka when `useKafka`, else the embedded log) with one connector. */
async function startOurs(name, config, useKafka, eos = false) {
  const port = await freePort();
  const workerFile = join(dir, `${name}.properties`);
  await writeFile(
    workerFile,
    [
      `listeners=http://127.0.0.1:${port}`,
      useKafka ? `bootstrap.servers=${BROKER}` : `embedded.log.dir=${join(dir, `${name}-log`)}`,
      `offset.storage.file.filename=${join(dir, `${name}.offsets`)}`,
      'offset.flush.interval.ms=1000',
      ...(eos
        ? [
            'exactly.once.source.support=enabled',
            `offset.storage.topic=bench_${run}_${name}-offsets`,
            'offset.storage.replication.factor=1',
            'offset.storage.partitions=1',
          ]
        : []),
      'key.converter=org.apache.kafka.connect.json.JsonConverter',
      'value.converter=org.apache.kafka.connect.json.JsonConverter',
    ].join('\n'),
  );
  const child = await startWorker(
    workerFile,
    process.env.BENCH_WORKER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS } : {},
  );
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(async () => (await fetch(`${url}/`)).ok);
  await post(`${url}/connectors`, { name, config });
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

const startDbz = (name, config) => startDebezium({ dir, name, config, heap: '2g' });

/** Times a connector process from its slot becoming active until `done()`; returns { secs, rss }. */
async function timed(proc, slotName, done) {
  try {
    await waitUntil(
      async () => {
        if (!proc.alive()) throw new Error(`${slotName}: the process under test exited`);
        return (await slot(slotName))?.active === true;
      },
      180_000,
      10,
    );
    const started = process.hrtime.bigint();
    await waitUntil(
      async () => {
        if (!proc.alive()) throw new Error(`${slotName}: the process under test exited`);
        return done();
      },
      3_600_000,
      100,
    );
    return { secs: Number(process.hrtime.bigint() - started) / 1e9, rss: peakRssMb(proc.child.pid) };
  } finally {
    await proc.stop();
  }
}

async function oursKafka() {
  const prefix = `bench_${run}_ours`;
  const proc = await startOurs('bench-ours', connectorConfig(prefix, 'bench_ours', 'bench_pub'), true);
  return timed(proc, 'bench_ours', async () => (await recordsIn(`${prefix}.public.events`)) >= ROWS);
}

/** Exactly once (standalone on Kafka), done when the slot is confirmed: only after the last transaction committed. */
async function oursEos(boundary) {
  const slotName = boundary === 'poll' ? 'bench_eos' : 'bench_eosc';
  const config = connectorConfig(`bench_${run}_${slotName}`, slotName, 'bench_pub', {
    'exactly.once.support': 'required',
    'transaction.boundary': boundary,
  });
  const proc = await startOurs(`bench-${slotName}`, config, true, true);
  return timed(proc, slotName, async () => (await slot(slotName))?.ok === true);
}

async function oursEmbedded() {
  const proc = await startOurs('bench-emb', connectorConfig(`bench_${run}_emb`, 'bench_emb', 'bench_pub'), false);
  return timed(proc, 'bench_emb', async () => (await slot('bench_emb'))?.ok === true);
}

async function debezium() {
  const prefix = `bench_${run}_dbz`;
  const proc = await startDbz('bench-dbz', connectorConfig(prefix, 'bench_dbz', 'bench_pub'));
  return timed(proc, 'bench_dbz', async () => (await recordsIn(`${prefix}.public.events`)) >= ROWS);
}

async function ceiling() {
  const started = process.hrtime.bigint();
  const child = spawn(
    'pg_recvlogical',
    [
      '-h',
      PG.host,
      '-p',
      String(PG.port),
      '-U',
      PG.user,
      '-d',
      DB,
      '-S',
      'bench_raw',
      '--start',
      '-o',
      'proto_version=1',
      '-o',
      'publication_names=bench_pub',
      '-E',
      target,
      '-f',
      '/dev/null',
      '-F',
      '0',
    ],
    { env: { ...process.env, PGPASSWORD: PG.password }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  let rss = 0;
  // A zombie has no VmHWM line (NaN): keep the last real reading.
  const t = setInterval(() => {
    try {
      const v = peakRssMb(child.pid);
      if (!Number.isNaN(v)) rss = Math.max(rss, v);
    } catch {
      /* exited */
    }
  }, 20);
  await new Promise((r) => child.once('exit', r));
  clearInterval(t);
  return { secs: Number(process.hrtime.bigint() - started) / 1e9, rss };
}

/**
 * Steady LAT_RATE single-row inserts/s for LAT_SECS s into `lat` while `start` runs a connector (snapshot
 * off, its own new slot); a kafkajs consumer notes when each record arrives. Returns latency percentiles (ms).
 */
async function latency(who, start) {
  const prefix = `bench_${run}_lat_${who}`;
  const topic = `${prefix}.public.lat`;
  const slotName = `bench_lat_${who}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  const samples = [];
  const consumer = kafka.consumer({ groupId: `bench-lat-${run}-${who}`, maxWaitTimeInMs: 50, minBytes: 1 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const now = Date.now();
      for (const m of batch.messages) {
        // The first ts_ms of the payload is source.ts_ms (the commit time): before and after come first.
        const ts = m.value && /"payload":.*?"ts_ms":(\d+)/s.exec(m.value.toString('utf8'));
        if (ts) samples.push(now - Number(ts[1]));
      }
    },
  });
  await sql(DB, 'TRUNCATE lat');
  const proc = await start(prefix, connectorConfig(prefix, slotName, 'bench_lat_pub', { 'slot.drop.on.stop': 'true' }));
  try {
    await waitUntil(
      async () => {
        if (!proc.alive()) throw new Error(`${who}: the process under test exited`);
        return (await slot(slotName))?.active === true;
      },
      180_000,
      50,
    );
    // Paced in PostgreSQL: row i commits no earlier than i / LAT_RATE seconds after the start.
    const write = (from, n) =>
      sql(
        DB,
        `DO $$ DECLARE t0 timestamptz := clock_timestamp(); lag float8; BEGIN FOR i IN 1..${n} LOOP
      INSERT INTO lat VALUES (${from} + i, 'sale', (i % 10000) / 100.0); COMMIT;
      IF i % 50 = 0 THEN lag := i::float8 / ${LAT_RATE} - extract(epoch FROM clock_timestamp() - t0); IF lag > 0 THEN PERFORM pg_sleep(lag); END IF; END IF;
    END LOOP; END $$`,
      );
    // Warm-up at the same rate until the connector has caught up (a cold JVM or a slot still being set up
    // would otherwise show as latency), then the measured run.
    const warm = LAT_RATE * LAT_WARMUP_SECS;
    await write(0, warm);
    await waitUntil(async () => samples.length >= warm, 300_000, 100);
    const n = LAT_RATE * LAT_SECS;
    const began = Date.now();
    await write(warm, n);
    const rate = n / ((Date.now() - began) / 1000);
    await waitUntil(async () => samples.length >= warm + n, 300_000, 100);
    const steady = samples.slice(warm).sort((a, b) => a - b);
    const p = (q) => steady[Math.min(steady.length - 1, Math.floor(q * steady.length))];
    return { rate, p50: p(0.5), p99: p(0.99), max: steady[steady.length - 1], n: steady.length };
  } finally {
    await proc.stop();
    await consumer.disconnect();
    await sql(
      'postgres',
      `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '${slotName}' AND NOT active`,
    ).catch(() => {});
  }
}

/** The snapshot tables: SNAP_ROWS rows each, loaded in one statement per table and analyzed. */
async function snapshotTables() {
  const started = Date.now();
  for (const t of SNAP_TABLES) {
    await sql(
      DB,
      `CREATE TABLE ${t} (id bigint PRIMARY KEY, kind text NOT NULL, amount numeric(10,2), created timestamptz NOT NULL DEFAULT now())`,
    );
    await sql(
      DB,
      `INSERT INTO ${t} (id, kind, amount) SELECT i, CASE WHEN i % 3 = 0 THEN 'refund' ELSE 'sale' END, (i % 10000) / 100.0 FROM generate_series(1, ${SNAP_ROWS}) i`,
    );
    await sql(DB, `VACUUM ANALYZE ${t}`);
  }
  await sql(DB, `CREATE PUBLICATION bench_snap_pub FOR TABLE ${SNAP_TABLES.join(', ')}`);
  console.error(
    `# snapshot tables: ${SNAP_TABLES.length} x ${SNAP_ROWS} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

/** One initial snapshot of the 4 tables into Kafka on a new slot; its topics are deleted afterwards. */
async function snapshotRun(who, threads) {
  const prefix = `bench_${run}_snap_${who}${threads}`;
  const slotName = `bench_snap_${who}${threads}`;
  const config = connectorConfig(prefix, slotName, 'bench_snap_pub', {
    'snapshot.mode': 'initial',
    'snapshot.max.threads': String(threads),
    'slot.drop.on.stop': 'true',
  });
  const proc =
    who === 'ours'
      ? await startOurs(`snap-ours-${threads}`, config, true)
      : await startDbz(`snap-dbz-${threads}`, config);
  const total = async () =>
    (await Promise.all(SNAP_TABLES.map((t) => recordsIn(`${prefix}.public.${t}`)))).reduce((a, b) => a + b, 0);
  try {
    // From the slot's creation (the snapshot starts right after it; a slot shows `active` only once streaming
    // starts) until the 4 topics hold every row.
    await waitUntil(
      async () => {
        if (!proc.alive()) throw new Error(`${slotName}: the process under test exited`);
        return (await sql(DB, 'SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slotName])).rowCount > 0;
      },
      180_000,
      10,
    );
    const started = process.hrtime.bigint();
    await waitUntil(async () => (await total()) >= SNAP_TABLES.length * SNAP_ROWS, 3_600_000, 100);
    const r = { secs: Number(process.hrtime.bigint() - started) / 1e9, rss: peakRssMb(proc.child.pid) };
    console.error(`# snapshot ${who} threads=${threads}: ${r.secs.toFixed(1)} s, peak RSS ${r.rss.toFixed(0)} MB`);
    return r;
  } finally {
    await proc.stop();
    await sql(
      'postgres',
      `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '${slotName}' AND NOT active`,
    ).catch(() => {});
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
    if (mine.length) await admin.deleteTopics({ topics: mine }).catch(() => {});
  }
}

async function snapshotPhase() {
  await snapshotTables();
  const rows = [];
  const figures = {};
  for (const [who, threads] of [
    ['ours', 1],
    ['ours', 4],
    ['dbz', 1],
    ['dbz', 4],
  ]) {
    const r = await snapshotRun(who, threads);
    const rate = Math.round((SNAP_TABLES.length * SNAP_ROWS) / r.secs);
    figures[`${who}${threads}`] = { rowsPerSec: rate, secs: Number(r.secs.toFixed(1)), peakRssMb: Math.round(r.rss) };
    rows.push([
      who === 'ours'
        ? `tributary PostgresConnector, snapshot.max.threads=${threads}`
        : `Debezium ${DEBEZIUM_VERSION}, snapshot.max.threads=${threads}`,
      rate,
      r.secs.toFixed(1),
      r.rss.toFixed(0),
    ]);
  }
  console.log(
    `\nbench/postgres-cdc snapshot: initial snapshot of ${SNAP_TABLES.length} tables x ${SNAP_ROWS} rows into Kafka ${BROKER} (JSON+schemas)\n`,
  );
  console.log(table([['', 'rows/s', 'seconds', 'peak RSS MB'], ...rows]));
  const f = figures;
  console.log(
    `\n# snapshot ours/Debezium rows/s: threads=1 ${(f.ours1.rowsPerSec / f.dbz1.rowsPerSec).toFixed(2)}, threads=4 ` +
      `${(f.ours4.rowsPerSec / f.dbz4.rowsPerSec).toFixed(2)}; ours threads=4/threads=1: ${(f.ours4.rowsPerSec / f.ours1.rowsPerSec).toFixed(2)}; ` +
      `ours/Debezium peak RSS (threads=4): ${(f.ours4.peakRssMb / f.dbz4.peakRssMb).toFixed(2)}`,
  );
  console.log(
    JSON.stringify({ bench: 'postgres-cdc-snapshot', tables: SNAP_TABLES.length, rowsPerTable: SNAP_ROWS, ...figures }),
  );
}

let exitCode = 0;
try {
  if (PHASES.has('snapshot')) await snapshotPhase();
  if (!PHASES.has('stream')) throw Object.assign(new Error('stream phase skipped'), { skip: true });
  const raw = await ceiling();
  const ourRun = await oursKafka();
  const dbzRun = await debezium();
  const embRun = process.env.SKIP_EMBEDDED ? null : await oursEmbedded();
  const eosRun = process.env.SKIP_EOS ? null : await oursEos('poll');
  const eoscRun = process.env.SKIP_EOS ? null : await oursEos('connector');
  // The throughput slots hold WAL: drop them before the latency runs.
  await sql(
    'postgres',
    `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '${DB}' AND slot_name LIKE 'bench\\_%' AND NOT active`,
  );
  const latOurs = await latency('ours', (prefix, config) => startOurs(`lat-ours`, config, true));
  const latDbz = await latency('dbz', (prefix, config) => startDbz('lat-dbz', config));

  const rate = (r) => Math.round(ROWS / r.secs);
  const lat = (l) => [`${l.p50} / ${l.p99} / ${l.max}`, Math.round(l.rate)];
  console.log(
    `\nbench/postgres-cdc: ${ROWS} single-row insert transactions (snapshot excluded), PostgreSQL 15 pgoutput, Kafka ${BROKER}; ` +
      `latency at ${LAT_RATE} inserts/s for ${LAT_SECS} s after ${LAT_WARMUP_SECS} s of warm-up\n`,
  );
  console.log(
    table([
      ['', 'events/s', 'seconds', 'peak RSS MB', 'latency p50 / p99 / max ms', 'writes/s reached'],
      [
        'tributary PostgresConnector -> Kafka (JSON+schemas)',
        rate(ourRun),
        ourRun.secs.toFixed(1),
        ourRun.rss.toFixed(0),
        ...lat(latOurs),
      ],
      [
        `Debezium ${DEBEZIUM_VERSION} in Kafka Connect 3.9 -> Kafka (peer)`,
        rate(dbzRun),
        dbzRun.secs.toFixed(1),
        dbzRun.rss.toFixed(0),
        ...lat(latDbz),
      ],
      ...(eosRun
        ? [
            [
              '  the same, exactly once (transaction.boundary=poll)',
              rate(eosRun),
              eosRun.secs.toFixed(1),
              eosRun.rss.toFixed(0),
              '',
              '',
            ],
            [
              '  the same, exactly once (transaction.boundary=connector)',
              rate(eoscRun),
              eoscRun.secs.toFixed(1),
              eoscRun.rss.toFixed(0),
              '',
              '',
            ],
          ]
        : []),
      ...(embRun
        ? [
            [
              'tributary PostgresConnector -> embedded log',
              rate(embRun),
              embRun.secs.toFixed(1),
              embRun.rss.toFixed(0),
              '',
              '',
            ],
          ]
        : []),
      [
        'pg_recvlogical, same slot kind, to /dev/null (ceiling)',
        rate(raw),
        raw.secs.toFixed(1),
        raw.rss.toFixed(0),
        '',
        '',
      ],
    ]),
  );
  console.log(
    `\n# ours/Debezium events/s: ${(rate(ourRun) / rate(dbzRun)).toFixed(2)} (aim >= 1.0); ours/Debezium peak RSS: ` +
      `${(ourRun.rss / dbzRun.rss).toFixed(2)} (aim <= 0.20); ours/ceiling events/s: ${(rate(ourRun) / rate(raw)).toFixed(2)}`,
  );
  if (eosRun)
    console.log(
      `# exactly once / at least once events/s: poll boundary ${(rate(eosRun) / rate(ourRun)).toFixed(2)} (aim >= 0.8), ` +
        `connector boundary ${(rate(eoscRun) / rate(ourRun)).toFixed(2)}`,
    );
  console.log(
    `# writes took ${writeSecs.toFixed(1)} s; load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
} catch (err) {
  if (!err.skip) {
    console.error(`bench/postgres-cdc failed: ${err.stack ?? err}`);
    exitCode = 1;
  }
} finally {
  await sql(
    'postgres',
    `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '${DB}' AND NOT active`,
  ).catch(() => {});
  const mine = (await admin.listTopics()).filter((t) => t.startsWith(`bench_${run}_`));
  if (mine.length) await admin.deleteTopics({ topics: mine }).catch(() => {});
  await admin.disconnect();
  await rm(dir, { recursive: true, force: true });
}
process.exit(exitCode);
