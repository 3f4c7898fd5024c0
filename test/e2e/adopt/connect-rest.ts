// Shared pieces of the adopt e2e tests: a Java Kafka Connect distributed worker from bench/debezium.mjs, and
// the few REST calls the tests make to either cluster.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../../support/worker-process.js';

export interface JavaWorker {
  url: string;
  alive(): boolean;
  stop(): Promise<void>;
}

export interface Status {
  connector: { state: string };
  tasks: Array<{ state: string }>;
}

/** Kafka Connect 3.9.2 distributed (from Maven Central, cached) in `dir`, in its own group and internal topics. */
export async function startJavaConnect(o: { dir: string; group: string; mirror?: boolean }): Promise<JavaWorker> {
  const bench = (await import(pathToFileURL(join(ROOT, 'bench/debezium.mjs')).href)) as {
    startConnectDistributed(o: { dir: string; group: string; mirror?: boolean }): Promise<JavaWorker>;
  };
  return bench.startConnectDistributed(o);
}

export async function status(url: string, name: string): Promise<Status | null> {
  const r = await fetch(`${url}/connectors/${name}/status`);
  return r.ok ? ((await r.json()) as Status) : null;
}

export const running = (s: Status | null): boolean =>
  s?.connector.state === 'RUNNING' && s.tasks.length > 0 && s.tasks.every((t) => t.state === 'RUNNING');

export async function create(url: string, name: string, config: Record<string, string>): Promise<void> {
  const r = await fetch(`${url}/connectors`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, config }),
  });
  assert.ok(r.status < 300, `creating ${name}: ${r.status} ${await r.text()}`);
}
