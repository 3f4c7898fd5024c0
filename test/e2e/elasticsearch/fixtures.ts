import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openEmbeddedLog } from '@tributary/connect-runtime';
import { ROOT, waitFor } from '../../support/worker-process.js';
import { SERVICES } from '../../support/services.js';

export const ES = SERVICES.elasticsearch;
/** Copies of ../shared/examples/es-sink.json and logon-enriched-sample.json, byte for byte. */
export const EXAMPLES = join(ROOT, 'test/e2e/elasticsearch');

/** A plain fetch against Elasticsearch; tests read the index the way a user would (curl). */
export async function es<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${ES}${path}`, {
    method,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    headers:
      body === undefined
        ? {}
        : { 'content-type': typeof body === 'string' ? 'application/x-ndjson' : 'application/json' },
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export async function deleteIndices(...names: string[]): Promise<void> {
  for (const n of names) await es('DELETE', `/${n}?ignore_unavailable=true`);
}

/** Documents visible to search (within the 1 s refresh interval; `refresh` makes it exact, at a cost to indexing). */
export async function count(index: string, refresh = false): Promise<number> {
  if (refresh) await es('POST', `/${index}/_refresh`);
  const r = await es<{ count?: number }>('GET', `/${index}/_count`);
  return r.body.count ?? 0;
}

export async function waitForCount(index: string, n: number, timeoutMs: number): Promise<number> {
  return waitFor(
    `${n} documents in ${index}`,
    async () => {
      const c = await count(index);
      return c >= n ? count(index, true) : null;
    },
    timeoutMs,
    1000,
  );
}

/** Every document of an index, by id (search_after over _id would need fielddata; _doc order with a PIT). */
export async function allDocs(
  index: string,
): Promise<Map<string, { source: Record<string, unknown>; version?: number }>> {
  const out = new Map<string, { source: Record<string, unknown>; version?: number }>();
  const pit = (await es<{ id: string }>('POST', `/${index}/_pit?keep_alive=2m`)).body.id;
  let after: unknown[] | undefined;
  for (;;) {
    const r = await es<{
      hits: { hits: { _id: string; _source: Record<string, unknown>; _version?: number; sort: unknown[] }[] };
    }>('POST', '/_search', {
      size: 10_000,
      version: true,
      pit: { id: pit, keep_alive: '2m' },
      sort: [{ _shard_doc: 'asc' }],
      ...(after ? { search_after: after } : {}),
    });
    const hits = r.body.hits.hits;
    if (hits.length === 0) break;
    for (const h of hits) out.set(h._id, { source: h._source, version: h._version });
    after = hits[hits.length - 1]!.sort;
  }
  await es('DELETE', '/_pit', { id: pit });
  return out;
}

/** Appends keyed records to a worker's embedded log while the worker is not running. */
export async function produce(
  logDir: string,
  records: { topic: string; key: string | null; value: string | null }[],
): Promise<void> {
  const log = await openEmbeddedLog({ dir: logDir });
  const producer = log.producer();
  const enc = new TextEncoder();
  for (let i = 0; i < records.length; i += 5000) {
    await producer.send(
      records.slice(i, i + 5000).map((r) => ({
        topic: r.topic,
        key: r.key === null ? null : enc.encode(r.key),
        value: r.value === null ? null : enc.encode(r.value),
      })),
    );
  }
  await producer.close();
  await log.close();
}

export async function exampleConfig(): Promise<{ name: string; config: Record<string, string> }> {
  return JSON.parse(await readFile(join(EXAMPLES, 'es-sink.json'), 'utf8'));
}

/** Kafka Connect's JSON schema of a struct of optional fields, as JsonConverter with schemas.enable=true writes it. */
export function structSchema(name: string, fields: [string, string, Record<string, unknown>?][]): object {
  return {
    type: 'struct',
    name,
    optional: false,
    fields: fields.map(([field, type, extra]) => ({ field, type, optional: true, ...(extra ?? {}) })),
  };
}

/** The fields and types of the brief's LOGON_ENRICHED records (logon-enriched-sample.json). */
export const LOGON_SCHEMA = structSchema('LOGON_ENRICHED', [
  ['CUST_LAST_NAME', 'string'],
  ['CUSTOMER_SINCE_YRS', 'double'],
  ['CUSTOMER_SINCE', 'string'],
  ['CUSTOMER_CLASS', 'string'],
  ['LOGON_DATE', 'string'],
  ['C_CUSTOMER_ID', 'int64'],
  ['CUST_FULL_NAME', 'string'],
  ['CUST_EMAIL', 'string'],
  ['LOGON_ID', 'int64'],
  ['CUST_FIRST_NAME', 'string'],
]);

/** ORDERS_AGG_HOURLY_WITH_WINDOW: an hourly aggregate with a Decimal total and its window start as text. */
export const ORDERS_SCHEMA = structSchema('ORDERS_AGG_HOURLY', [
  ['ORDER_STATUS', 'string'],
  ['ORDER_COUNT', 'int64'],
  ['ORDER_TOTAL', 'bytes', { name: 'org.apache.kafka.connect.data.Decimal', version: 1, parameters: { scale: '2' } }],
  ['WINDOW_START_TS', 'string'],
]);

export function envelope(schema: object, payload: unknown): string {
  return JSON.stringify({ schema, payload });
}

/** Base64 of the unscaled two's-complement bytes of a non-negative decimal at `scale` (JsonConverter's Decimal). */
export function decimalBase64(text: string, scale: number): string {
  const [i, f = ''] = text.split('.');
  let hex = BigInt(i + f.padEnd(scale, '0')).toString(16);
  if (hex.length % 2) hex = '0' + hex;
  if (parseInt(hex.slice(0, 2), 16) & 0x80) hex = '00' + hex;
  return Buffer.from(hex, 'hex').toString('base64');
}
