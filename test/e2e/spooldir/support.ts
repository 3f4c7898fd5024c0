import { spawn } from 'node:child_process';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI, ROOT, WorkerProcess, waitFor } from '../../support/worker-process.js';

/** The product brief's example config, as shipped in test/e2e/spooldir (copied from shared/examples). */
export const EXAMPLE = join(ROOT, 'test/e2e/spooldir/csv-source-orders.json');

export interface SpoolDirs {
  source: string;
  finished: string;
  error: string;
}

export async function spoolDirs(base: string): Promise<SpoolDirs> {
  const d = { source: join(base, 'source'), finished: join(base, 'finished'), error: join(base, 'error') };
  for (const p of Object.values(d)) await mkdir(p, { recursive: true });
  return d;
}

/** The example config with only the three paths changed (and optionally more keys). */
export async function exampleConfig(
  dirs: SpoolDirs,
  extra: Record<string, string> = {},
  name?: string,
): Promise<{ name: string; config: Record<string, string> }> {
  const c = JSON.parse(await readFile(EXAMPLE, 'utf8')) as { name: string; config: Record<string, string> };
  c.config['input.path'] = dirs.source;
  c.config['finished.path'] = dirs.finished;
  c.config['error.path'] = dirs.error;
  Object.assign(c.config, extra);
  if (name) c.name = name;
  return c;
}

const PRODUCTS = [
  'Macaroons - Homestyle Two Bit',
  '"Wine - Sherry Dry Sack, William"',
  'Onions - Spanish',
  'Bread - Rye',
];

/** One orders row as the sample file has them; order ids are global so files can be told apart. */
export function orderRow(id: number): string {
  const ts = new Date(Date.UTC(2018, 1, 1) + id * 61_000).toISOString().replace('.000Z', 'Z');
  return `${id},${(id * 7919) % 1000},${ts},${PRODUCTS[id % PRODUCTS.length]},${((id % 997) + 1.5).toFixed(2)}`;
}

export const HEADER = 'order_id,customer_id,order_ts,product,order_total_usd';

/** Writes `rows` order rows (ids from `firstId`) to `path` in chunks, never building the whole file. */
export async function writeOrders(
  path: string,
  firstId: number,
  rows: number,
  bad: Map<number, string> = new Map(),
): Promise<void> {
  const tmp = `${path}.tmp-writing`;
  await writeFile(tmp, `${HEADER}\n`);
  const { appendFile, rename } = await import('node:fs/promises');
  const chunk = 50_000;
  for (let i = 0; i < rows; i += chunk) {
    const lines: string[] = [];
    for (let j = i; j < Math.min(rows, i + chunk); j++) lines.push(bad.get(firstId + j) ?? orderRow(firstId + j));
    await appendFile(tmp, lines.join('\n') + '\n');
  }
  await rename(tmp, path); // appears whole: the name matches the pattern only once complete
}

export interface Consumed {
  key: string | null;
  value: string | null;
  headers: Record<string, string | null>;
}

/** Where a test's worker writes: the embedded log (default) or Kafka (`bootstrap.servers` in the worker props). */
export function logArgs(w: WorkerProcess): string[] {
  const servers = w.props['bootstrap.servers'];
  return servers ? ['--bootstrap-server', servers] : ['--log-dir', join(w.dir, 'log')];
}

/** `tributary consume TOPIC --log-dir …|--bootstrap-server … --from-beginning`, parsed. */
export async function consume(w: WorkerProcess, topic: string): Promise<Consumed[]> {
  const timeout = w.props['bootstrap.servers'] ? '5000' : '1500';
  const child = spawn(
    process.execPath,
    [CLI, 'consume', topic, ...logArgs(w), '--from-beginning', '--timeout-ms', timeout, '--print-key'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  if (code !== 0) throw new Error(`consume exited ${code}: ${err}`);
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Consumed);
}

export async function files(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

export async function connectorStatus(
  w: WorkerProcess,
  name: string,
): Promise<{ connector: { state: string; trace?: string }; tasks: Array<{ state: string; trace?: string }> }> {
  return (
    await w.request<{ connector: { state: string; trace?: string }; tasks: Array<{ state: string; trace?: string }> }>(
      'GET',
      `/connectors/${name}/status`,
    )
  ).body;
}

export async function waitForFiles(dir: string, n: number, timeoutMs = 60_000): Promise<string[]> {
  return waitFor(
    `${n} file(s) in ${dir}`,
    async () => {
      const f = await files(dir);
      return f.length >= n ? f : null;
    },
    timeoutMs,
    100,
  );
}

/** Worker props for typed output: JsonConverter with schemas for keys and values. */
export const JSON_CONVERTERS = {
  'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'key.converter.schemas.enable': 'true',
  'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'value.converter.schemas.enable': 'true',
};
