#!/usr/bin/env node
// bench/exactly-once: the cost of exactly-once source delivery (KIP-618). The same file (records of
// 100 bytes) goes through a FileStreamSource into Kafka (the broker of test/services, 127.0.0.1:9092)
// twice in one run, each time by a fresh one-worker cluster (`tributary distributed`):
//   alos   exactly.once.source.support=disabled (at least once)
//   eos    exactly.once.source.support=enabled, transaction.boundary=poll (one transaction per poll batch)
// timed from the first record in the topic until the connector's stored offset reaches the end of the
// file (for eos that is the last committed transaction). Ends with one JSON line.
//   node bench/exactly-once.mjs [records]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, open, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, cpuSeconds, freePort, loadNote, peakRssMb, post, table, waitUntil } from './lib.mjs';

const RECORDS = Number(process.argv[2] ?? 1_000_000);
const BROKER = '127.0.0.1:9092';
const run = Date.now().toString(36);
const lineOf = (i) => `${String(i).padStart(9, '0')} ${'x'.repeat(89)}`; // 100 bytes with the newline

execFileSync('bash', [join(ROOT, 'test/services/up.sh'), 'kafka'], { stdio: ['ignore', 'inherit', 'inherit'] });
const dir = await mkdtemp(join(tmpdir(), 'bench-eos-'));
const input = join(dir, 'in.txt');
{
  const fh = await open(input, 'w');
  const chunk = 10_000;
  for (let i = 0; i < RECORDS; i += chunk) {
    const n = Math.min(chunk, RECORDS - i);
    await fh.write(Array.from({ length: n }, (_, j) => lineOf(i + j)).join('\n') + '\n');
  }
  await fh.close();
}
const fileBytes = RECORDS * 100;

async function measure(mode) {
  const group = `bench-eos-${mode}-${run}`;
  const port = await freePort();
  const props = {
    listeners: `http://127.0.0.1:${port}`,
    'bootstrap.servers': BROKER,
    'group.id': group,
    'config.storage.topic': `${group}-configs`,
    'offset.storage.topic': `${group}-offsets`,
    'status.storage.topic': `${group}-status`,
    'config.storage.replication.factor': '1',
    'offset.storage.replication.factor': '1',
    'status.storage.replication.factor': '1',
    'offset.flush.interval.ms': '1000',
    'exactly.once.source.support': mode === 'eos' ? 'enabled' : 'disabled',
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
  };
  const file = join(dir, `${mode}.properties`);
  await writeFile(
    file,
    Object.entries(props)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
  );
  const child = spawn(CLI, ['distributed', file], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, TRIBUTARY_LOG_LEVEL: 'warn' },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(async () => (await fetch(`${url}/health`)).status === 200, 120_000, 200);
    const topic = `${group}-lines`;
    const config = {
      'connector.class': 'FileStreamSource',
      file: input,
      topic,
      'batch.size': '2000',
      ...(mode === 'eos' ? { 'exactly.once.support': 'required' } : {}),
    };
    await waitUntil(
      async () => {
        await post(`${url}/connectors`, { name: 'lines', config });
        return true;
      },
      60_000,
      250,
    );
    const cpu0 = cpuSeconds(child.pid);
    await waitUntil(
      async () => {
        const r = await (await fetch(`${url}/connectors/lines/offsets`)).json();
        return (r.offsets?.[0]?.offset?.position ?? 0) > 0;
      },
      120_000,
      20,
    );
    const started = Date.now();
    await waitUntil(
      async () => {
        const r = await (await fetch(`${url}/connectors/lines/offsets`)).json();
        return (r.offsets?.[0]?.offset?.position ?? 0) >= fileBytes;
      },
      600_000,
      50,
    );
    const secs = (Date.now() - started) / 1000;
    return { perSec: Math.round(RECORDS / secs), secs, cpu: cpuSeconds(child.pid) - cpu0, rss: peakRssMb(child.pid) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const alos = await measure('alos');
const eos = await measure('eos');
console.log(`\n${RECORDS} records of 100 B, file → Kafka, one distributed worker each (${loadNote()})\n`);
console.log(
  table([
    ['mode', 'records/s', 'seconds', 'worker CPU s', 'peak RSS MB'],
    ['at least once', alos.perSec, alos.secs.toFixed(1), alos.cpu.toFixed(1), alos.rss],
    ['exactly once (poll boundary)', eos.perSec, eos.secs.toFixed(1), eos.cpu.toFixed(1), eos.rss],
  ]),
);
console.log(`\nexactly once / at least once: ${(eos.perSec / alos.perSec).toFixed(2)}`);
console.log(
  JSON.stringify({
    records: RECORDS,
    alos_per_s: alos.perSec,
    eos_per_s: eos.perSec,
    eos_ratio: Number((eos.perSec / alos.perSec).toFixed(3)),
    alos_peak_rss_mb: alos.rss,
    eos_peak_rss_mb: eos.rss,
  }),
);
