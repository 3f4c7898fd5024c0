// Shared helpers for benchmarks: worker processes, peak RSS, table printing.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';

export const ROOT = new URL('..', import.meta.url).pathname;
export const CLI = join(ROOT, 'packages/cli/dist/main.js');

export function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** CPU seconds (user + system) a live process has used so far, from /proc (clock ticks of 10 ms). */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime (fields 14, 15)
}

/** CPU seconds this process has used so far. */
export function ownCpuSeconds() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Load average and core count, for printing beside a figure. */
export function loadNote() {
  const l = loadavg();
  return `load ${l[0].toFixed(1)} / ${l[1].toFixed(1)} / ${l[2].toFixed(1)} on ${cpus().length} cores`;
}

/** Peak resident set (VmHWM) of a process, in MB. */
export function peakRssMb(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Extra worker properties from BENCH_WORKER_PROPS ("a=1;b=2"), for experiments. */
export function extraWorkerProps() {
  return (process.env.BENCH_WORKER_PROPS ?? '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}

export async function startWorker(workerFile, env = {}) {
  // Through the bin, as users run it: its shebang carries the worker's V8 memory settings.
  // BENCH_NODE_FLAGS (e.g. "--max-semi-space-size=16") runs node with those flags instead, for experiments.
  const flags = process.env.BENCH_NODE_FLAGS;
  const [cmd, args] = flags
    ? [process.execPath, [...flags.split(' '), CLI, 'standalone', workerFile]]
    : [CLI, ['standalone', workerFile]];
  const child = spawn(cmd, args, {
    stdio: ['ignore', process.env.BENCH_WORKER_STDOUT ? 'inherit' : 'ignore', 'inherit'],
    env: { ...process.env, TRIBUTARY_LOG_LEVEL: 'warn', ...env },
  });
  return child;
}

export async function waitUntil(fn, timeoutMs = 600_000, everyMs = 50) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await fn()) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function post(url, body) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${res.status} ${await res.text()}`);
}

export function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => String(c).padEnd(widths[i])).join('  ')).join('\n');
}

/** kafkajs, the fixed yardstick, from the test workspace's dependencies (the runtime no longer uses it). */
export function kafkajs() {
  // kafkajs's request queue arms setTimeout with a negative delay on Node 24 (harmless): keep that warning quiet.
  if (!quietedKafkajs) {
    quietedKafkajs = true;
    process.removeAllListeners('warning');
    process.on('warning', (w) => {
      if (w.name !== 'TimeoutNegativeWarning') console.error(`${w.name}: ${w.message}`);
    });
  }
  return createRequire(join(ROOT, 'test/package.json'))('kafkajs');
}
let quietedKafkajs = false;

/** @platformatic/kafka, the client under the runtime's Kafka log. */
export function platformaticKafka() {
  return import('@platformatic/kafka');
}

/** A connected kafkajs producer (the raw client of the benchmarks), after creating `topic` with one partition. */
export async function kafkaProducerFor(clientId, broker, topic) {
  const { Kafka, logLevel } = kafkajs();
  const kafka = new Kafka({ clientId, brokers: [broker], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  return producer;
}
