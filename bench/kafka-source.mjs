#!/usr/bin/env node
// bench/kafka-source: N records of 100 bytes (default 1M), file source -> Kafka (the real broker of
// test/services, 127.0.0.1:9092), each run into a fresh one-partition topic. Prints records/s of
//   ours     a `tributary standalone` worker with bootstrap.servers set, FileStreamSource POSTed over REST
//   ours-eos the same with exactly.once.source.support=enabled (records and offsets in one transaction per
//            poll batch, offsets in an offsets topic), timed until its committed offset reaches the end of
//            the file (the topic's end counts transaction markers too)
//   raw      @platformatic/kafka (the client under our Kafka log) in a plain loop doing the same work: read
//            the file, an idempotent acks=all producer, requests of 1000 records (the size our producer
//            sends: a task batch of batch.size=2000 split in two), one request in flight, the next one
//            read while it is out (the ceiling for ours)
//   kafkajs  the raw kafkajs loop of before the move (batches of 2000, one sendBatch at a time), kept as
//            a fixed yardstick
//   connect  Apache Kafka Connect 3.9's own ConnectStandalone + FileStreamSource (jars from Maven
//            Central, cached under ~/.cache/tributary/dist/connect-<version>, by bench/debezium.mjs)
// on the same file and broker. Ours and Connect are timed until the topic holds every record (end
// offsets polled with the kafkajs admin); "steady" times from the first record in the topic, so process
// start-up (a JVM, a Node worker) is left out; "total" includes it. The raw loops time themselves.
// CPU seconds: the worker's and the JVM's from /proc (REST POST to done), the raw loops' from this process.
//   npx node bench/kafka-source.mjs [records]
// Env: BENCH_ROUNDS=3 runs the five interleaved three times and prints medians; BENCH_ONLY=ours,raw picks
// runs (raw, kafkajs, ours, eos, connect); BENCH_NODE_FLAGS / TRIBUTARY_V8_FLAGS reach the worker (see lib.mjs), e.g. for --cpu-prof;
// BENCH_WORKER_PROPS adds worker properties, ';'-separated (e.g. producer.compression.type=lz4).
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, rmSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, open, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  ROOT,
  cpuSeconds,
  extraWorkerProps,
  freePort,
  kafkajs,
  loadNote,
  ownCpuSeconds,
  peakRssMb,
  platformaticKafka,
  post,
  startWorker,
  table,
  waitUntil,
} from './lib.mjs';
import { CONNECT_VERSION, connectLib } from './debezium.mjs';

const { Kafka, logLevel } = kafkajs();
const { Producer } = await platformaticKafka();

const RECORDS = Number(process.argv[2] ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;
const BROKER = '127.0.0.1:9092';
const BATCH = 2000; // FileStreamSource's batch.size default, in Java and in ours
const REQUEST = 1000; // records per produce request of our Kafka producer
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

let topics = 0;
async function freshTopic(kind) {
  const name = `bench-${kind}-${run}-${topics++}`;
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
  await waitUntil(
    async () => {
      if (!isAlive()) throw new Error('the process under test exited');
      const n = await recordsIn(topic);
      if (n > 0 && !firstAt) firstAt = Date.now();
      return n >= RECORDS;
    },
    900_000,
    25,
  );
  return { firstAt, doneAt: Date.now() };
}

/** Exactly once: from the first record in the topic until the committed offset reaches the end of the file. */
async function watchCommitted(url, topic, isAlive) {
  let firstAt = 0;
  await waitUntil(
    async () => {
      if (!isAlive()) throw new Error('the process under test exited');
      if (!firstAt && (await recordsIn(topic)) > 0) firstAt = Date.now();
      const r = await (await fetch(`${url}/connectors/bench-src/offsets`)).json();
      return (r.offsets?.[0]?.offset?.position ?? 0) >= RECORDS * 100;
    },
    900_000,
    25,
  );
  return { firstAt, doneAt: Date.now() };
}

const lines = () => createInterface({ input: createReadStream(input), crlfDelay: Infinity });

async function raw() {
  const topic = await freshTopic('raw');
  const producer = new Producer({ clientId: 'bench-raw', bootstrapBrokers: [BROKER], idempotent: true, acks: -1 });
  await producer.metadata({ topics: [topic] });
  const cpu0 = ownCpuSeconds();
  const started = Date.now();
  let firstAt = 0;
  let inFlight = Promise.resolve();
  let messages = [];
  const flush = async () => {
    const now = BigInt(Date.now());
    for (const m of messages) m.timestamp = now;
    const request = { messages };
    messages = [];
    await inFlight; // one request in flight; the next one was read meanwhile
    inFlight = producer.send(request).then(() => {
      firstAt ||= Date.now();
    });
  };
  for await (const l of lines()) {
    messages.push({ topic, partition: 0, value: Buffer.from(l), timestamp: 0n });
    if (messages.length === REQUEST) await flush();
  }
  if (messages.length) await flush();
  await inFlight;
  const doneAt = Date.now();
  const cpu = ownCpuSeconds() - cpu0;
  await producer.close();
  if ((await recordsIn(topic)) !== RECORDS) throw new Error('raw: record count mismatch');
  return {
    key: 'raw',
    name: '@platformatic/kafka raw producer loop (ceiling)',
    started,
    firstAt,
    doneAt,
    cpu,
    rss: NaN,
  };
}

async function kafkajsRaw() {
  const topic = await freshTopic('kafkajs');
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const cpu0 = ownCpuSeconds();
  const started = Date.now();
  let batch = [];
  let firstAt = 0;
  for await (const l of lines()) {
    batch.push({ key: null, value: Buffer.from(l) });
    if (batch.length === BATCH) {
      await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: batch }] });
      firstAt ||= Date.now();
      batch = [];
    }
  }
  if (batch.length) await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: batch }] });
  const doneAt = Date.now();
  const cpu = ownCpuSeconds() - cpu0;
  await producer.disconnect();
  if ((await recordsIn(topic)) !== RECORDS) throw new Error('kafkajs: record count mismatch');
  return {
    key: 'kafkajs',
    name: 'kafkajs 2.2.4 raw producer loop (yardstick)',
    started,
    firstAt,
    doneAt,
    cpu,
    rss: NaN,
  };
}

async function oursEos() {
  return ours(true);
}

async function ours(eos = false) {
  const topic = await freshTopic(eos ? 'ours-eos' : 'ours');
  const port = await freePort();
  const home = join(dir, `ours-${topics}`); // its own connect.configs.json beside its offsets
  await mkdir(home);
  const workerFile = join(home, 'worker.properties');
  await writeFile(
    workerFile,
    [
      `bootstrap.servers=${BROKER}`,
      `listeners=http://127.0.0.1:${port}`,
      `offset.storage.file.filename=${join(home, 'connect.offsets')}`,
      'offset.flush.interval.ms=10000',
      ...(eos
        ? [
            'exactly.once.source.support=enabled',
            `offset.storage.topic=${topic}-offsets`,
            'offset.storage.replication.factor=1',
            'offset.storage.partitions=1',
          ]
        : []),
      'key.converter=org.apache.kafka.connect.storage.StringConverter',
      'value.converter=org.apache.kafka.connect.storage.StringConverter',
      ...extraWorkerProps(),
    ].join('\n'),
  );
  const started = Date.now();
  const child = await startWorker(workerFile);
  const exited = new Promise((r) => child.once('exit', r));
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(async () => (await fetch(`${url}/`)).ok);
  const cpu0 = cpuSeconds(child.pid);
  await post(`${url}/connectors`, {
    name: 'bench-src',
    config: {
      'connector.class': 'FileStreamSource',
      'tasks.max': '1',
      file: input,
      topic,
      'batch.size': String(BATCH),
      ...(eos ? { 'exactly.once.support': 'required' } : {}),
    },
  });
  const { firstAt, doneAt } = eos
    ? await watchCommitted(url, topic, () => child.exitCode === null)
    : await watch(topic, () => child.exitCode === null);
  const cpu = cpuSeconds(child.pid) - cpu0;
  const rss = peakRssMb(child.pid);
  child.kill('SIGTERM');
  await exited; // a --cpu-prof profile is written on the way out
  return eos
    ? { key: 'eos', name: 'ours, exactly once (poll boundary)', started, firstAt, doneAt, cpu, rss }
    : { key: 'ours', name: 'tributary standalone (ours)', started, firstAt, doneAt, cpu, rss };
}

async function connect() {
  const lib = connectLib();
  const topic = await freshTopic('connect');
  const port = await freePort();
  const worker = join(dir, 'java-worker.properties');
  const connector = join(dir, 'java-file-source.properties');
  const log4j = join(dir, 'java-log4j.properties');
  writeFileSync(
    worker,
    [
      `bootstrap.servers=${BROKER}`,
      `listeners=http://127.0.0.1:${port}`,
      `offset.storage.file.filename=${join(dir, `java-${topics}.offsets`)}`,
      'offset.flush.interval.ms=10000',
      'key.converter=org.apache.kafka.connect.storage.StringConverter',
      'value.converter=org.apache.kafka.connect.storage.StringConverter',
      'plugin.path=',
    ].join('\n'),
  );
  writeFileSync(
    connector,
    [
      'name=bench-java-src',
      'connector.class=org.apache.kafka.connect.file.FileStreamSourceConnector',
      'tasks.max=1',
      `file=${input}`,
      `topic=${topic}`,
      `batch.size=${BATCH}`,
    ].join('\n'),
  );
  writeFileSync(
    log4j,
    'log4j.rootLogger=WARN, stderr\nlog4j.appender.stderr=org.apache.log4j.ConsoleAppender\nlog4j.appender.stderr.Target=System.err\nlog4j.appender.stderr.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n\n',
  );
  const started = Date.now();
  const child = spawn(
    'java',
    [
      '-Xms256m',
      '-Xmx1g',
      `-Dlog4j.configuration=file:${log4j}`,
      '-cp',
      `${lib}/*`,
      'org.apache.kafka.connect.cli.ConnectStandalone',
      worker,
      connector,
    ],
    { stdio: ['ignore', 'ignore', process.env.BENCH_JAVA_STDERR ? 'inherit' : 'ignore'] },
  );
  const exited = new Promise((r) => child.once('exit', r));
  try {
    const { firstAt, doneAt } = await watch(topic, () => child.exitCode === null);
    return {
      key: 'connect',
      name: `Apache Kafka Connect ${CONNECT_VERSION} FileStreamSource`,
      started,
      firstAt,
      doneAt,
      cpu: cpuSeconds(child.pid),
      rss: peakRssMb(child.pid),
      cpuNote: ' (incl. JVM start)',
    };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const runs = [raw, kafkajsRaw, ours, oursEos, connect].filter(
  (f) =>
    !ONLY || ONLY.has({ raw: 'raw', kafkajsRaw: 'kafkajs', ours: 'ours', oursEos: 'eos', connect: 'connect' }[f.name]),
);
const byKey = new Map();
const loads = [];
for (let round = 0; round < ROUNDS; round++) {
  for (const f of runs) {
    const load = loadNote();
    const r = await f();
    r.load = load;
    loads.push(`${r.key}#${round + 1}: ${load}`);
    (byKey.get(r.key) ?? byKey.set(r.key, []).get(r.key)).push(r);
    const steady = RECORDS / ((r.doneAt - r.firstAt) / 1000);
    console.error(
      `${r.name}: ${Math.round(steady)} rec/s steady, ${((r.doneAt - r.started) / 1000).toFixed(1)} s total, ${r.cpu.toFixed(1)} CPU s (${load})`,
    );
  }
}
await admin.disconnect();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const steadyOf = (r) => RECORDS / ((r.doneAt - r.firstAt) / 1000);
const totalOf = (r) => RECORDS / ((r.doneAt - r.started) / 1000);
const fig = new Map(
  [...byKey].map(([k, rs]) => [
    k,
    {
      name: rs[0].name,
      steady: median(rs.map(steadyOf)),
      total: median(rs.map(totalOf)),
      cpu: median(rs.map((r) => r.cpu)),
      rss: median(rs.map((r) => r.rss)),
      cpuNote: rs[0].cpuNote ?? '',
    },
  ]),
);
const o = fig.get('ours');
const ratio = (k) => (o && fig.get(k) ? o.steady / fig.get(k).steady : NaN);
const rows = [
  ['', 'records/s steady', 'records/s total', 'CPU s', 'CPU µs/record', 'peak RSS MB', 'ours/this (steady)'],
];
for (const [k, f] of fig) {
  rows.push([
    f.name,
    Math.round(f.steady),
    Math.round(f.total),
    f.cpu.toFixed(1) + f.cpuNote,
    ((f.cpu / RECORDS) * 1e6).toFixed(2),
    Number.isNaN(f.rss) ? '-' : f.rss.toFixed(0),
    ratio(k).toFixed(2),
  ]);
}
console.log(
  `\nbench/kafka-source: ${RECORDS} records of 100 bytes, file -> Kafka ${BROKER}, 1 partition, batch.size ${BATCH}, ${REQUEST} records a request${ROUNDS > 1 ? `, medians of ${ROUNDS} interleaved rounds` : ''}\n`,
);
console.log(table(rows));
console.log(`\n${loads.join('\n')}`);
const aim = (label, k, want) =>
  fig.has(k) && console.log(`ours / ${label} (steady): ${ratio(k).toFixed(2)}   (aim >= ${want})`);
aim('raw @platformatic/kafka', 'raw', 0.8);
aim('raw kafkajs', 'kafkajs', 1.5);
aim('Kafka Connect', 'connect', 2.0);
const eosRatio = fig.has('eos') && o ? fig.get('eos').steady / o.steady : NaN;
if (Number.isFinite(eosRatio))
  console.log(`exactly once / at least once (steady): ${eosRatio.toFixed(2)}   (aim >= 0.8)`);
const r0 = (k, f) => (fig.has(k) ? Math.round(f(fig.get(k))) : null);
const r2 = (x) => (Number.isFinite(x) ? Number(x.toFixed(2)) : null);
console.log(
  JSON.stringify({
    bench: 'kafka-source',
    records: RECORDS,
    rounds: ROUNDS,
    ours_per_s: r0('ours', (f) => f.steady),
    raw_per_s: r0('raw', (f) => f.steady),
    kafkajs_raw_per_s: r0('kafkajs', (f) => f.steady),
    connect_per_s: r0('connect', (f) => f.steady),
    ours_total_per_s: r0('ours', (f) => f.total),
    connect_total_per_s: r0('connect', (f) => f.total),
    peak_rss_mb: r0('ours', (f) => f.rss),
    connect_peak_rss_mb: r0('connect', (f) => f.rss),
    ours_cpu_s: r2(fig.get('ours')?.cpu),
    raw_cpu_s: r2(fig.get('raw')?.cpu),
    kafkajs_raw_cpu_s: r2(fig.get('kafkajs')?.cpu),
    connect_cpu_s: r2(fig.get('connect')?.cpu),
    ours_over_raw: r2(ratio('raw')),
    ours_over_kafkajs_raw: r2(ratio('kafkajs')),
    ours_over_connect: r2(ratio('connect')),
    eos_per_s: r0('eos', (f) => f.steady),
    eos_cpu_s: r2(fig.get('eos')?.cpu),
    eos_over_ours: r2(eosRatio),
  }),
);
rmSync(dir, { recursive: true, force: true });
