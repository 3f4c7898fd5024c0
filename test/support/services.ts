import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './worker-process.js';

export type Service = 'kafka' | 'postgres' | 'elasticsearch' | 'cassandra' | 's3' | 'schema-registry';

/** Where the real servers of test/services listen. */
export const SERVICES = {
  kafka: '127.0.0.1:9092',
  postgres: { host: '127.0.0.1', port: 55432, user: 'postgres', password: 'postgres' },
  elasticsearch: 'http://127.0.0.1:9200',
  cassandra: { host: '127.0.0.1', port: 9042 },
  s3: {
    endpoint: 'http://127.0.0.1:9000',
    accessKeyId: 'tributary',
    secretAccessKey: 'tributary-secret',
    region: 'us-east-1',
  },
  schemaRegistry: 'http://127.0.0.1:8081/apis/ccompat/v7',
} as const;

const started = new Set<Service>();

/**
 * Brings up a real server with the project's own script (idempotent: a running server is left as it
 * is; a first run downloads and caches it). Call it in a test file's `before`.
 */
export function ensureService(...names: Service[]): void {
  const missing = names.filter((n) => !started.has(n));
  if (missing.length === 0) return;
  execFileSync('bash', [join(ROOT, 'test/services/up.sh'), ...missing], {
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 30 * 60_000,
  });
  for (const n of missing) started.add(n);
}

/** Stops a server (to test a target going away); `ensureService` brings it back. */
export function stopService(name: Service): void {
  execFileSync('bash', [join(ROOT, 'test/services/down.sh'), name], {
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 5 * 60_000,
  });
  started.delete(name);
}
