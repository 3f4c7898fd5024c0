#!/usr/bin/env node
// bench/spooldir: a CSV of N rows of ~100 bytes (default 1M) through the spooldir CSV source into a topic,
// in a real worker process driven over REST, beside the ceiling: a raw loop that streams the same file
// through csv-parse and sends JSON key/values with the connector's file.* headers to the same log with a
// producer (no runtime around it).
// Prints rows/s and peak RSS. BENCH_LOG=kafka: the worker writes to Kafka (127.0.0.1:9092, started by
// test/services/up.sh) and the ceiling is csv-parse + a kafkajs producer (acks=all); default: the embedded
// log, with the log's own producer as the ceiling.
//   node bench/spooldir.mjs [rows]          e.g. 20000000 rows ≈ 2 GB for the memory check
// Env: BENCH_ONLY_OURS=1 skips the ceiling (memory runs); BENCH_WORKER_NODE_OPTIONS is passed to the worker
// as NODE_OPTIONS (e.g. --max-old-space-size=160); BENCH_BATCH sets batch.size (default 2000).
import { createReadStream } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, open, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, freePort, kafkaProducerFor, peakRssMb, post, startWorker, table, waitUntil } from './lib.mjs';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const KAFKA = process.env.BENCH_LOG === 'kafka' ? '127.0.0.1:9092' : null;
const run = Date.now().toString(36);
if (KAFKA) execFileSync('bash', [join(ROOT, 'test/services/up.sh'), 'kafka'], { stdio: ['ignore', 'inherit', 'inherit'] });
const dir = await mkdtemp(join(tmpdir(), 'bench-spooldir-'));
const src = join(dir, 'source');
for (const d of ['source', 'finished', 'error', 'staging']) await mkdir(join(dir, d));
const staged = join(dir, 'staging', 'orders-bench.csv');

const HEADER = 'order_id,customer_id,order_ts,product,order_total_usd';
// ~100 bytes a row: five typed columns, one of them quoted with a comma inside.
const row = (i) => `${i},${(i * 7919) % 100000},2018-02-28T04:40:50Z,"Wine - Sherry Dry Sack, William ${String(i % 1000).padStart(3, '0')} ${'x'.repeat(18)}",${(i % 9973) / 100}`;
{
  const fh = await open(staged, 'w');
  await fh.write(HEADER + '\n');
  const chunk = 50_000;
  for (let i = 1; i <= ROWS; i += chunk) {
    let s = '';
    for (let j = i; j < Math.min(ROWS + 1, i + chunk); j++) s += row(j) + '\n';
    await fh.write(s);
  }
  await fh.close();
}
const bytes = (await stat(staged)).size;

const valueSchema = {
  name: 'com.github.jcustenborder.kafka.connect.model.Value', type: 'STRUCT', isOptional: false, fieldSchemas: {
    order_id: { type: 'INT64', isOptional: false }, customer_id: { type: 'INT64', isOptional: false },
    order_ts: { name: 'org.apache.kafka.connect.data.Timestamp', type: 'INT64', version: 1, isOptional: false },
    product: { type: 'STRING', isOptional: false }, order_total_usd: { type: 'FLOAT64', isOptional: false },
  },
};
const keySchema = { name: 'com.github.jcustenborder.kafka.connect.model.Key', type: 'STRUCT', isOptional: false, fieldSchemas: { order_id: { type: 'INT64', isOptional: false } } };

async function ours() {
  const port = await freePort();
  const workerFile = join(dir, 'worker.properties');
  await writeFile(workerFile, [
    `listeners=http://127.0.0.1:${port}`, `embedded.log.dir=${join(dir, 'worker-log')}`,
    `offset.storage.file.filename=${join(dir, 'connect.offsets')}`, 'offset.flush.interval.ms=1000',
    ...(KAFKA ? [`bootstrap.servers=${KAFKA}`] : []),
    'key.converter=org.apache.kafka.connect.json.JsonConverter', 'key.converter.schemas.enable=false',
    'value.converter=org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable=false',
  ].join('\n'));
  const child = await startWorker(workerFile, process.env.BENCH_WORKER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS } : {});
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(async () => (await fetch(`${url}/`)).ok);
  await post(`${url}/connectors`, {
    name: 'orders', config: {
      'connector.class': 'com.github.jcustenborder.kafka.connect.spooldir.SpoolDirCsvSourceConnector', 'tasks.max': '1',
      'input.path': src, 'finished.path': join(dir, 'finished'), 'error.path': join(dir, 'error'), 'input.file.pattern': '^orders.*\\.csv$',
      topic: KAFKA ? `bench-spooldir-${run}` : 'orders', 'csv.first.row.as.header': 'true', 'halt.on.error': 'false', 'batch.size': process.env.BENCH_BATCH ?? '2000',
      'key.schema': JSON.stringify(keySchema), 'value.schema': JSON.stringify(valueSchema), 'parser.timestamp.date.formats': "yyyy-MM-dd'T'HH:mm:ss",
    },
  });
  const { rename } = await import('node:fs/promises');
  const started = process.hrtime.bigint();
  await rename(staged, join(src, 'orders-bench.csv'));
  // Done when the file is in finished: every row acknowledged and its offset committed.
  await waitUntil(async () => (await readdir(join(dir, 'finished'))).length === 1, 3_600_000, 20);
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  const rss = peakRssMb(child.pid);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return { secs, rss };
}

/** The raw client's send: kafkajs (acks=all) on Kafka, the embedded log's producer otherwise. */
async function rawProducer() {
  if (KAFKA) {
    const topic = `bench-spooldir-raw-${run}`;
    const p = await kafkaProducerFor('bench-spooldir-raw', KAFKA, topic);
    return {
      send: (records) => p.send({ topic, acks: -1, messages: records.map((r) => ({
        key: Buffer.from(r.key), value: Buffer.from(r.value), timestamp: String(r.timestamp),
        headers: Object.fromEntries(r.headers.map((h) => [h.key, Buffer.from(h.value)])),
      })) }),
      close: () => p.disconnect(),
    };
  }
  const { openEmbeddedLog } = await import(pathToFileURL(join(ROOT, 'packages/connect-runtime/dist/index.js')).href);
  const log = await openEmbeddedLog({ dir: join(dir, 'raw-log') });
  const producer = log.producer();
  return { send: (records) => producer.send(records), close: async () => { await producer.close(); await log.close(); } };
}

async function ceiling() {
  const { parse } = await import(pathToFileURL(join(ROOT, 'node_modules/csv-parse/lib/index.js')).href);
  const producer = await rawProducer();
  const enc = { encode: (s) => Buffer.from(s) }; // Buffers, as the runtime hands the log
  const file = join(dir, 'finished', 'orders-bench.csv');
  const started = process.hrtime.bigint();
  const inFlight = new Set();
  let batch = [];
  let header = true;
  const flush = async () => {
    while (inFlight.size >= 4) await Promise.race(inFlight);
    const p = producer.send(batch).finally(() => inFlight.delete(p));
    inFlight.add(p);
    batch = [];
  };
  // The same file.* headers the connector puts on every record (so the same bytes go to the log).
  const st = await stat(file);
  const fileHeaders = [
    ['file.name', 'orders-bench.csv'], ['file.name.without.extension', 'orders-bench'], ['file.path', join(src, 'orders-bench.csv')],
    ['file.parent.dir.name', 'source'], ['file.length', String(st.size)], ['file.last.modified', new Date(st.mtimeMs).toISOString()],
  ].map(([key, v]) => ({ key, value: enc.encode(v) }));
  let n = 0;
  for await (const r of createReadStream(file).pipe(parse({ relax_column_count: true }))) {
    if (header) { header = false; continue; }
    const id = Number(r[0]);
    const value = { order_id: id, customer_id: Number(r[1]), order_ts: Date.parse(r[2]), product: r[3], order_total_usd: Number(r[4]) };
    const headers = [...fileHeaders, { key: 'file.offset', value: enc.encode(String(++n)) }];
    batch.push({ topic: 'raw', key: enc.encode(JSON.stringify({ order_id: id })), value: enc.encode(JSON.stringify(value)), timestamp: Date.now(), headers });
    if (batch.length >= 2000) await flush();
  }
  if (batch.length) await flush();
  await Promise.all(inFlight);
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  await producer.close();
  return { secs, rss: process.memoryUsage().rss / 1e6 };
}

const load0 = loadavg()[0];
const o = await ours();
const c = process.env.BENCH_ONLY_OURS ? null : await ceiling(); // reads the file ours just moved to finished
const rate = (s) => Math.round(ROWS / s);
console.log(`spooldir CSV → ${KAFKA ? `Kafka ${KAFKA}` : 'embedded log'}, ${ROWS} rows, ${(bytes / 1e6).toFixed(0)} MB (${(bytes / ROWS).toFixed(0)} B/row); load average ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)} on ${(await import('node:os')).cpus().length} cores`);
const rows = [
  ['', 'rows/s', 'seconds', 'peak RSS MB', 'ratio'],
  ['tributary spooldir (worker, REST)', rate(o.secs), o.secs.toFixed(1), o.rss.toFixed(0), c ? (rate(o.secs) / rate(c.secs)).toFixed(2) : '-'],
];
if (c) rows.push([KAFKA ? 'raw csv-parse + kafkajs producer loop' : 'raw csv-parse + log producer loop', rate(c.secs), c.secs.toFixed(1), `${c.rss.toFixed(0)} (bench process)`, '1.00']);
console.log(table(rows));
await rm(dir, { recursive: true, force: true });
