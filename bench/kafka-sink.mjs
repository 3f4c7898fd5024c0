#!/usr/bin/env node
// bench/kafka-sink: is consuming from Kafka the bottleneck of a sink? N records of 100 bytes (default 1M)
// are loaded into a fresh one-partition topic of the real broker (127.0.0.1:9092) first (not timed), then
// read by
//   ours     a `tributary standalone` worker with bootstrap.servers, a sink connector POSTed over REST:
//            BENCH_SINK=file (default) FileStreamSink into a local file, the cheapest sink there is (so
//            the consumer's share is at its largest), or BENCH_SINK=s3 the S3 sink (JSON, gzip) into the
//            MinIO of test/services
//   raw      @platformatic/kafka's public fetch() in a plain loop, as our consumer calls it (one fetch in
//            flight, fetch.max.bytes 16 MiB, max.partition.fetch.bytes 1 MiB), every key and value touched
//   kafkajs  a kafkajs 2.2.4 consumer (eachBatch), the yardstick
// Each reader runs in its own Node process under --cpu-prof; its CPU profile is split into the consumer
// (@platformatic/kafka or kafkajs and our log/kafka consumer code), GC, and the rest (the sink, converters,
// the runtime) by its samples within the measured window, and those shares of the measured CPU are printed
// per record, the consumer's beside the raw clients'. CPU seconds are the process's own, all threads (/proc or process.cpuUsage),
// from the start of reading to its end (ours: from the POST).
// Ours is timed from the POST until the output holds every record (file: its size; s3: the connector's
// committed offset, offset.flush.interval.ms=1000); raw loops from their first record to their last.
//   npx node bench/kafka-sink.mjs [records]      (BENCH_KEEP=1 keeps the CPU profiles; BENCH_WORKER_PROPS
//   adds worker properties, ';'-separated)
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

const BROKER = '127.0.0.1:9092';
const KIB = 1024;

// ---- child mode: one raw consumer loop, under --cpu-prof; prints one JSON line ----
if (process.argv[2] === '--child') {
  const [, , , which, topic, n] = process.argv;
  const N = Number(n);
  const out = which === 'raw' ? await rawLoop(topic, N) : await kafkajsLoop(topic, N);
  console.log(JSON.stringify(out));
  process.exit(0);
}

async function rawLoop(topic, N) {
  const { Consumer } = await platformaticKafka();
  const client = new Consumer({
    clientId: 'bench-sink-raw',
    groupId: `bench-sink-raw-${topic}`,
    bootstrapBrokers: [BROKER],
  });
  const md = await client.metadata({ topics: [topic] });
  const t = md.topics.get(topic);
  const node = t.partitions[0].leader;
  let offset = 0;
  let count = 0;
  let bytes = 0;
  let cpu0 = 0;
  let t0 = 0n;
  while (count < N) {
    const response = await client.fetch({
      node,
      maxWaitTime: 500,
      minBytes: 1,
      maxBytes: 16 * KIB * KIB,
      isolationLevel: 0,
      topics: [
        {
          topicId: t.id,
          partitions: [
            {
              partition: 0,
              fetchOffset: BigInt(offset),
              partitionMaxBytes: KIB * KIB,
              currentLeaderEpoch: -1,
              lastFetchedEpoch: -1,
            },
          ],
        },
      ],
    });
    for (const batch of response.responses[0].partitions[0].records ?? []) {
      const base = Number(batch.firstOffset);
      for (const r of batch.records) {
        if (base + r.offsetDelta < offset) continue;
        bytes += (r.key?.length ?? 0) + r.value.length;
        count++;
      }
      offset = Math.max(offset, base + batch.lastOffsetDelta + 1);
    }
    if (!t0 && count > 0) {
      t0 = process.hrtime.bigint();
      cpu0 = ownCpuSeconds();
    }
  }
  const t1 = process.hrtime.bigint();
  const cpu = ownCpuSeconds() - cpu0;
  await client.close();
  return {
    count,
    bytes,
    secs: Number(t1 - t0) / 1e9,
    cpu,
    rss: peakRssMb(process.pid),
    fromUs: Number(t0 / 1000n),
    toUs: Number(t1 / 1000n),
  };
}

async function kafkajsLoop(topic, N) {
  const { Kafka, logLevel } = kafkajs();
  const kafka = new Kafka({ clientId: 'bench-sink-kafkajs', brokers: [BROKER], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({
    groupId: `bench-sink-kafkajs-${topic}`,
    maxBytes: 16 * KIB * KIB,
    maxBytesPerPartition: KIB * KIB,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let count = 0;
  let bytes = 0;
  let cpu0 = 0;
  let t0 = 0n;
  let done;
  const finished = new Promise((r) => {
    done = r;
  });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      if (!t0) {
        t0 = process.hrtime.bigint();
        cpu0 = ownCpuSeconds();
      }
      for (const m of batch.messages) {
        bytes += (m.key?.length ?? 0) + m.value.length;
        count++;
      }
      if (count >= N) done();
    },
  });
  await finished;
  const t1 = process.hrtime.bigint();
  const cpu = ownCpuSeconds() - cpu0;
  await consumer.disconnect();
  return {
    count,
    bytes,
    secs: Number(t1 - t0) / 1e9,
    cpu,
    rss: peakRssMb(process.pid),
    fromUs: Number(t0 / 1000n),
    toUs: Number(t1 / 1000n),
  };
}

// ---- main ----
const N = Number(process.argv[2] ?? 1_000_000);
const SINK = process.env.BENCH_SINK ?? 'file';
const run = Date.now().toString(36);
execFileSync('bash', [join(ROOT, 'test/services/up.sh'), 'kafka', ...(SINK === 's3' ? ['s3'] : [])], {
  stdio: ['ignore', 'inherit', 'inherit'],
});
const dir = await mkdtemp(join(tmpdir(), 'bench-kafka-sink-'));
const topic = `bench-sink-${run}`;
const valueOf = (i) => `{"k":${i % 8},"seq":"${String(i).padStart(9, '0')}","msg":"${'x'.repeat(66)}"}`; // 100 bytes of JSON

async function preload() {
  const { Producer } = await platformaticKafka();
  const producer = new Producer({
    clientId: 'bench-sink-preload',
    bootstrapBrokers: [BROKER],
    idempotent: true,
    acks: -1,
    autocreateTopics: true,
  });
  await producer.metadata({ topics: [topic], autocreateTopics: true });
  for (let i = 0; i < N; i += 1000) {
    const messages = [];
    for (let j = i; j < Math.min(N, i + 1000); j++)
      messages.push({ topic, partition: 0, value: Buffer.from(valueOf(j)) });
    await producer.send({ messages });
  }
  await producer.close();
}

/**
 * Main-thread time of a .cpuprofile between two monotonic instants (µs, the clock of process.hrtime,
 * which V8's profiler shares), split into consumer, GC and the rest (seconds).
 */
function splitProfile(file, fromUs, toUs) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const out = { consumer: 0, gc: 0, idle: 0, rest: 0 };
  let at = p.startTime;
  const consumerUrl =
    /node_modules\/(@platformatic\/kafka|@platformatic\/dynamic-buffer|kafkajs)\/|connect-runtime\/dist\/log\/kafka\/(consumer|fetched-records|record-buffer|group-member)\.js/;
  for (let i = 0; i < p.samples.length; i++) {
    at += p.timeDeltas[i] ?? 0;
    if (at < fromUs || at > toUs) continue;
    const cf = byId.get(p.samples[i]).callFrame;
    const dt = (p.timeDeltas[i + 1] ?? 0) / 1e6; // the time until the next sample
    if (cf.functionName === '(garbage collector)') out.gc += dt;
    else if (cf.functionName === '(idle)') out.idle += dt;
    else if (consumerUrl.test(cf.url)) out.consumer += dt;
    else out.rest += dt;
  }
  return out;
}

async function latestProfile(profDir, fromUs, toUs) {
  const files = (await readdir(profDir)).filter((f) => f.endsWith('.cpuprofile')).sort();
  return splitProfile(join(profDir, files[files.length - 1]), fromUs, toUs);
}

async function child(which) {
  const profDir = join(dir, `prof-${which}`);
  await mkdir(profDir);
  const load = loadNote();
  const p = spawn(
    process.execPath,
    ['--cpu-prof', `--cpu-prof-dir=${profDir}`, new URL(import.meta.url).pathname, '--child', which, topic, String(N)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let stdout = '';
  p.stdout.on('data', (d) => {
    stdout += d;
  });
  const code = await new Promise((r) => p.once('exit', r));
  if (code !== 0) throw new Error(`${which} loop exited with ${code}`);
  const r = JSON.parse(stdout.trim().split('\n').pop());
  if (r.count < N) throw new Error(`${which}: ${r.count} of ${N} records`);
  return { ...r, profile: await latestProfile(profDir, r.fromUs, r.toUs), load };
}

async function ours() {
  const profDir = join(dir, 'prof-ours');
  await mkdir(profDir);
  const port = await freePort();
  const home = join(dir, 'ours');
  await mkdir(home);
  const workerFile = join(home, 'worker.properties');
  await writeFile(
    workerFile,
    [
      `bootstrap.servers=${BROKER}`,
      `listeners=http://127.0.0.1:${port}`,
      `offset.storage.file.filename=${join(home, 'connect.offsets')}`,
      'offset.flush.interval.ms=1000',
      'key.converter=org.apache.kafka.connect.storage.StringConverter',
      'value.converter=org.apache.kafka.connect.storage.StringConverter',
      ...extraWorkerProps(),
    ].join('\n'),
  );
  // The bin's own V8 flags (its shebang) plus the profiler, unless BENCH_NODE_FLAGS says otherwise.
  const shebang = readFileSync(join(ROOT, 'packages/cli/dist/main.js'), 'utf8')
    .split('\n')[0]
    .split(' ')
    .filter((a) => a.startsWith('--'));
  const saved = process.env.BENCH_NODE_FLAGS;
  process.env.BENCH_NODE_FLAGS = `${saved ?? shebang.join(' ')} --cpu-prof --cpu-prof-dir=${profDir}`.trim();
  const child = await startWorker(workerFile);
  if (saved === undefined) delete process.env.BENCH_NODE_FLAGS;
  else process.env.BENCH_NODE_FLAGS = saved;
  const exited = new Promise((r) => child.once('exit', r));
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(async () => {
    if (child.exitCode !== null) throw new Error('the worker exited');
    return (await fetch(`${url}/`)).ok;
  }, 60_000);
  const out = join(dir, 'sink.out');
  const config =
    SINK === 's3'
      ? {
          'connector.class': 'io.confluent.connect.s3.S3SinkConnector',
          's3.bucket.name': await s3Bucket(),
          's3.region': 'us-east-1',
          'store.url': 'http://127.0.0.1:9000',
          'aws.access.key.id': 'tributary',
          'aws.secret.access.key': 'tributary-secret',
          'format.class': 'io.confluent.connect.s3.format.json.JsonFormat',
          's3.compression.type': 'gzip',
          'flush.size': '50000',
          'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
          'value.converter.schemas.enable': 'false',
        }
      : { 'connector.class': 'FileStreamSink', file: out };
  const load = loadNote();
  const cpu0 = cpuSeconds(child.pid);
  const started = process.hrtime.bigint();
  const name = `bench-sink-${run}`;
  await post(`${url}/connectors`, { name, config: { ...config, topics: topic, 'tasks.max': '1' } });
  const expectBytes = N * 101; // a line per record
  let checkedAt = Date.now();
  await waitUntil(
    async () => {
      if (child.exitCode !== null) throw new Error('the worker exited');
      if (Date.now() - checkedAt > 1000) {
        checkedAt = Date.now();
        const task = (await (await fetch(`${url}/connectors/${name}/status`)).json()).tasks?.[0];
        if (task?.state === 'FAILED') throw new Error(`the sink task failed: ${task.trace}`);
      }
      if (SINK !== 's3') return statSync(out, { throwIfNoEntry: false })?.size >= expectBytes;
      const r = await (await fetch(`${url}/connectors/${name}/offsets`)).json();
      return r.offsets?.find((o) => o.partition.kafka_topic === topic)?.offset?.kafka_offset >= N;
    },
    900_000,
    20,
  );
  const ended = process.hrtime.bigint();
  const cpu = cpuSeconds(child.pid) - cpu0;
  const rss = peakRssMb(child.pid);
  child.kill('SIGTERM');
  await exited;
  const profile = await latestProfile(profDir, Number(started / 1000n), Number(ended / 1000n));
  return { secs: Number(ended - started) / 1e9, cpu, rss, profile, load };
}

async function s3Bucket() {
  const { S3Client, CreateBucketCommand } = (await import('node:module')).createRequire(
    join(ROOT, 'test/package.json'),
  )('@aws-sdk/client-s3');
  const s3 = new S3Client({
    endpoint: 'http://127.0.0.1:9000',
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'tributary', secretAccessKey: 'tributary-secret' },
  });
  const bucket = `bench-kafka-sink-${run}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

await preload();
const results = { raw: await child('raw'), kafkajs: await child('kafkajs'), ours: await ours() };

const us = (s) => ((s / N) * 1e6).toFixed(2);
const rows = [
  ['', 'records/s', 'CPU s', 'CPU µs/rec', 'consumer µs/rec', 'GC µs/rec', 'rest µs/rec', 'peak RSS MB', 'load'],
];
const names = {
  raw: '@platformatic/kafka raw fetch() loop',
  kafkajs: 'kafkajs 2.2.4 consumer (eachBatch)',
  ours: `tributary ${SINK === 's3' ? 'S3 sink' : 'FileStreamSink'} (worker, REST)`,
};
const share = (r) => {
  // The profiler's intervals are wall-clock (a loaded machine stretches them): its busy samples in the
  // measured window give each part's share, applied to the CPU seconds measured for that window.
  const busy = r.profile.consumer + r.profile.gc + r.profile.rest;
  const k = busy > 0 ? r.cpu / busy : 0;
  return { consumer: r.profile.consumer * k, gc: r.profile.gc * k, rest: r.profile.rest * k };
};
for (const [k, r] of Object.entries(results)) {
  const s = share(r);
  rows.push([
    names[k],
    Math.round(N / r.secs),
    r.cpu.toFixed(1),
    us(r.cpu),
    us(s.consumer),
    us(s.gc),
    us(s.rest),
    r.rss.toFixed(0),
    r.load,
  ]);
}
console.log(`\nbench/kafka-sink: ${N} records of 100 bytes from Kafka ${BROKER} (1 partition) through ${names.ours}\n`);
console.log(table(rows));
const o = share(results.ours);
const raw = share(results.raw);
console.log(
  `\nours: consumer ${us(o.consumer)} µs/record of ${us(results.ours.cpu)} (${((100 * o.consumer) / results.ours.cpu).toFixed(0)}% of the worker's CPU); ` +
    `the raw fetch() loop's client ${us(raw.consumer)} µs/record; ours/raw rate ${(results.raw.secs / results.ours.secs).toFixed(2)}`,
);
console.log(
  JSON.stringify({
    bench: 'kafka-sink',
    sink: SINK,
    records: N,
    ours_per_s: Math.round(N / results.ours.secs),
    raw_per_s: Math.round(N / results.raw.secs),
    kafkajs_per_s: Math.round(N / results.kafkajs.secs),
    ours_consumer_us_per_record: Number(us(o.consumer)),
    raw_consumer_us_per_record: Number(us(raw.consumer)),
    kafkajs_consumer_us_per_record: Number(us(share(results.kafkajs).consumer)),
    ours_cpu_us_per_record: Number(us(results.ours.cpu)),
    raw_cpu_us_per_record: Number(us(results.raw.cpu)),
    kafkajs_cpu_us_per_record: Number(us(results.kafkajs.cpu)),
    ours_consumer_share: Number((o.consumer / results.ours.cpu).toFixed(2)),
    peak_rss_mb: Math.round(results.ours.rss),
  }),
);
if (process.env.BENCH_KEEP) console.error(`profiles kept in ${dir}/prof-*`);
else await rm(dir, { recursive: true, force: true });
