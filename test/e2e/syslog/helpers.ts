import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openEmbeddedLog } from '@tributary/connect-runtime';
import { ROOT, waitFor, type WorkerProcess } from '../../support/worker-process.js';

const run = promisify(execFile);

/** The real clients these tests drive, installed from Debian by the project's own script when missing. */
export function requireClients(): void {
  execFileSync('bash', [join(ROOT, 'test/services/clients.sh'), 'syslog'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 10 * 60_000,
  });
  const missing = ['logger', 'rsyslogd', 'openssl'].filter((c) => {
    try {
      execFileSync('sh', ['-c', `command -v ${c}`]);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    throw new Error(
      `syslog e2e tests need ${missing.join(', ')}: apt-get install -y bsdutils rsyslog rsyslog-openssl openssl`,
    );
  }
}

/** util-linux `logger` pointed at a port. */
export async function logger(args: string[]): Promise<void> {
  await run('logger', args);
}

/** Worker props every syslog e2e test uses: values as schemaless JSON, so tests read plain objects. */
export const JSON_VALUES = {
  'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'value.converter.schemas.enable': 'false',
};

export interface TopicRecord {
  key: string | null;
  value: Record<string, unknown>;
  headers: Record<string, string | null>;
  offset: number;
}

/**
 * Every record of `topic`, read from the worker's log (read-only, while it runs). The embedded log
 * today; this is the one place to change when the tests run on Kafka.
 */
export async function readTopic(w: WorkerProcess, topic: string, parse = true): Promise<TopicRecord[]> {
  const log = await openEmbeddedLog({ dir: join(w.dir, 'log'), readOnly: true });
  try {
    if (!(await log.admin().listTopics()).includes(topic)) return [];
    const consumer = log.consumer({
      groupId: `syslog-test-${process.pid}-${Date.now()}`,
      topics: [topic],
      autoOffsetReset: 'earliest',
    });
    await consumer.start();
    const high = (await log.admin().partitionOffsets(topic)).reduce((n, p) => n + p.high - p.low, 0);
    const out: TopicRecord[] = [];
    const text = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('utf8'));
    let idle = 0;
    while (out.length < high && idle < 5) {
      const batch = await consumer.poll(500);
      idle = batch.length === 0 ? idle + 1 : 0;
      for (const r of batch) {
        out.push({
          key: text(r.key),
          value: parse ? JSON.parse(text(r.value)!) : { text: text(r.value) },
          offset: r.offset,
          headers: Object.fromEntries(r.headers.map((h) => [h.key, text(h.value)])),
        });
      }
    }
    await consumer.close();
    return out;
  } finally {
    await log.close();
  }
}

/** Calls `fn` with the value text of every record of `topic`, without keeping them (for big topics). */
export async function scanTopic(w: WorkerProcess, topic: string, fn: (value: string) => void): Promise<number> {
  const log = await openEmbeddedLog({ dir: join(w.dir, 'log'), readOnly: true });
  try {
    const high = (await log.admin().partitionOffsets(topic)).reduce((n, p) => n + p.high - p.low, 0);
    const consumer = log.consumer({
      groupId: `syslog-scan-${process.pid}-${Date.now()}`,
      topics: [topic],
      autoOffsetReset: 'earliest',
      maxPollRecords: 10_000,
    });
    await consumer.start();
    let n = 0;
    let idle = 0;
    while (n < high && idle < 5) {
      const batch = await consumer.poll(500);
      idle = batch.length === 0 ? idle + 1 : 0;
      for (const r of batch) {
        fn(Buffer.from(r.value!).toString('utf8'));
        n++;
      }
    }
    await consumer.close();
    return n;
  } finally {
    await log.close();
  }
}

/** Records in `topic` (sum over partitions), without reading them. */
export async function countTopic(w: WorkerProcess, topic: string): Promise<number> {
  const log = await openEmbeddedLog({ dir: join(w.dir, 'log'), readOnly: true });
  try {
    if (!(await log.admin().listTopics()).includes(topic)) return 0;
    return (await log.admin().partitionOffsets(topic)).reduce((n, p) => n + p.high - p.low, 0);
  } finally {
    await log.close();
  }
}

/** Waits until `topic` holds at least `n` records. */
export async function waitForCount(w: WorkerProcess, topic: string, n: number, timeoutMs = 30_000): Promise<number> {
  return waitFor(
    `${n} records in ${topic}`,
    async () => {
      const c = await countTopic(w, topic);
      return c >= n ? c : null;
    },
    timeoutMs,
    200,
  );
}

export function syslogConnector(name: string, config: Record<string, string>) {
  return {
    name,
    config: {
      'connector.class': 'io.confluent.connect.syslog.SyslogSourceConnector',
      'syslog.listen.address': '127.0.0.1',
      ...JSON_VALUES,
      ...config,
    },
  };
}

/** Creates a connector and waits for its task to be RUNNING (it then listens). */
export async function createConnector(
  w: WorkerProcess,
  body: { name: string; config: Record<string, string> },
): Promise<void> {
  const res = await w.request('POST', '/connectors', body);
  if (res.status !== 201) throw new Error(`creating ${body.name}: ${res.status} ${JSON.stringify(res.body)}`);
  await waitFor(`${body.name} running`, async () => {
    const s = await w.request<{ tasks: Array<{ state: string; trace?: string }> }>(
      'GET',
      `/connectors/${body.name}/status`,
    );
    const t = s.body.tasks?.[0];
    if (t?.state === 'FAILED') throw new Error(`${body.name} failed: ${t.trace}`);
    return t?.state === 'RUNNING';
  });
}

export async function tcpConnect(port: number): Promise<Socket> {
  const s = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('error', reject);
  });
  return s;
}

/** Writes `data` and closes, resolving once everything was handed to the kernel. */
export async function tcpSend(port: number, data: string | Buffer): Promise<void> {
  const s = await tcpConnect(port);
  await new Promise<void>((resolve, reject) => {
    s.on('error', reject);
    s.end(data, () => resolve());
  });
}

/** A self-signed certificate for 127.0.0.1 / localhost, made with openssl. */
export async function selfSignedCert(dir: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '2',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ]);
  return { cert, key };
}

/**
 * rsyslogd in the foreground with only our config: an imudp input on `inPort`, forwarding every
 * message to each of `actions` (omfwd parameter strings).
 */
export async function startRsyslog(
  dir: string,
  inPort: number,
  actions: string[],
  globals = '',
): Promise<ChildProcess> {
  const conf = join(dir, 'rsyslog.conf');
  await writeFile(
    conf,
    [
      `global(workDirectory="${dir}" ${globals})`,
      'module(load="imudp")',
      `input(type="imudp" address="127.0.0.1" port="${inPort}")`,
      ...actions.map((a) => `action(type="omfwd" target="127.0.0.1" ${a})`),
      '',
    ].join('\n'),
  );
  const child = spawn('rsyslogd', ['-n', '-f', conf, '-i', join(dir, 'rsyslog.pid')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    output += d.toString();
  });
  await new Promise((r) => setTimeout(r, 500));
  if (child.exitCode !== null) throw new Error(`rsyslogd exited ${child.exitCode}: ${output}`);
  return child;
}
