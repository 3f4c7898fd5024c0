/**
 * Turns log records into the client's messages for one produce request, choosing each record's
 * partition as Kafka's clients do — the record's own, else murmur2 of the key, else one partition
 * per request and topic for keyless records (the sticky partitioner) — and maps the request's base
 * offsets back to one ack per record, in input order. Shared by the plain and the transactional
 * producer.
 */
import { RetriableError } from '@tributary/connect-api';
import type { MessageToProduce, Producer as ClientProducer } from '@platformatic/kafka';
import { partitionForKey } from '../embedded/murmur2.js';
import type { ProduceAck, ProduceRecord } from '../log.js';

/** Brokers refuse a partition's batch over message.max.bytes (1 MiB by default). */
export const DEFAULT_REQUEST_BYTES = 900 * 1024;
/** The JS client is fastest at 500–1000 records per request (bench/kafka-source.mjs). */
export const DEFAULT_REQUEST_RECORDS = 1000;

export interface PlacedBatch {
  readonly messages: MessageToProduce[];
  /** One ack per record from the request's `{topic, partition, offset}` base offsets. */
  acks(offsets: ReadonlyArray<{ topic: string; partition: number; offset: bigint }>): ProduceAck[];
}

/** Roughly what a record takes in a v2 record batch. */
export function recordSize(r: ProduceRecord): number {
  let n = 24 + (r.key?.byteLength ?? 0) + (r.value?.byteLength ?? 0);
  if (r.headers) for (const h of r.headers) n += 8 + h.key.length + (h.value?.byteLength ?? 0);
  return n;
}

/**
 * `records` cut into requests of at most `maxRecords` records and about `maxBytes` bytes (one record may exceed it).
 */
export function* requestChunks(
  records: readonly ProduceRecord[],
  maxRecords: number,
  maxBytes: number,
): Generator<readonly ProduceRecord[]> {
  let start = 0;
  while (start < records.length) {
    let end = start;
    let bytes = 0;
    while (end < records.length && end - start < maxRecords) {
      const size = recordSize(records[end]!);
      if (end > start && bytes + size > maxBytes) break;
      bytes += size;
      end++;
    }
    yield start === 0 && end === records.length ? records : records.slice(start, end);
    start = end;
  }
}

const toBuffer = (b: Uint8Array | null): Buffer | null =>
  b === null ? null : Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/** Header names as buffers, made once per name (a record reuses a name's buffer unless it repeats). */
const headerKeys = new Map<string, Buffer>();

function headerKey(name: string, taken: Map<Buffer, Buffer | null>): Buffer {
  let b = headerKeys.get(name);
  if (b === undefined) {
    b = Buffer.from(name);
    if (headerKeys.size < 10_000) headerKeys.set(name, b);
  }
  // The client keys a record's headers by buffer: a name that repeats needs a buffer of its own.
  return taken.has(b) ? Buffer.from(name) : b;
}

export class Placement {
  /** Sticky partition of keyless records per topic; moves on at every request. */
  private readonly sticky = new Map<string, number>();

  /** Places `records` with the partition counts the client's metadata gives (creating topics as the broker allows). */
  async place(client: ClientProducer, records: readonly ProduceRecord[]): Promise<PlacedBatch> {
    const topics = new Set<string>();
    for (const r of records) topics.add(r.topic);
    const metadata = await client.metadata({ topics: [...topics], autocreateTopics: true });
    const counts = new Map<string, number>();
    for (const t of topics) {
      const count = metadata.topics.get(t)?.partitionsCount ?? 0;
      if (count <= 0) throw new RetriableError(`topic ${t} has no partitions yet`, { code: 'LOG_UNAVAILABLE' });
      counts.set(t, count);
    }
    const now = Date.now();
    const placed = new Int32Array(records.length);
    const timestamps = new Float64Array(records.length);
    const messages: MessageToProduce[] = new Array(records.length);
    const round = new Map<string, number>();
    let lastTs = NaN;
    let lastBig = 0n;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      const count = counts.get(r.topic)!;
      let partition: number;
      if (r.partition !== undefined && r.partition !== null && r.partition >= 0) partition = r.partition;
      else if (r.key !== null) partition = count === 1 ? 0 : partitionForKey(toBuffer(r.key)!, count);
      else partition = round.get(r.topic) ?? this.nextSticky(r.topic, count, round);
      placed[i] = partition;
      const ts = r.timestamp ?? now;
      timestamps[i] = ts;
      let headers: Map<Buffer, Buffer | null> | undefined;
      if (r.headers && r.headers.length > 0) {
        headers = new Map();
        // Distinct key buffers within a record, so a header name may repeat (a, b, a) as Kafka allows.
        for (const h of r.headers) headers.set(headerKey(h.key, headers), toBuffer(h.value));
      }
      messages[i] = {
        topic: r.topic,
        partition,
        key: toBuffer(r.key) ?? undefined,
        value: toBuffer(r.value) ?? undefined,
        timestamp: ts === lastTs ? lastBig : (lastBig = BigInt((lastTs = ts))),
        headers: headers as MessageToProduce['headers'],
      };
    }
    return {
      messages,
      acks: (offsets) => {
        if (offsets.length === 1) {
          // One partition in the request: its records follow its base offset.
          const { topic, partition } = offsets[0]!;
          const base = Number(offsets[0]!.offset);
          return Array.from({ length: records.length }, (_, i) => ({
            topic,
            partition,
            offset: base + i,
            timestamp: timestamps[i]!,
          }));
        }
        const next = new Map<string, number>();
        for (const o of offsets) next.set(`${o.topic}\u0000${o.partition}`, Number(o.offset));
        const acks: ProduceAck[] = new Array(records.length);
        for (let i = 0; i < records.length; i++) {
          const topic = records[i]!.topic;
          const partition = placed[i]!;
          const k = `${topic}\u0000${partition}`;
          const offset = next.get(k);
          if (offset === undefined) throw new Error(`no acknowledgement from Kafka for ${topic}-${partition}`);
          next.set(k, offset + 1);
          acks[i] = { topic, partition, offset, timestamp: timestamps[i]! };
        }
        return acks;
      },
    };
  }

  private nextSticky(topic: string, count: number, round: Map<string, number>): number {
    const last = this.sticky.get(topic);
    const p = last === undefined || last >= count ? Math.floor(Math.random() * count) : (last + 1) % count;
    this.sticky.set(topic, p);
    round.set(topic, p);
    return p;
  }
}
