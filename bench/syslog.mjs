#!/usr/bin/env node
// Syslog source benchmark: N RFC 5424 messages over TCP (octet counting) from a loopback sender.
//   ceiling:   a raw `net` server in its own process that only frames (octet counting) and counts
//   reference: the unavoidable work without the runtime, in its own process: frame, parse into a plain
//              object (the connector's parser), JSON.stringify, append in batches of 2000 (4 in flight)
//              with the same log's producer (the embedded log's, or kafkajs with acks=all)
//   alone:     our frame decoder, parser and record builder, without converter, runtime or log
//   ours:      tributary worker, syslog TCP listener → parse → JsonConverter → log (embedded unless BENCH_BOOTSTRAP is set)
//   node bench/syslog.mjs [messages=1000000] [connections=4]
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, freePort, kafkajs, peakRssMb, startWorker, waitUntil, post, table } from './lib.mjs';

const TOTAL = Number(process.argv[2] ?? 1_000_000);
const KAFKA = process.env.BENCH_BOOTSTRAP;
/** Topics of this run on Kafka, deleted at the end (a million messages are some 650 MB on the broker). */
const TOPICS = { ours: `bench-syslog-ours-${Date.now()}`, reference: `bench-syslog-reference-${Date.now()}` };
const CONNS = Number(process.argv[3] ?? 4);

/** CPU seconds (user + system) a process has used, from /proc (clock ticks of 1/100 s). */
function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

function message(i) {
  const m =
    `<165>1 2026-11-22T05:14:15.${String(i % 1000).padStart(3, '0')}Z host-${i % 50}.example.com sshd ${1000 + (i % 5000)} ID47 ` +
    `[origin@32473 ip="192.168.1.${i % 250}" software="bench"] Invalid user mini from 114.130.4.${i % 250} port ${20000 + (i % 40000)} seq=${i}`;
  return `${Buffer.byteLength(m)} ${m}`;
}

/** Sends TOTAL messages over CONNS connections, honouring TCP backpressure. Resolves when all are written. */
async function send(port) {
  const per = Math.ceil(TOTAL / CONNS);
  await Promise.all(
    Array.from(
      { length: CONNS },
      (_, c) =>
        new Promise((resolve, reject) => {
          const s = connect(port, '127.0.0.1');
          s.on('error', reject);
          let i = c * per;
          const end = Math.min(TOTAL, i + per);
          const pump = () => {
            while (i < end) {
              let chunk = '';
              for (let k = 0; k < 500 && i < end; k++, i++) chunk += message(i);
              if (!s.write(chunk)) {
                s.once('drain', pump);
                return;
              }
            }
            s.end(resolve);
          };
          s.on('connect', pump);
        }),
    ),
  );
}

// The ceiling: frames and counts, nothing else. Runs in a child process like the worker does.
const CEILING_SERVER = `
const net = require('node:net');
let count = 0; const target = Number(process.argv[2]);
const server = net.createServer((s) => {
  let pending = null;
  s.on('data', (chunk) => {
    let data = pending ? Buffer.concat([pending, chunk]) : chunk; pending = null;
    let pos = 0;
    for (;;) {
      const sp = data.indexOf(32, pos);
      if (sp < 0) break;
      const len = Number(data.latin1Slice(pos, sp));
      if (sp + 1 + len > data.length) break;
      const frame = data.subarray(sp + 1, sp + 1 + len); void frame;
      count++; pos = sp + 1 + len;
    }
    if (pos < data.length) pending = data.subarray(pos);
    if (count >= target) { process.send({ done: count }); }
  });
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
`;

// The connector's own share: the same server, but through our frame decoder, decoder, parser and record
// builder (what the task does per message), without the runtime, converter and log.
const PARSING_SERVER = `
import { createServer } from 'node:net';
import { FrameDecoder } from '${ROOT}connectors/syslog/dist/frame-decoder.js';
import { receivedFrame } from '${ROOT}connectors/syslog/dist/receive-queue.js';
import { toSourceRecord } from '${ROOT}connectors/syslog/dist/syslog-record.js';
let count = 0; const target = Number(process.argv[2]);
const opts = { topic: 'syslog', sourcePartition: { listener: 'TCP', port: 0 }, deadLetterTopic: null, connector: 'bench' };
const server = createServer((s) => {
  const d = new FrameDecoder(65536, (frame, error) => {
    toSourceRecord(receivedFrame(frame, error, '/127.0.0.1:1', '127.0.0.1'), null, { session: 1, sequence: ++count }, opts);
    if (count === target) process.send({ done: count });
  });
  s.on('data', (c) => d.push(c));
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
`;

// The reference: what any syslog → log pipeline has to do, written plainly, without the runtime.
const REFERENCE_SERVER = `
import { createServer } from 'node:net';
import { join } from 'node:path';
import { FrameDecoder } from '${ROOT}connectors/syslog/dist/frame-decoder.js';
import { parseSyslog } from '${ROOT}connectors/syslog/dist/syslog-parser.js';
import { kafkaProducerFor } from '${ROOT}bench/lib.mjs';
const target = Number(process.argv[2]);
const kafka = process.env.BENCH_BOOTSTRAP;
let producer;
if (kafka) {
  const topic = process.argv[4];
  const p = await kafkaProducerFor('bench-syslog-reference', kafka, topic);
  const sendNow = (records) => p.send({ topic, acks: -1, messages: records.map((r) => ({ key: r.key, value: r.value, timestamp: String(r.timestamp) })) });
  // Requests under the broker's message.max.bytes (1 MiB), as the runtime's Kafka producer keeps them.
  producer = { send: async (records) => {
    let start = 0;
    let bytes = 0;
    for (let i = 0; i < records.length; i++) {
      const size = 24 + records[i].key.length + records[i].value.length;
      if (i > start && bytes + size > 768 * 1024) { await sendNow(records.slice(start, i)); start = i; bytes = 0; }
      bytes += size;
    }
    await sendNow(records.slice(start));
  } };
} else {
  const { openEmbeddedLog } = await import('${ROOT}packages/connect-runtime/dist/index.js');
  const log = await openEmbeddedLog({ dir: join(process.argv[3], 'log') });
  producer = log.producer();
}
let batch = [];
let appended = 0;
let framed = 0;
const inFlight = new Set();
const sockets = new Set();
const flush = () => {
  const records = batch;
  batch = [];
  const p = producer.send(records).then(() => {
    inFlight.delete(p);
    appended += records.length;
    if (appended >= target) process.send({ done: appended });
    if (inFlight.size < 4) for (const s of sockets) s.resume();
  });
  inFlight.add(p);
  // Backpressure as the connector does it: stop reading while the log is behind.
  if (inFlight.size >= 4) for (const s of sockets) s.pause();
};
const server = createServer((s) => {
  sockets.add(s);
  const remote = '/' + s.remoteAddress + ':' + s.remotePort;
  const d = new FrameDecoder(65536, (frame) => {
    const raw = frame.toString('utf8');
    const now = Date.now();
    const m = parseSyslog(raw, now);
    const value = {
      date: m.date === null ? null : m.date.getTime(), facility: m.facility, host: m.host, level: m.level, message: m.message,
      charset: 'UTF-8', remote_address: remote, hostname: null, version: m.version, app_name: m.appName, proc_id: m.procId,
      msg_id: m.msgId, structured_data: m.structuredData, type: m.format, raw, parse_error: m.error,
    };
    batch.push({ topic: 'syslog', key: Buffer.from(m.host ?? s.remoteAddress), value: Buffer.from(JSON.stringify(value)), timestamp: now, headers: [] });
    framed++;
    if (batch.length >= 2000 || framed === target) flush();
  });
  s.on('data', (c) => d.push(c));
  s.on('close', () => sockets.delete(s));
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
`;

/** Stops a receiver and removes its directory: a million messages leave some 650 MB of log behind. */
async function stop(child, signal, dir) {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
  rmSync(dir, { recursive: true, force: true });
}

async function ceiling(source = CEILING_SERVER, ext = 'cjs') {
  const dir = mkdtempSync(join(tmpdir(), 'bench-syslog-'));
  const file = join(dir, `server.${ext}`);
  writeFileSync(file, source);
  const child = spawn(process.execPath, [file, String(TOTAL), dir, TOPICS.reference], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise((r) => child.once('message', (m) => r(m.port)));
  const done = new Promise((r) =>
    child.on('message', (m) => {
      if (m.done) r();
    }),
  );
  // As for the worker below: only the CPU spent on the stream, not on starting up.
  const cpu0 = cpuSeconds(child.pid);
  const t0 = performance.now();
  await send(port);
  await done;
  const secs = (performance.now() - t0) / 1000;
  const rss = peakRssMb(child.pid);
  const cpu = cpuSeconds(child.pid) - cpu0;
  await stop(child, 'SIGKILL', dir);
  return { secs, rss, cpu };
}

async function ours() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-syslog-'));
  const rest = await freePort();
  const port = await freePort();
  const workerFile = join(dir, 'worker.properties');
  const props = {
    listeners: `http://127.0.0.1:${rest}`,
    'embedded.log.dir': join(dir, 'log'),
    'offset.storage.file.filename': join(dir, 'offsets'),
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'false',
    ...(KAFKA ? { 'bootstrap.servers': KAFKA } : {}),
  };
  writeFileSync(
    workerFile,
    Object.entries(props)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n',
  );
  // BENCH_PROFILE=dir writes a CPU profile of the worker there (NODE_OPTIONS may not carry --cpu-prof).
  const child = process.env.BENCH_PROFILE
    ? spawn(
        process.execPath,
        ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`, CLI, 'standalone', workerFile],
        { stdio: 'ignore', env: { ...process.env, TRIBUTARY_LOG_LEVEL: 'warn' } },
      )
    : await startWorker(workerFile);
  const url = `http://127.0.0.1:${rest}`;
  await waitUntil(async () => (await fetch(url)).ok, 30_000);
  await post(`${url}/connectors`, {
    name: 'syslog-bench',
    config: {
      'connector.class': 'io.confluent.connect.syslog.SyslogSourceConnector',
      'syslog.listener': 'TCP',
      'syslog.port': String(port),
      'syslog.listen.address': '127.0.0.1',
      topic: KAFKA ? TOPICS.ours : 'syslog',
      'syslog.queue.batch.size': process.env.BENCH_BATCH ?? '2000',
    },
  });
  const written = async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    const m = /tributary_task_records_written_total\{[^}]*connector="syslog-bench"[^}]*\} (\d+)/.exec(text);
    return m ? Number(m[1]) : 0;
  };
  await waitUntil(async () => {
    const s = await (await fetch(`${url}/connectors/syslog-bench/status`)).json();
    return s.tasks?.[0]?.state === 'RUNNING';
  }, 30_000);
  const cpu0 = cpuSeconds(child.pid);
  const t0 = performance.now();
  await send(port);
  await waitUntil(async () => (await written()) >= TOTAL, 600_000, 100);
  const secs = (performance.now() - t0) / 1000;
  const rss = peakRssMb(child.pid);
  const cpu = cpuSeconds(child.pid) - cpu0;
  await stop(child, 'SIGTERM', dir);
  return { secs, rss, cpu };
}

const load = loadavg()[0].toFixed(2);
const c = await ceiling();
const r = await ceiling(REFERENCE_SERVER, 'mjs');
const p = await ceiling(PARSING_SERVER, 'mjs');
const o = await ours();
if (KAFKA) {
  const { Kafka, logLevel } = kafkajs();
  const admin = new Kafka({ clientId: 'bench-syslog-cleanup', brokers: [KAFKA], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  await admin.deleteTopics({ topics: Object.values(TOPICS).filter((t) => existing.has(t)) });
  await admin.disconnect();
}
const rate = (r) => Math.round(TOTAL / r.secs);
console.log(
  `\nsyslog: ${TOTAL} RFC 5424 messages over ${CONNS} TCP connections (octet counting), log: ${KAFKA ? 'Kafka' : 'embedded'}; load average before: ${load}\n`,
);
// The machine is shared: wall-clock rates move with other people's load, CPU seconds much less.
console.log(
  table([
    ['', 'wall s', 'messages/s', 'ratio', 'receiver CPU s', 'msgs per CPU s', 'CPU ratio', 'peak RSS MB'],
    [
      'raw net server (frame + count)',
      c.secs.toFixed(2),
      rate(c),
      '1.00',
      c.cpu.toFixed(2),
      Math.round(TOTAL / c.cpu),
      '1.00',
      c.rss.toFixed(0),
    ],
    [
      'reference: frame + parse + JSON.stringify + log producer',
      r.secs.toFixed(2),
      rate(r),
      (rate(r) / rate(c)).toFixed(2),
      r.cpu.toFixed(2),
      Math.round(TOTAL / r.cpu),
      (c.cpu / r.cpu).toFixed(2),
      r.rss.toFixed(0),
    ],
    [
      'syslog connector alone (frame + parse + record)',
      p.secs.toFixed(2),
      rate(p),
      (rate(p) / rate(c)).toFixed(2),
      p.cpu.toFixed(2),
      Math.round(TOTAL / p.cpu),
      (c.cpu / p.cpu).toFixed(2),
      p.rss.toFixed(0),
    ],
    [
      'tributary syslog → log',
      o.secs.toFixed(2),
      rate(o),
      (rate(o) / rate(c)).toFixed(2),
      o.cpu.toFixed(2),
      Math.round(TOTAL / o.cpu),
      (c.cpu / o.cpu).toFixed(2),
      o.rss.toFixed(0),
    ],
  ]),
);
