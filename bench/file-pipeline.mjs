#!/usr/bin/env node
// bench/file-pipeline: 1M lines of 100 bytes, file source -> embedded log -> file sink, in a real worker
// process driven over REST, beside a raw loop (the ceiling) that reads the same file and appends to / reads
// from embedded-log segments with no runtime around it. Prints records/s and peak RSS.
//   node bench/file-pipeline.mjs [lines]
import { createReadStream } from 'node:fs';
import { mkdtemp, open, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, freePort, peakRssMb, post, startWorker, table, waitUntil } from './lib.mjs';

const LINES = Number(process.argv[2] ?? 1_000_000);
const dir = await mkdtemp(join(tmpdir(), 'bench-file-'));
const input = join(dir, 'in.txt');
const lineOf = (i) => `${String(i).padStart(9, '0')} ${'x'.repeat(89)}`; // 99 chars + newline = 100 bytes
{
  const fh = await open(input, 'w');
  const chunk = 50_000;
  for (let i = 0; i < LINES; i += chunk) {
    let s = '';
    for (let j = i; j < Math.min(LINES, i + chunk); j++) s += lineOf(j) + '\n';
    await fh.write(s);
  }
  await fh.close();
}
const bytes = LINES * 100;

async function ours() {
  const port = await freePort();
  const workerFile = join(dir, 'worker.properties');
  await writeFile(
    workerFile,
    [
      `listeners=http://127.0.0.1:${port}`,
      `embedded.log.dir=${join(dir, 'worker-log')}`,
      `offset.storage.file.filename=${join(dir, 'connect.offsets')}`,
      'offset.flush.interval.ms=10000',
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
  const output = join(dir, 'out.txt');
  const started = process.hrtime.bigint();
  await post(`${url}/connectors`, {
    name: 'src',
    config: {
      'connector.class': 'FileStreamSource',
      file: input,
      topic: 'bench',
      'batch.size': process.env.BENCH_BATCH ?? '2000',
    },
  });
  await post(`${url}/connectors`, {
    name: 'sink',
    config: { 'connector.class': 'FileStreamSink', file: output, topics: 'bench' },
  });
  await waitUntil(async () => (await stat(output)).size >= bytes, 600_000, 20);
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  const rss = peakRssMb(child.pid);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return { secs, rss };
}

async function ceiling() {
  const { openEmbeddedLog } = await import(pathToFileURL(join(ROOT, 'packages/connect-runtime/dist/index.js')).href);
  const log = await openEmbeddedLog({ dir: join(dir, 'raw-log') });
  const producer = log.producer();
  const consumer = log.consumer({ groupId: 'raw', topics: ['raw'] });
  await consumer.start();
  const out = await open(join(dir, 'raw-out.txt'), 'w');
  const started = process.hrtime.bigint();
  // Reader side: consume and append to the output file, concurrently with the producer.
  const reading = (async () => {
    let n = 0;
    while (n < LINES) {
      const batch = await consumer.poll(500);
      if (batch.length === 0) continue;
      let s = '';
      for (const r of batch) s += Buffer.from(r.value).toString('utf8') + '\n';
      await out.write(s);
      n += batch.length;
    }
    await consumer.commit([{ topic: 'raw', partition: 0, offset: LINES }]);
  })();
  let pending = '';
  let batch = [];
  const inFlight = new Set();
  for await (const chunk of createReadStream(input, { highWaterMark: 1 << 20, encoding: 'utf8' })) {
    pending += chunk;
    let nl;
    let from = 0;
    while ((nl = pending.indexOf('\n', from)) >= 0) {
      batch.push({ topic: 'raw', partition: 0, key: null, value: Buffer.from(pending.slice(from, nl)) });
      from = nl + 1;
      if (batch.length === 5000) {
        const p = producer.send(batch).finally(() => inFlight.delete(p));
        inFlight.add(p);
        batch = [];
        if (inFlight.size >= 4) await Promise.race(inFlight);
      }
    }
    pending = pending.slice(from);
  }
  if (batch.length) await producer.send(batch);
  await Promise.all(inFlight);
  await reading;
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  await out.close();
  await consumer.close();
  await log.close();
  return { secs, rss: peakRssMb(process.pid) };
}

const raw = process.env.BENCH_SKIP_CEILING ? { secs: NaN, rss: NaN } : await ceiling();
const mine = await ours();
const rate = (s) => Math.round(LINES / s);
console.log(`\nbench/file-pipeline: ${LINES} lines of 100 bytes, file -> embedded log -> file\n`);
console.log(
  table([
    ['', 'records/s', 'seconds', 'peak RSS MB', 'ratio'],
    ['raw loop (ceiling)', rate(raw.secs), raw.secs.toFixed(2), raw.rss.toFixed(0), '1.00'],
    ['tributary worker', rate(mine.secs), mine.secs.toFixed(2), mine.rss.toFixed(0), (raw.secs / mine.secs).toFixed(2)],
  ]),
);
console.log(
  '\nThe raw loop runs in this benchmark process; the worker is a separate process started with `tributary standalone`,',
);
console.log('timed from the first POST /connectors until the sink file holds every line.');
