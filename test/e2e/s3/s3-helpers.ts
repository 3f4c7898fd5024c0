import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import avro from 'avsc';
import parquet from '@dsnp/parquetjs';
import { SERVICES } from '../../support/services.js';
import { CLI } from '../../support/worker-process.js';

export const s3 = new S3Client({
  endpoint: SERVICES.s3.endpoint,
  region: SERVICES.s3.region,
  forcePathStyle: true,
  credentials: { accessKeyId: SERVICES.s3.accessKeyId, secretAccessKey: SERVICES.s3.secretAccessKey },
  maxAttempts: 10,
});

/** A fresh bucket per test, so runs never see each other's objects. */
export async function freshBucket(prefix: string): Promise<string> {
  const name = `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

/** The S3 keys of a sink config pointed at the local server. */
export function s3Props(bucket: string): Record<string, string> {
  return {
    's3.bucket.name': bucket,
    's3.region': SERVICES.s3.region,
    'store.url': SERVICES.s3.endpoint,
    'aws.access.key.id': SERVICES.s3.accessKeyId,
    'aws.secret.access.key': SERVICES.s3.secretAccessKey,
    'retry.backoff.ms': '500',
  };
}

export async function listKeys(bucket: string, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const res = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of res.Contents ?? []) keys.push(o.Key!);
    token = res.IsTruncated ? res.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

export async function getBytes(bucket: string, key: string): Promise<Buffer> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

/** JSON lines of an object (gunzipped when the key ends in .gz). */
export async function jsonLines(bucket: string, key: string): Promise<unknown[]> {
  let b = await getBytes(bucket, key);
  if (key.endsWith('.gz')) b = gunzipSync(b);
  const text = b.toString('utf8');
  return text === ''
    ? []
    : text
        .slice(0, -1)
        .split('\n')
        .map((l) => JSON.parse(l));
}

/** Records of an Avro container file, decoded by avsc's own decoder, and the writer schema. */
export async function avroRecords(bytes: Buffer): Promise<{ schema: unknown; records: unknown[] }> {
  const decoder = new avro.streams.BlockDecoder();
  let schema: unknown = null;
  decoder.on('metadata', (type: avro.Type) => {
    schema = type.schema();
  });
  const records: unknown[] = [];
  decoder.on('data', (r: unknown) => records.push(r));
  await new Promise<void>((resolve, reject) => {
    decoder.on('end', resolve).on('error', reject);
    Readable.from([bytes]).pipe(decoder);
  });
  return { schema, records };
}

/** Rows of a Parquet file, read by parquetjs's reader. */
export async function parquetRows(bytes: Buffer): Promise<Record<string, unknown>[]> {
  const reader = await parquet.ParquetReader.openBuffer(bytes);
  const cursor = reader.getCursor();
  const rows: Record<string, unknown>[] = [];
  for (let r = await cursor.next(); r; r = await cursor.next()) rows.push(r as Record<string, unknown>);
  await reader.close();
  return rows;
}

/** Every record of a topic in a worker's embedded log, via `tributary consume`. */
export function consumeTopic(logDir: string, topic: string): { value: unknown }[] {
  const out = execFileSync(
    process.execPath,
    [CLI, 'consume', topic, '--log-dir', logDir, '--from-beginning', '--timeout-ms', '2000'],
    { maxBuffer: 1 << 28 },
  ).toString();
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}

/** A JsonConverter envelope (schemas.enable=true) for an order, as one line. */
export function orderEnvelope(i: number): string {
  const schema = {
    type: 'struct',
    name: 'io.tributary.Order',
    optional: false,
    fields: [
      { field: 'ORDER_ID', type: 'int64', optional: false },
      { field: 'CUSTOMER', type: 'string', optional: false },
      { field: 'REGION', type: 'string', optional: true },
      { field: 'AMOUNT', type: 'double', optional: false },
      { field: 'ITEMS', type: 'array', items: { type: 'string', optional: false }, optional: false },
    ],
  };
  const payload = {
    ORDER_ID: i,
    CUSTOMER: `customer-${i % 7}`,
    REGION: i % 3 === 0 ? null : ['eu', 'us'][i % 2],
    AMOUNT: i * 1.5,
    ITEMS: [`sku-${i}`, `sku-${i + 1}`],
  };
  return JSON.stringify({ schema, payload });
}
