#!/usr/bin/env node
// bench/spooldir: a CSV of N rows of ~100 bytes (default 1M) through the spooldir CSV source into a topic,
// in a real worker process driven over REST, on the embedded log and on Kafka (127.0.0.1:9092, started
// by test/services/up.sh), each beside its ceiling: a raw loop that streams the same file through
// csv-parse and sends JSON key/values with the connector's file.* headers to the same log (no runtime
// around it): the embedded log's own producer, or @platformatic/kafka (the client under our Kafka log;
// idempotent, acks=all, requests of 1000 records, one in flight).
// Prints rows/s, CPU seconds and peak RSS of each, Kafka/embedded, and a JSON line.
//   npx node bench/spooldir.mjs [rows]          e.g. 20000000 rows ≈ 2 GB for the memory check
// Env: BENCH_LOG=embedded|kafka runs one log only (default both); BENCH_ONLY_OURS=1 skips the ceilings
// (memory runs); BENCH_WORKER_NODE_OPTIONS is passed to the worker as NODE_OPTIONS (e.g.
// --max-old-space-size=160); BENCH_BATCH sets batch.size (default 2000); BENCH_WORKER_PROPS adds worker
// properties, ';'-separated (e.g. producer.compression.type=lz4).
import { createReadStream } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ROOT,
  cpuSeconds,
  extraWorkerProps,
  freePort,
  loadNote,
  ownCpuSeconds,
  peakRssMb,
  platformaticKafka,
  post,
  startWorker,
  table,
  waitUntil,
} from './lib.mjs';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const KAFKA = '127.0.0.1:9092';
const LOGS = process.env.BENCH_LOG ? [process.env.BENCH_LOG] : ['embedded', 'kafka'];
const run = Date.now().toString(36);
if (LOGS.includes('kafka'))
  execFileSync('bash', [join(ROOT, 'test/services/up.sh'), 'kafka'], { stdio: ['ignore', 'inherit', 'inherit'] });
const dir = await mkdtemp(join(tmpdir(), 'bench-spooldir-'));
const src = join(dir, 'source');
for (const d of ['source', 'finished', 'error', 'staging']) await mkdir(join(dir, d));
const master = join(dir, 'orders-master.csv');

const HEADER = 'order_id,customer_id,order_ts,product,order_total_usd';
// ~100 bytes a row: five typed columns, one of them quoted with a comma inside.
const row = (i) =>
  `${i},${(i * 7919) % 100000},2018-02-28T04:40:50Z,"Wine - Sherry Dry Sack, William ${String(i % 1000).padStart(3, '0')} ${'x'.repeat(18)}",${(i % 9973) / 100}`;
{
  const fh = await open(master, 'w');
  await fh.write(HEADER + '\n');
  const chunk = 50_000;
  for (let i = 1; i <= ROWS; i += chunk) {
    let s = '';
    for (let j = i; j < Math.min(ROWS + 1, i + chunk); j++) s += row(j) + '\n';
    await fh.write(s);
  }
  await fh.close();
}
const bytes = (await stat(master)).size;

const valueSchema = {
  name: 'com.github.jcustenborder.kafka.connect.model.Value',
  type: 'STRUCT',
  isOptional: false,
  fieldSchemas: {
    order_id: { type: 'INT64', isOptional: false },
    customer_id: { type: 'INT64', isOptional: false },
    order_ts: { name: 'org.apache.kafka.connect.data.Timestamp', type: 'INT64', version: 1, isOptional: false },
    product: { type: 'STRING', isOptional: false },
    order_total_usd: { type: 'FLOAT64', isOptional: false },
  },
};
const keySchema = {
  name: 'com.github.jcustenborder.kafka.connect.model.Key',
  type: 'STRUCT',
  isOptional: false,
  fieldSchemas: { order_id: { type: 'INT64', isOptional: false } },
};

let runs = 0;
async function ours(log) {
  const n = runs++;
  const port = await freePort();
  const home = join(dir, `worker-${n}`); // its own connect.configs.json beside its offsets
  await mkdir(home);
  const workerFile = join(home, 'worker.properties');
  const finished = join(dir, 'finished');
  await writeFile(
    workerFile,
    [
      `listeners=http://127.0.0.1:${port}`,
      `embedded.log.dir=${join(home, 'log')}`,
      `offset.storage.file.filename=${join(home, 'connect.offsets')}`,
      'offset.flush.interval.ms=1000',
      ...(log === 'kafka' ? [`bootstrap.servers=${KAFKA}`] : []),
      'key.converter=org.apache.kafka.connect.json.JsonConverter',
      'key.converter.schemas.enable=false',
      'value.converter=org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable=false',
      ...extraWorkerProps(),
    ].join('\n'),
  );
  const child = await startWorker(
    workerFile,
    process.env.BENCH_WORKER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS } : {},
  );
  const exited = new Promise((r) => child.once('exit', r));
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(async () => (await fetch(`${url}/`)).ok);
  const name = `orders-bench-${n}.csv`;
  const staged = join(dir, 'staging', name);
  await copyFile(master, staged);
  await post(`${url}/connectors`, {
    name: 'orders',
    config: {
      'connector.class': 'com.github.jcustenborder.kafka.connect.spooldir.SpoolDirCsvSourceConnector',
      'tasks.max': '1',
      'input.path': src,
      'finished.path': finished,
      'error.path': join(dir, 'error'),
      'input.file.pattern': '^orders.*\\.csv$',
      topic: log === 'kafka' ? `bench-spooldir-${run}-${n}` : 'orders',
      'csv.first.row.as.header': 'true',
      'halt.on.error': 'false',
      'batch.size': process.env.BENCH_BATCH ?? '2000',
      'key.schema': JSON.stringify(keySchema),
      'value.schema': JSON.stringify(valueSchema),
      'parser.timestamp.date.formats': "yyyy-MM-dd'T'HH:mm:ss",
    },
  });
  const load = loadNote();
  const cpu0 = cpuSeconds(child.pid);
  const started = process.hrtime.bigint();
  await rename(staged, join(src, name));
  // Done when the file is in finished: every row acknowledged and its offset committed.
  await waitUntil(async () => (await readdir(finished)).includes(name), 3_600_000, 20);
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = cpuSeconds(child.pid) - cpu0;
  const rss = peakRssMb(child.pid);
  child.kill('SIGTERM');
  await exited; // a --cpu-prof profile is written on the way out
  await rm(join(finished, name), { force: true });
  return { secs, cpu, rss, load };
}

/** The raw client's send: @platformatic/kafka (idempotent, acks=all) on Kafka, the embedded log's producer otherwise. */
async function rawProducer(log) {
  if (log === 'kafka') {
    const topic = `bench-spooldir-raw-${run}`;
    const { Producer } = await platformaticKafka();
    const p = new Producer({
      clientId: 'bench-spooldir-raw',
      bootstrapBrokers: [KAFKA],
      idempotent: true,
      acks: -1,
      autocreateTopics: true,
    });
    await p.metadata({ topics: [topic], autocreateTopics: true });
    let inFlight = Promise.resolve();
    const sendRequest = (records) => {
      const timestamp = BigInt(Date.now());
      const messages = records.map((r) => ({
        topic,
        partition: 0,
        key: r.key,
        value: r.value,
        timestamp,
        headers: new Map(r.headers.map((h) => [Buffer.from(h.key), h.value])),
      }));
      const sent = inFlight.then(() => p.send({ messages })); // one request in flight, in order, as our producer sends
      inFlight = sent.catch(() => {});
      return sent;
    };
    return {
      send: async (records) => {
        for (let i = 0; i < records.length; i += 1000) await sendRequest(records.slice(i, i + 1000));
      },
      close: () => p.close(),
    };
  }
  const { openEmbeddedLog } = await import(pathToFileURL(join(ROOT, 'packages/connect-runtime/dist/index.js')).href);
  const embedded = await openEmbeddedLog({ dir: join(dir, 'raw-log') });
  const producer = embedded.producer();
  return {
    send: (records) => producer.send(records),
    close: async () => {
      await producer.close();
      await embedded.close();
    },
  };
}

async function ceiling(log) {
  const { parse } = await import(pathToFileURL(join(ROOT, 'node_modules/csv-parse/lib/index.js')).href);
  const producer = await rawProducer(log);
  const load = loadNote();
  const cpu0 = ownCpuSeconds();
  const enc = { encode: (s) => Buffer.from(s) }; // Buffers, as the runtime hands the log
  const file = master;
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
    ['file.name', 'orders-bench-0.csv'],
    ['file.name.without.extension', 'orders-bench-0'],
    ['file.path', join(src, 'orders-bench-0.csv')],
    ['file.parent.dir.name', 'source'],
    ['file.length', String(st.size)],
    ['file.last.modified', new Date(st.mtimeMs).toISOString()],
  ].map(([key, v]) => ({ key, value: enc.encode(v) }));
  let n = 0;
  for await (const r of createReadStream(file).pipe(parse({ relax_column_count: true }))) {
    if (header) {
      header = false;
      continue;
    }
    const id = Number(r[0]);
    const value = {
      order_id: id,
      customer_id: Number(r[1]),
      order_ts: Date.parse(r[2]),
      product: r[3],
      order_total_usd: Number(r[4]),
    };
    const headers = [...fileHeaders, { key: 'file.offset', value: enc.encode(String(++n)) }];
    batch.push({
      topic: 'raw',
      key: enc.encode(JSON.stringify({ order_id: id })),
      value: enc.encode(JSON.stringify(value)),
      timestamp: Date.now(),
      headers,
    });
    if (batch.length >= 2000) await flush();
  }
  if (batch.length) await flush();
  await Promise.all(inFlight);
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = ownCpuSeconds() - cpu0;
  await producer.close();
  return { secs, cpu, rss: process.memoryUsage().rss / 1e6, load };
}

const results = {};
for (const log of LOGS) {
  const o = await ours(log);
  const c = process.env.BENCH_ONLY_OURS ? null : await ceiling(log);
  results[log] = { o, c };
}
const rate = (s) => Math.round(ROWS / s);
console.log(
  `spooldir CSV → ${LOGS.join(' and ')}, ${ROWS} rows, ${(bytes / 1e6).toFixed(0)} MB (${(bytes / ROWS).toFixed(0)} B/row)`,
);
const rows = [['', 'rows/s', 'seconds', 'CPU s', 'CPU µs/row', 'peak RSS MB', 'ours/ceiling', 'load (1/5/15 min)']];
const perRow = (cpu) => ((cpu / ROWS) * 1e6).toFixed(2);
for (const [log, { o, c }] of Object.entries(results)) {
  rows.push([
    `tributary spooldir, ${log} log (worker, REST)`,
    rate(o.secs),
    o.secs.toFixed(1),
    o.cpu.toFixed(1),
    perRow(o.cpu),
    o.rss.toFixed(0),
    c ? (rate(o.secs) / rate(c.secs)).toFixed(2) : '-',
    o.load,
  ]);
  if (c)
    rows.push([
      log === 'kafka' ? '  raw csv-parse + @platformatic/kafka loop' : '  raw csv-parse + embedded log producer loop',
      rate(c.secs),
      c.secs.toFixed(1),
      c.cpu.toFixed(1),
      perRow(c.cpu),
      `${c.rss.toFixed(0)} (bench process)`,
      '1.00',
      c.load,
    ]);
}
console.log(table(rows));
const e = results.embedded;
const k = results.kafka;
if (e && k) console.log(`\nKafka / embedded (ours): ${(rate(k.o.secs) / rate(e.o.secs)).toFixed(2)}   (aim >= 0.8)`);
const r2 = (x) => Number(x.toFixed(2));
console.log(
  JSON.stringify({
    bench: 'spooldir',
    rows: ROWS,
    embedded_per_s: e ? rate(e.o.secs) : null,
    kafka_per_s: k ? rate(k.o.secs) : null,
    kafka_over_embedded: e && k ? r2(rate(k.o.secs) / rate(e.o.secs)) : null,
    embedded_ceiling_per_s: e?.c ? rate(e.c.secs) : null,
    kafka_ceiling_per_s: k?.c ? rate(k.c.secs) : null,
    embedded_cpu_s: e ? r2(e.o.cpu) : null,
    kafka_cpu_s: k ? r2(k.o.cpu) : null,
    embedded_peak_rss_mb: e ? Math.round(e.o.rss) : null,
    kafka_peak_rss_mb: k ? Math.round(k.o.rss) : null,
  }),
);
await rm(dir, { recursive: true, force: true });
