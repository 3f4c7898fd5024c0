#!/usr/bin/env node
// bench/elasticsearch: N JSON records of about 300 bytes, keyed by id, from the log into Elasticsearch
// through the Elasticsearch sink in a real worker (JsonConverter, schema.ignore=true, ids from keys,
// external versions), beside @elastic/elasticsearch's bulk helper indexing the same documents with the
// same ids and versions straight from a generator (the ceiling). Both are timed until `_count` shows
// every document, by the same poller. The Java peer (Confluent's connector) is not on Maven Central,
// so it is not run here.
//   node bench/elasticsearch.mjs [records]    (Elasticsearch at http://127.0.0.1:9200: test/services/up.sh elasticsearch)
//   BENCH_BATCH / BENCH_LINGER set the sink's batch.size / linger.ms (defaults: 2000 / 1, as Confluent).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, freePort, peakRssMb, post, startWorker, table, waitUntil } from './lib.mjs';

const N = Number(process.argv[2] ?? 500_000);
const ES = process.env.ES_URL ?? 'http://127.0.0.1:9200';
const require = createRequire(join(ROOT, 'connectors/elasticsearch-sink/package.json'));
const { Client } = require('@elastic/elasticsearch');
const client = new Client({ node: ES });
const dir = await mkdtemp(join(tmpdir(), 'bench-es-'));

const statuses = ['NEW', 'PAID', 'SHIPPED', 'DELIVERED', 'RETURNED'];
const pad =
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua ut enim ad minim veniam';
/** About 300 bytes of JSON. */
function doc(i) {
  return {
    id: i,
    customer: `customer-${String(i % 100_000).padStart(6, '0')}`,
    email: `c${i % 100_000}@example.com`,
    status: statuses[i % 5],
    amount: Math.round(i * 37.11) / 100,
    items: (i % 9) + 1,
    created: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(),
    note: pad.slice(0, 100 + (i % 40)),
  };
}
const sample = JSON.stringify(doc(12345)).length;

async function resetIndex(name) {
  await client.indices.delete({ index: name, ignore_unavailable: true });
  await client.indices.create({ index: name, settings: { number_of_shards: 1, number_of_replicas: 0 } });
}

async function countOf(index) {
  return (await client.count({ index })).count;
}

/** Times `work` until the index holds N documents (the same poller for both sides). */
async function timed(index, work) {
  const started = process.hrtime.bigint();
  const running = work();
  await waitUntil(async () => (await countOf(index)) >= N, 1_200_000, 250);
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  return { secs, extra: await running };
}

async function ceiling(flushBytes) {
  await resetIndex('bench_raw');
  async function* docs() {
    for (let i = 0; i < N; i++) yield doc(i);
  }
  return timed('bench_raw', async () => {
    const stats = await client.helpers.bulk({
      datasource: docs(),
      flushBytes,
      concurrency: 5,
      refreshOnCompletion: false,
      onDocument: (d) => ({
        index: { _index: 'bench_raw', _id: String(d.id), version: d.id, version_type: 'external' },
      }),
    });
    if (stats.failed > 0) throw new Error(`bulk helper: ${stats.failed} failed`);
    return { rss: peakRssMb(process.pid) };
  });
}

async function ours() {
  await resetIndex('bench_ours');
  const { openEmbeddedLog } = await import(pathToFileURL(join(ROOT, 'packages/connect-runtime/dist/index.js')).href);
  const logDir = join(dir, 'log');
  const log = await openEmbeddedLog({ dir: logDir });
  const producer = log.producer();
  const enc = new TextEncoder();
  for (let i = 0; i < N; i += 5000) {
    const batch = [];
    for (let j = i; j < Math.min(N, i + 5000); j++)
      batch.push({ topic: 'bench', key: enc.encode(String(j)), value: enc.encode(JSON.stringify(doc(j))) });
    await producer.send(batch);
  }
  await producer.close();
  await log.close();

  const port = await freePort();
  const workerFile = join(dir, 'worker.properties');
  await writeFile(
    workerFile,
    [
      `listeners=http://127.0.0.1:${port}`,
      `embedded.log.dir=${logDir}`,
      `offset.storage.file.filename=${join(dir, 'connect.offsets')}`,
      'offset.flush.interval.ms=5000',
      'key.converter=org.apache.kafka.connect.storage.StringConverter',
      'value.converter=org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable=false',
    ].join('\n'),
  );
  const child = await startWorker(workerFile);
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(async () => (await fetch(`${url}/`)).ok);
  const r = await timed('bench_ours', async () => {
    await post(`${url}/connectors`, {
      name: 'bench-es',
      config: {
        'connector.class': 'io.confluent.connect.elasticsearch.ElasticsearchSinkConnector',
        topics: 'bench',
        'topic.index.map': 'bench:bench_ours',
        'connection.url': ES,
        'schema.ignore': 'true',
        'read.timeout.ms': '30000',
        ...(process.env.BENCH_BATCH ? { 'batch.size': process.env.BENCH_BATCH } : {}),
        ...(process.env.BENCH_LINGER ? { 'linger.ms': process.env.BENCH_LINGER } : {}),
      },
    });
  });
  const rss = peakRssMb(child.pid);
  child.kill('SIGTERM');
  await new Promise((res) => child.once('exit', res));
  return { secs: r.secs, rss };
}

const load = loadavg()[0].toFixed(2);
// The helper's default flush size (5 MiB) and a smaller one closer to the sink's batches; the faster is the ceiling.
const raw5 = await ceiling(5 * 1024 * 1024);
const raw1 = await ceiling(1024 * 1024);
const raw = raw5.secs <= raw1.secs ? raw5 : raw1;
const mine = await ours();
const same =
  JSON.stringify((await client.get({ index: 'bench_ours', id: '4242' }))._source) ===
  JSON.stringify((await client.get({ index: 'bench_raw', id: '4242' }))._source);
const rate = (s) => Math.round(N / s);
console.log(
  `\nbench/elasticsearch: ${N} JSON records of ~${sample} bytes, keyed, into Elasticsearch 8 (1 shard, 0 replicas); load average before: ${load}, after: ${loadavg()[0].toFixed(2)}`,
);
console.log('ratio = the faster helper run (the ceiling) / this row\n');
console.log(
  table([
    ['', 'docs/s', 'seconds', 'peak RSS MB', 'ratio'],
    [
      'bulk helper, flushBytes 5 MiB',
      rate(raw5.secs),
      raw5.secs.toFixed(2),
      raw5.extra.rss.toFixed(0),
      (raw.secs / raw5.secs).toFixed(2),
    ],
    [
      'bulk helper, flushBytes 1 MiB',
      rate(raw1.secs),
      raw1.secs.toFixed(2),
      raw1.extra.rss.toFixed(0),
      (raw.secs / raw1.secs).toFixed(2),
    ],
    ['tributary worker', rate(mine.secs), mine.secs.toFixed(2), mine.rss.toFixed(0), (raw.secs / mine.secs).toFixed(2)],
  ]),
);
console.log(
  `\nSame document in both indices: ${same}. The worker is a separate process reading the embedded log (filled before it`,
);
console.log(
  'started, not timed); timing runs from POST /connectors until _count shows every document. The helper runs in this',
);
console.log(
  'process with concurrency 5 (its default), the same ids and external versions. Peak RSS of the helper rows is this',
);
console.log(
  'benchmark process (generator, client and the log producer of the setup), of the worker row the worker process.',
);
await client.close();
