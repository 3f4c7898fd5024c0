#!/usr/bin/env node
// bench/cassandra: N JSON web-log records (the brief's pipeline) from a topic into admintome-shaped
// table bench_cassandra.logs (log_id = now()), through a real worker process driven over REST, beside
// the raw cassandra-driver executing the same prepared INSERT … USING TIMESTAMP statements, grouped
// into the same unlogged per-partition batches with the same concurrency (the ceiling).
//
// Ours is timed from creating the sink connector (the topic already holds every record) until its
// consumer group committed the last offset; raw is timed from the first parsed line to the last ack.
//   node bench/cassandra.mjs [records=500000]   (env: BENCH_CONCURRENCY=500 BENCH_BATCH=32)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, open, stat, writeFile } from 'node:fs/promises';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { ROOT, freePort, peakRssMb, post, startWorker, table, waitUntil } from './lib.mjs';

const require = createRequire(join(ROOT, 'connectors/cassandra-sink/package.json'));
const cassandra = require('cassandra-driver');

const N = Number(process.argv[2] ?? 500_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 500);
const BATCH = Number(process.env.BENCH_BATCH ?? 32);
const TABLE = 'bench_cassandra.logs';
const MAPPING =
  'log_source=value.log.source, log_type=value.log.type, log_id=now(), log=value.log.log, log_datetime=value.log.datetime';
const INSERT = `INSERT INTO ${TABLE} (log_source, log_type, log_id, log, log_datetime) VALUES (?, ?, now(), ?, ?) USING TIMESTAMP ?`;

execFileSync('bash', [join(ROOT, 'test/services/up.sh'), 'cassandra'], { stdio: ['ignore', 'inherit', 'inherit'] });
const client = new cassandra.Client({
  contactPoints: ['127.0.0.1'],
  localDataCenter: 'datacenter1',
  socketOptions: { readTimeout: 120_000 },
});
await client.connect();
await client.execute(
  "CREATE KEYSPACE IF NOT EXISTS bench_cassandra WITH replication = {'class': 'SimpleStrategy', 'replication_factor': '1'} AND durable_writes = true",
);
await client.execute(
  `CREATE TABLE IF NOT EXISTS ${TABLE} (log_source text, log_type text, log_id timeuuid, log text, log_datetime text, PRIMARY KEY ((log_source, log_type), log_id)) WITH CLUSTERING ORDER BY (log_id DESC)`,
);

// The brief's sample entry, varied: 16 sources × 2 types = 32 partitions, ~330 bytes a record.
const sample = JSON.parse(readFileSync(join(ROOT, 'test/e2e/cassandra/www-logs-sample.json'), 'utf8')).log;
const lineOf = (i) =>
  JSON.stringify({
    log: {
      ...sample,
      source: `www${i % 16}`,
      type: i % 7 === 0 ? 'www_error' : sample.type,
      log: `${i} ${sample.log}`,
    },
  });
const dir = await mkdtemp(join(tmpdir(), 'bench-cassandra-'));
const input = join(dir, 'www-logs.json');
{
  const fh = await open(input, 'w');
  for (let i = 0; i < N; i += 50_000) {
    let s = '';
    for (let j = i; j < Math.min(N, i + 50_000); j++) s += lineOf(j) + '\n';
    await fh.write(s);
  }
  await fh.close();
}

async function count() {
  return Number((await client.execute(`SELECT count(*) FROM ${TABLE}`, [], { readTimeout: 120_000 })).rows[0].count);
}

async function ours() {
  await client.execute(`TRUNCATE ${TABLE}`);
  const port = await freePort();
  const workerFile = join(dir, 'worker.properties');
  await writeFile(
    workerFile,
    [
      `listeners=http://127.0.0.1:${port}`,
      `embedded.log.dir=${join(dir, 'worker-log')}`,
      `offset.storage.file.filename=${join(dir, 'connect.offsets')}`,
      'offset.flush.interval.ms=250',
      'key.converter=org.apache.kafka.connect.storage.StringConverter',
      'value.converter=org.apache.kafka.connect.storage.StringConverter',
    ].join('\n'),
  );
  const child = await startWorker(workerFile);
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(async () => (await fetch(`${url}/`)).ok);
  // Fill the topic first, so that the figure is the sink's alone.
  await post(`${url}/connectors`, {
    name: 'src',
    config: { 'connector.class': 'FileStreamSource', file: input, topic: 'www_logs' },
  });
  const size = (await stat(input)).size;
  await waitUntil(
    async () => {
      const o = await (await fetch(`${url}/connectors/src/offsets`)).json();
      return o.offsets?.[0]?.offset?.position >= size;
    },
    600_000,
    200,
  );
  const started = process.hrtime.bigint();
  await post(`${url}/connectors`, {
    name: 'sink',
    config: {
      'connector.class': 'CassandraSink',
      topics: 'www_logs',
      contactPoints: '127.0.0.1',
      'loadBalancing.localDc': 'datacenter1',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
      maxConcurrentRequests: String(CONCURRENCY),
      maxNumberOfRecordsInBatch: String(BATCH),
      [`topic.www_logs.${TABLE}.mapping`]: MAPPING,
    },
  });
  await waitUntil(
    async () => {
      const o = await (await fetch(`${url}/connectors/sink/offsets`)).json();
      return o.offsets?.[0]?.offset?.kafka_offset >= N;
    },
    1_200_000,
    50,
  );
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  const rss = peakRssMb(child.pid);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return { secs, rss, rows: await count() };
}

async function raw() {
  await client.execute(`TRUNCATE ${TABLE}`);
  const lines = readFileSync(input, 'utf8').split('\n');
  lines.pop();
  const started = process.hrtime.bigint();
  // Same work as the sink per batch of 500 records (one poll): parse, bind, group by partition, send.
  const chunks = [];
  for (let i = 0; i < lines.length; i += 500) {
    const groups = new Map();
    const ts = cassandra.types.Long.fromNumber(Date.now() * 1000);
    for (let j = i; j < Math.min(lines.length, i + 500); j++) {
      const { log } = JSON.parse(lines[j]);
      const key = `${log.source}\u0000${log.type}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push({ query: INSERT, params: [log.source, log.type, log.log, log.datetime, ts] });
      if (g.length >= BATCH) {
        chunks.push(g);
        groups.set(key, []);
      }
    }
    for (const g of groups.values()) if (g.length) chunks.push(g);
  }
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const c = chunks[next++];
      if (c.length === 1) await client.execute(c[0].query, c[0].params, { prepare: true });
      else await client.batch(c, { prepare: true, logged: false });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  return { secs, rows: await count() };
}

const load0 = loadavg()[0];
const a = await ours();
const b = await raw();
const load1 = loadavg()[0];
await client.shutdown();
const rate = (r) => Math.round(N / r.secs);
console.log(
  `\nbench/cassandra: ${N} JSON log records → ${TABLE} (log_id = now()), concurrency ${CONCURRENCY}, batch ${BATCH}; load average ${load0.toFixed(1)} → ${load1.toFixed(1)} on ${(await import('node:os')).cpus().length} cores\n`,
);
console.log(
  table([
    ['', 'seconds', 'rows/s', 'rows in table', 'peak RSS MB', 'ratio'],
    [
      'tributary (worker, embedded log → CassandraSink)',
      a.secs.toFixed(2),
      rate(a),
      a.rows,
      a.rss.toFixed(0),
      (rate(a) / rate(b)).toFixed(2),
    ],
    ['raw cassandra-driver (same statements, batches, concurrency)', b.secs.toFixed(2), rate(b), b.rows, '-', '1.00'],
  ]),
);
if (a.rows !== N || b.rows !== N) console.log(`\nWARNING: expected ${N} rows in each run`);
