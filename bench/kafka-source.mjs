#!/usr/bin/env node
// bench/kafka-source: 1M records of 100 bytes, file source -> Kafka (the real broker of test/services,
// 127.0.0.1:9092). Prints records/s of
//   ours   a `tributary standalone` worker with bootstrap.servers set, FileStreamSource POSTed over REST
//   raw    a kafkajs producer loop doing the same work: read the file, idempotent producer (acks=all),
//          batches of the size our source task sends, one batch in flight (the ceiling)
//   java   Apache Kafka Connect 3.9's own ConnectStandalone + FileStreamSource (jars from Maven Central,
//          cached under ~/.cache/tributary/dist/connect-<version>, by bench/debezium.mjs)
// on the same file and broker in the same run, each into a fresh topic, timed until the topic holds every
// record (end offsets polled with the kafkajs admin). "steady" times from the first record in the topic,
// so process start-up (a JVM, a Node worker) is left out; "total" includes it.
//   node bench/kafka-source.mjs [records]
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, open, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import { ROOT, freePort, post, startWorker, table, waitUntil } from './lib.mjs';
import { CONNECT_VERSION, connectLib } from './debezium.mjs';

const require = createRequire(join(ROOT, 'packages/connect-runtime/package.json'));
const { Kafka, logLevel } = require('kafkajs');

const RECORDS = Number(process.argv[2] ?? 1_000_000);
const BROKER = '127.0.0.1:9092';
const BATCH = 2000; // FileStreamSource's batch.size default, in Java and in ours
const run = `${Date.now().toString(36)}`;

execFileSync('bash', [join(ROOT, 'test/services/up.sh'), 'kafka'], { stdio: ['ignore', 'inherit', 'inherit'] });
const kafka = new Kafka({ clientId: 'bench-kafka-source', brokers: [BROKER], logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();

const dir = await mkdtemp(join(tmpdir(), 'bench-kafka-source-'));
const input = join(dir, 'in.txt');
const lineOf = (i) => `${String(i).padStart(9, '0')} ${'x'.repeat(89)}`; // 99 chars + newline = 100 bytes
{
  const fh = await open(input, 'w');
  for (let i = 0; i < RECORDS; i += 50_000) {
    let s = '';
    for (let j = i; j < Math.min(RECORDS, i + 50_000); j++) s += lineOf(j) + '\n';
    await fh.write(s);
  }
  await fh.close();
}

async function freshTopic(name) {
  await admin.createTopics({ topics: [{ topic: name, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  return name;
}

async function recordsIn(topic) {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
}

/** Polls the topic until it holds every record; returns { firstAt, doneAt } (ms timestamps). */
async function watch(topic, isAlive = () => true) {
  let firstAt = 0;
  await waitUntil(async () => {
    if (!isAlive()) throw new Error('the process under test exited');
    const n = await recordsIn(topic);
    if (n > 0 && !firstAt) firstAt = Date.now();
    return n >= RECORDS;
  }, 900_000, 25);
  return { firstAt, doneAt: Date.now() };
}

async function raw() {
  const topic = await freshTopic(`bench-raw-${run}`);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const started = Date.now();
  const lines = createInterface({ input: createReadStream(input), crlfDelay: Infinity });
  let batch = [];
  let firstAt = 0;
  for await (const l of lines) {
    batch.push({ key: null, value: Buffer.from(l) });
    if (batch.length === BATCH) {
      await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: batch }] });
      firstAt ||= Date.now();
      batch = [];
    }
  }
  if (batch.length) await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: batch }] });
  const doneAt = Date.now();
  await producer.disconnect();
  if ((await recordsIn(topic)) !== RECORDS) throw new Error('raw: record count mismatch');
  return { name: 'raw kafkajs producer loop (ceiling)', started, firstAt, doneAt };
}

async function ours() {
  const topic = await freshTopic(`bench-ours-${run}`);
  const port = await freePort();
  const workerFile = join(dir, 'worker.properties');
  await writeFile(workerFile, [
    `bootstrap.servers=${BROKER}`, `listeners=http://127.0.0.1:${port}`,
    `offset.storage.file.filename=${join(dir, 'ours.offsets')}`, 'offset.flush.interval.ms=10000',
    'key.converter=org.apache.kafka.connect.storage.StringConverter', 'value.converter=org.apache.kafka.connect.storage.StringConverter',
  ].join('\n'));
  const started = Date.now();
  const child = await startWorker(workerFile);
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(async () => (await fetch(`${url}/`)).ok);
  await post(`${url}/connectors`, {
    name: 'bench-src', config: { 'connector.class': 'FileStreamSource', 'tasks.max': '1', file: input, topic, 'batch.size': String(BATCH) },
  });
  const { firstAt, doneAt } = await watch(topic, () => child.exitCode === null);
  child.kill('SIGTERM');
  return { name: 'tributary standalone (ours)', started, firstAt, doneAt };
}

async function java() {
  const lib = connectLib();
  const topic = await freshTopic(`bench-java-${run}`);
  const port = await freePort();
  const worker = join(dir, 'java-worker.properties');
  const connector = join(dir, 'java-file-source.properties');
  const log4j = join(dir, 'java-log4j.properties');
  writeFileSync(worker, [
    `bootstrap.servers=${BROKER}`, `listeners=http://127.0.0.1:${port}`,
    `offset.storage.file.filename=${join(dir, 'java.offsets')}`, 'offset.flush.interval.ms=10000',
    'key.converter=org.apache.kafka.connect.storage.StringConverter', 'value.converter=org.apache.kafka.connect.storage.StringConverter',
    'plugin.path=',
  ].join('\n'));
  writeFileSync(connector, [
    'name=bench-java-src', 'connector.class=org.apache.kafka.connect.file.FileStreamSourceConnector', 'tasks.max=1',
    `file=${input}`, `topic=${topic}`, `batch.size=${BATCH}`,
  ].join('\n'));
  writeFileSync(log4j, 'log4j.rootLogger=WARN, stderr\nlog4j.appender.stderr=org.apache.log4j.ConsoleAppender\nlog4j.appender.stderr.Target=System.err\nlog4j.appender.stderr.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n\n');
  const started = Date.now();
  const child = spawn('java', ['-Xms256m', '-Xmx1g', `-Dlog4j.configuration=file:${log4j}`, '-cp', `${lib}/*`,
    'org.apache.kafka.connect.cli.ConnectStandalone', worker, connector], { stdio: ['ignore', 'ignore', process.env.BENCH_JAVA_STDERR ? 'inherit' : 'ignore'] });
  try {
    const { firstAt, doneAt } = await watch(topic, () => child.exitCode === null);
    return { name: `Apache Kafka Connect ${CONNECT_VERSION} FileStreamSource`, started, firstAt, doneAt };
  } finally {
    child.kill('SIGTERM');
  }
}

const results = [];
for (const f of [raw, ours, java]) {
  const r = await f();
  results.push(r);
  console.error(`${r.name}: ${((r.doneAt - r.started) / 1000).toFixed(1)} s`);
}
await admin.disconnect();

const rate = (r, from) => RECORDS / ((r.doneAt - from) / 1000);
const [rawR, oursR, javaR] = results;
const rows = [['', 'records/s steady', 'records/s total', 'ours/this (steady)', 'ours/this (total)']];
for (const r of results) {
  rows.push([r.name, Math.round(rate(r, r.firstAt)), Math.round(rate(r, r.started)),
    (rate(oursR, oursR.firstAt) / rate(r, r.firstAt)).toFixed(2), (rate(oursR, oursR.started) / rate(r, r.started)).toFixed(2)]);
}
console.log(`\nbench/kafka-source: ${RECORDS} records of 100 bytes, file -> Kafka ${BROKER}, 1 partition, batches of ${BATCH}\n`);
console.log(table(rows));
console.log(`\nours / raw kafkajs (steady): ${(rate(oursR, oursR.firstAt) / rate(rawR, rawR.firstAt)).toFixed(2)}   (aim >= 0.8)`);
console.log(`ours / Kafka Connect (steady): ${(rate(oursR, oursR.firstAt) / rate(javaR, javaR.firstAt)).toFixed(2)}   (aim >= 1.0)`);
rmSync(dir, { recursive: true, force: true });
