/**
 * A log Producer over one idempotent kafkajs producer (acks=all). `send()` groups the records by
 * topic into one `sendBatch`, chooses every record's partition itself (explicit partition, else
 * Kafka's murmur2 of the key, else one partition per call for keyless records, like Kafka's sticky
 * partitioner) inside kafkajs's partitioner hook, where kafkajs's own metadata — which creates a
 * topic when the broker auto-creates topics — gives the partition count; it then maps each
 * partition's base offset back to one ack per input record, in input order.
 *
 * Batches of one producer go out one request at a time and in order, also across the runtime's
 * retries, with the batches queued meanwhile merged into the next request (ordered-sends.ts): with
 * the idempotent producer this keeps per-partition order through a broker outage without losing a
 * record.
 */
import type { Kafka, Message, Producer as KafkaJsProducer, ProducerConfig, RecordMetadata } from 'kafkajs';
import type { ProduceAck, ProduceRecord, Producer } from '../log.js';
import { partitionForKey } from '../embedded/murmur2.js';
import { toLogError } from './errors.js';
import { toKafkaHeaders } from './headers.js';
import { OrderedSends } from './ordered-sends.js';

/** Where the partitioner put each message of the batch being sent. */
type Placement = WeakMap<Message, number>;

export interface KafkaProducerOptions {
  readonly kafka: Kafka;
  readonly brokers: readonly string[];
  readonly config?: Partial<ProducerConfig>;
  /** Request timeout of one produce request. */
  readonly timeoutMs?: number;
  readonly compression?: number;
}

/**
 * kafkajs writes one record batch per partition per request and never splits it, while brokers
 * refuse batches over message.max.bytes (1 MiB by default): requests stay under this many bytes.
 */
const MAX_REQUEST_BYTES = 768 * 1024;

/** Roughly what a record takes in a v2 record batch. */
function recordSize(r: ProduceRecord): number {
  let n = 24 + (r.key?.byteLength ?? 0) + (r.value?.byteLength ?? 0);
  for (const h of r.headers ?? []) n += 8 + h.key.length + (h.value?.byteLength ?? 0);
  return n;
}

const toBuffer = (b: Uint8Array | null): Buffer | null =>
  b === null ? null : Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);

export class KafkaProducer implements Producer {
  private readonly producer: KafkaJsProducer;
  private connected: Promise<void> | null = null;
  private readonly order = new OrderedSends<ProduceRecord, ProduceAck>((rs) => this.sendInChunks(rs), {
    sizeOf: (r) => recordSize(r as ProduceRecord),
    maxBytes: MAX_REQUEST_BYTES,
  });
  /** The explicit or computed partition of each message of the current send. */
  private placement: Placement = new WeakMap();
  /** Sticky partition of keyless records, per topic, rotated per send() call. */
  private readonly sticky = new Map<string, number>();
  private stickyRound = 0;

  constructor(private readonly opts: KafkaProducerOptions) {
    this.producer = opts.kafka.producer({
      // The runtime's retry loop stays in charge: kafkajs tries a few times, then we raise a
      // RetriableError. Ordering across those retries is kept by OrderedSends.
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 3_000 },
      ...opts.config,
      idempotent: true,
      maxInFlightRequests: Math.min(5, opts.config?.maxInFlightRequests ?? 1),
      createPartitioner: () => ({ topic, partitionMetadata, message }) => this.partition(topic, partitionMetadata.length, message),
    });
  }

  send(records: readonly ProduceRecord[]): Promise<ProduceAck[]> {
    if (records.length === 0) return Promise.resolve([]);
    return this.order.run(records);
  }

  async close(): Promise<void> {
    this.order.close();
    if (this.connected) await this.producer.disconnect().catch(() => {});
    this.connected = null;
  }

  private async connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((err: unknown) => {
      this.connected = null;
      throw err;
    });
    await this.connected;
  }

  /** One request, or several in a row when the records exceed MAX_REQUEST_BYTES. */
  private async sendInChunks(records: readonly ProduceRecord[]): Promise<ProduceAck[]> {
    let bytes = 0;
    for (const r of records) bytes += recordSize(r);
    if (bytes <= MAX_REQUEST_BYTES) return this.sendNow(records);
    const acks: ProduceAck[] = [];
    let start = 0;
    bytes = 0;
    for (let i = 0; i < records.length; i++) {
      const size = recordSize(records[i]!);
      if (i > start && bytes + size > MAX_REQUEST_BYTES) {
        acks.push(...(await this.sendNow(records.slice(start, i))));
        start = i;
        bytes = 0;
      }
      bytes += size;
    }
    acks.push(...(await this.sendNow(records.slice(start))));
    return acks;
  }

  private async sendNow(records: readonly ProduceRecord[]): Promise<ProduceAck[]> {
    const now = Date.now();
    const byTopic = new Map<string, Message[]>();
    const messages: Message[] = [];
    const timestamps: number[] = [];
    this.placement = new WeakMap();
    this.stickyRound++;
    for (const r of records) {
      const ts = r.timestamp ?? now;
      const m: Message = { key: toBuffer(r.key), value: toBuffer(r.value), timestamp: String(ts), headers: toKafkaHeaders(r.headers) };
      // kafkajs only asks the partitioner for messages without a partition; those with one keep it.
      if (r.partition !== undefined && r.partition !== null && r.partition >= 0) {
        m.partition = r.partition;
        this.placement.set(m, r.partition);
      }
      messages.push(m);
      timestamps.push(ts);
      let list = byTopic.get(r.topic);
      if (!list) byTopic.set(r.topic, (list = []));
      list.push(m);
    }
    let metadata: RecordMetadata[];
    try {
      await this.connect();
      metadata = await this.producer.sendBatch({
        acks: -1,
        timeout: this.opts.timeoutMs,
        compression: this.opts.compression,
        topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })),
      });
    } catch (err) {
      throw toLogError(err, 'producing to Kafka', this.opts.brokers);
    }
    const base = new Map<string, number>();
    for (const m of metadata) base.set(`${m.topicName}\u0000${m.partition}`, Number(m.baseOffset));
    const next = new Map<string, number>();
    return records.map((r, i) => {
      const partition = this.placement.get(messages[i]!);
      if (partition === undefined) throw new Error(`kafkajs did not place a record of ${r.topic}`);
      const k = `${r.topic}\u0000${partition}`;
      const offset = next.get(k) ?? base.get(k);
      if (offset === undefined) throw new Error(`no acknowledgement from Kafka for ${r.topic}-${partition}`);
      next.set(k, offset + 1);
      return { topic: r.topic, partition, offset, timestamp: timestamps[i]! };
    });
  }

  /** kafkajs's partitioner hook: Kafka's murmur2 for keys, one sticky partition per call otherwise. */
  private partition(topic: string, count: number, message: Message): number {
    const known = this.placement.get(message);
    if (known !== undefined) return known;
    let p: number;
    const key = message.key;
    if (key !== null && key !== undefined) {
      p = partitionForKey(typeof key === 'string' ? Buffer.from(key) : key, count);
    } else {
      const last = this.sticky.get(topic);
      const round = this.sticky.get(`${topic}\u0000round`);
      if (last !== undefined && round === this.stickyRound && last < count) p = last;
      else {
        p = last === undefined ? Math.floor(Math.random() * count) : (last + 1) % count;
        this.sticky.set(topic, p);
        this.sticky.set(`${topic}\u0000round`, this.stickyRound);
      }
    }
    this.placement.set(message, p);
    return p;
  }
}
