#!/usr/bin/env node
// bench/s3: 1M records of 200 bytes -> S3 as gzipped JSON lines, in a real worker process driven over
// REST, with a FieldPartitioner spreading them over 100 directories (100 files open at once). Beside it
// the ceiling: the AWS SDK uploading the very same object bytes with the same calls (PutObject below
// s3.part.size, multipart parts of s3.part.size above), 8 objects at a time as the sink completes a rotation.
//   node bench/s3.mjs [records]          (needs MinIO: test/services/up.sh s3)
// A second reference, the same work without the framework: a plain script reading the same log with a
// consumer, JSON.parse and JSON.stringify per record, one async gzip stream per directory fed 64 KiB of
// text at a time, and the same SDK calls, 8 objects at a time, after each flush.size records. The ratio
// against the SDK-only ceiling is the figure; the one against this loop shows the framework's cost.
// Env: BENCH_SINK_CONFIG (JSON merged into the sink config, for experiments), BENCH_FLUSH_SIZE (default N/5), BENCH_PART_SIZE (default 5 MiB), BENCH_OPEN (directories, 100).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { ROOT, freePort, peakRssMb, post, startWorker, table, waitUntil } from './lib.mjs';

const N = Number(process.argv[2] ?? 1_000_000);
const OPEN = Number(process.env.BENCH_OPEN ?? 100);
const FLUSH = Number(process.env.BENCH_FLUSH_SIZE ?? Math.max(1, Math.floor(N / 5))); // N divisible by it, or the last records wait
const PART = Number(process.env.BENCH_PART_SIZE ?? 5 * 1024 * 1024);
const S3 = {
  endpoint: 'http://127.0.0.1:9000',
  region: 'us-east-1',
  accessKeyId: 'tributary',
  secretAccessKey: 'tributary-secret',
};
const s3 = new S3Client({
  endpoint: S3.endpoint,
  region: S3.region,
  forcePathStyle: true,
  credentials: { accessKeyId: S3.accessKeyId, secretAccessKey: S3.secretAccessKey },
});
const dir = await mkdtemp(join(tmpdir(), 'bench-s3-'));

// 200-byte JSON values: an id, one of OPEN keys, and hex noise so gzip has real work (about 2:1).
const noise = randomBytes(N * 40).toString('hex');
const valueOf = (i) => {
  const head = `{"id":${i},"k":"k${i % OPEN}","v":"`;
  return (
    head + noise.slice((i * 80) % (noise.length - 200), ((i * 80) % (noise.length - 200)) + 198 - head.length) + '"}'
  );
};

/** Fills the worker's embedded log directly (not timed): the benchmark measures the sink. */
async function preload() {
  const { openEmbeddedLog } = await import(pathToFileURL(join(ROOT, 'packages/connect-runtime/dist/index.js')).href);
  const log = await openEmbeddedLog({ dir: join(dir, 'log') });
  const producer = log.producer();
  for (let i = 0; i < N; i += 10_000) {
    const batch = [];
    for (let j = i; j < Math.min(N, i + 10_000); j++)
      batch.push({ topic: 'bench', partition: 0, key: null, value: Buffer.from(valueOf(j)) });
    await producer.send(batch);
  }
  await producer.close();
  await log.close();
}

async function ours(bucket) {
  const port = await freePort();
  const workerFile = join(dir, 'worker.properties');
  await writeFile(
    workerFile,
    [
      `listeners=http://127.0.0.1:${port}`,
      `embedded.log.dir=${join(dir, 'log')}`,
      `offset.storage.file.filename=${join(dir, 'connect.offsets')}`,
      'offset.flush.interval.ms=1000',
      'key.converter=org.apache.kafka.connect.storage.StringConverter',
      'value.converter=org.apache.kafka.connect.storage.StringConverter',
    ].join('\n'),
  );
  const child = await startWorker(
    workerFile,
    process.env.BENCH_WORKER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS } : {},
  );
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(async () => (await fetch(`${url}/`)).ok);
  const started = process.hrtime.bigint();
  await post(`${url}/connectors`, {
    name: 's3',
    config: {
      'connector.class': 'io.confluent.connect.s3.S3SinkConnector',
      topics: 'bench',
      's3.bucket.name': bucket,
      's3.region': S3.region,
      'store.url': S3.endpoint,
      'aws.access.key.id': S3.accessKeyId,
      'aws.secret.access.key': S3.secretAccessKey,
      'format.class': 'io.confluent.connect.s3.format.json.JsonFormat',
      's3.compression.type': 'gzip',
      'flush.size': String(FLUSH),
      's3.part.size': String(PART),
      'partitioner.class': 'FieldPartitioner',
      'partition.field.name': 'k',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
      ...JSON.parse(process.env.BENCH_SINK_CONFIG ?? '{}'),
    },
  });
  await waitUntil(
    async () => {
      const r = await (await fetch(`${url}/connectors/s3/offsets`)).json();
      return r.offsets?.[0]?.offset?.kafka_offset >= N;
    },
    900_000,
    100,
  );
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  const rss = peakRssMb(child.pid);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return { secs, rss };
}

async function listObjects(bucket) {
  const out = [];
  let token;
  do {
    const r = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    out.push(...(r.Contents ?? []));
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/** Uploads one object with the calls the sink makes: PutObject below PART, else multipart parts of PART. */
async function upload(bucket, key, body) {
  if (body.length < PART) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    return;
  }
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  const parts = [];
  for (let off = 0, n = 1; off < body.length; off += PART, n++) {
    const last = body.length - off < 2 * PART;
    const chunk = body.subarray(off, last ? body.length : off + PART);
    const r = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: n, Body: chunk }));
    parts.push({ PartNumber: n, ETag: r.ETag });
    if (last) break;
  }
  await s3.send(
    new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }),
  );
}

/** Runs `fn` over `items`, 8 at a time. */
async function eightAtATime(items, fn) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let x = queue.shift(); x; x = queue.shift()) await fn(x);
    }),
  );
}

/** The second reference: the same work as the sink in a plain loop (see the header). */
async function handLoop() {
  const { openEmbeddedLog } = await import(pathToFileURL(join(ROOT, 'packages/connect-runtime/dist/index.js')).href);
  const log = await openEmbeddedLog({ dir: join(dir, 'log') });
  const consumer = log.consumer({ groupId: 'bench-hand-loop', topics: ['bench'] });
  await consumer.start();
  const bucket = `bench-loop-${Date.now().toString(36)}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const started = process.hrtime.bigint();
  let files = new Map();
  const rotate = async () => {
    const done = [...files.values()];
    files = new Map();
    await Promise.all(
      done.map((f) => {
        const end = once(f.gz, 'end');
        if (f.text) f.gz.end(f.text);
        else f.gz.end();
        return end;
      }),
    );
    await eightAtATime(done, (f) => upload(bucket, f.key, Buffer.concat(f.out)));
  };
  let count = 0;
  while (count < N) {
    for (const r of await consumer.poll(500)) {
      const value = JSON.parse(r.value.toString());
      const dirName = `k=${value.k}`;
      let f = files.get(dirName);
      if (!f) {
        f = {
          key: `topics/bench/${dirName}/bench+0+${String(r.offset).padStart(10, '0')}.json.gz`,
          gz: createGzip(),
          out: [],
          text: '',
        };
        f.gz.on('data', (c) => f.out.push(c));
        files.set(dirName, f);
      }
      f.text += `${JSON.stringify(value)}\n`;
      if (f.text.length >= 65536) {
        f.gz.write(f.text);
        f.text = '';
      }
      if (++count % FLUSH === 0) await rotate();
    }
  }
  if (files.size > 0) await rotate();
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  await consumer.close();
  await log.close();
  return { secs };
}

/** The SDK alone: the same bytes, the same calls, 8 objects at a time (as the sink completes a rotation). */
async function ceiling(fromBucket) {
  const objects = await listObjects(fromBucket);
  const bodies = [];
  for (const o of objects)
    bodies.push({
      key: o.Key,
      body: Buffer.from(
        await (await s3.send(new GetObjectCommand({ Bucket: fromBucket, Key: o.Key }))).Body.transformToByteArray(),
      ),
    });
  const bucket = `bench-sdk-${Date.now().toString(36)}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const started = process.hrtime.bigint();
  await eightAtATime(bodies, ({ key, body }) => upload(bucket, key, body));
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  return { secs, objects: objects.length, bytes: bodies.reduce((a, b) => a + b.body.length, 0) };
}

await preload();
const bucket = `bench-s3-${Date.now().toString(36)}`;
await s3.send(new CreateBucketCommand({ Bucket: bucket }));
const load0 = loadavg()[0];
const mine = await ours(bucket);
const raw = await ceiling(bucket);
const loop = await handLoop();
const mb = (N * 200) / 1e6;
console.log(
  `\nbench/s3: ${N} records of 200 bytes (${mb.toFixed(0)} MB of JSON) -> ${raw.objects} objects (${(raw.bytes / 1e6).toFixed(1)} MB), ${OPEN} directories open, flush.size ${FLUSH}, part ${PART} B; load avg ${load0.toFixed(2)} before\n`,
);
console.log(
  table([
    ['', 'MB/s (of records)', 'seconds', 'peak RSS MB', 'ratio to ceiling', 'ratio to plain loop'],
    ['SDK uploading the same bytes (ceiling)', (mb / raw.secs).toFixed(1), raw.secs.toFixed(2), '-', '1.00', '-'],
    [
      'plain loop: log consumer, parse, stringify, gzip, SDK (same work)',
      (mb / loop.secs).toFixed(1),
      loop.secs.toFixed(2),
      '-',
      (raw.secs / loop.secs).toFixed(2),
      '1.00',
    ],
    [
      'tributary worker, S3 sink',
      (mb / mine.secs).toFixed(1),
      mine.secs.toFixed(2),
      mine.rss.toFixed(0),
      (raw.secs / mine.secs).toFixed(2),
      (loop.secs / mine.secs).toFixed(2),
    ],
  ]),
);
