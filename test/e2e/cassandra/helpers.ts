import { readFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';
import { ROOT, waitFor, type WorkerProcess } from '../../support/worker-process.js';
import { SERVICES } from '../../support/services.js';

/** Fixtures are read from the source tree (tsc does not copy them to dist). */
export const FIXTURES = join(ROOT, 'test/e2e/cassandra');
export const SAMPLE_LOG = JSON.parse(readFileSync(join(FIXTURES, 'www-logs-sample.json'), 'utf8')) as {
  log: Record<string, string>;
};

export function cqlClient(): cassandra.Client {
  return new cassandra.Client({
    contactPoints: [SERVICES.cassandra.host],
    protocolOptions: { port: SERVICES.cassandra.port },
    localDataCenter: 'datacenter1',
    policies: { reconnection: new cassandra.policies.reconnection.ConstantReconnectionPolicy(500) },
    socketOptions: { readTimeout: 60_000 },
  });
}

/** Runs the statements of a .cql file of the fixtures (one statement per `;`). */
export async function runCqlFile(client: cassandra.Client, file: string): Promise<void> {
  const text = readFileSync(join(FIXTURES, file), 'utf8');
  for (const stmt of text
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean))
    await client.execute(stmt.replace(/^CREATE (KEYSPACE|TABLE) /i, 'CREATE $1 IF NOT EXISTS '));
}

export async function count(client: cassandra.Client, table: string): Promise<number> {
  const rs = await client.execute(`SELECT count(*) FROM ${table}`, [], { readTimeout: 60_000 } as never);
  return Number(rs.rows[0]!.count);
}

/** Waits until `table` holds at least `n` rows; returns the count. */
export async function waitForCount(
  client: cassandra.Client,
  table: string,
  n: number,
  timeoutMs = 180_000,
): Promise<number> {
  return waitFor(
    `${n} rows in ${table}`,
    async () => {
      const c = await count(client, table);
      return c >= n ? c : null;
    },
    timeoutMs,
    500,
  );
}

/** Appends lines to the file a FileStreamSource follows, in chunks (one append per chunk). */
export async function appendLines(file: string, lines: string[], chunk = 5000): Promise<void> {
  for (let i = 0; i < lines.length; i += chunk) await appendFile(file, lines.slice(i, i + chunk).join('\n') + '\n');
}

/** A FileStreamSource that turns each line of `file` into a string record of `topic`. */
export function fileSource(name: string, file: string, topic: string) {
  return { name, config: { 'connector.class': 'FileStreamSource', 'tasks.max': '1', file, topic } };
}

/** The Cassandra sink reading plain JSON values (no schemas) from `topic`. */
export function cassandraSink(name: string, topic: string, extra: Record<string, string>) {
  return {
    name,
    config: {
      'connector.class': 'com.datastax.oss.kafka.sink.CassandraSinkConnector',
      'tasks.max': '1',
      topics: topic,
      contactPoints: SERVICES.cassandra.host,
      port: String(SERVICES.cassandra.port),
      'loadBalancing.localDc': 'datacenter1',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
      ...extra,
    },
  };
}

export interface TaskState {
  state: string;
  trace?: string;
}

export async function taskState(w: WorkerProcess, connector: string): Promise<TaskState | undefined> {
  const r = await w.request<{ tasks: TaskState[] }>('GET', `/connectors/${connector}/status`);
  return r.status === 200 ? r.body.tasks[0] : undefined;
}

/** A web-server log entry shaped like the brief's sample, varied by `i`. */
export function logLine(i: number): string {
  const l = SAMPLE_LOG.log;
  return JSON.stringify({
    log: { ...l, source: `www${i % 4}`, type: i % 10 === 0 ? 'www_error' : l.type, log: `${i} ${l.log}` },
  });
}
