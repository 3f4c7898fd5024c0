/**
 * A log Producer over one idempotent @platformatic/kafka producer (acks=all).
 *
 * The producer owns ordering and retries, whatever its callers do: every `send()` joins one queue,
 * requests go out one at a time in queue order (batches queued behind a request in flight are
 * merged into the next one, up to a request's size), and a request that fails for a transient
 * reason (broker away, leader moving, TLS or SASL refused) is retried — the same records, before
 * anything queued after them — with backoff until it succeeds or the producer is closed, as Kafka
 * Connect runs its source producers (`delivery.timeout.ms` unbounded). So records of one partition
 * keep their order across retries and outages, and `send()` rejects only for a reason that retrying
 * cannot fix (then with a ConnectError) or because the producer was closed (RetriableError).
 *
 * Partitions are chosen as Kafka's clients choose them (placement.ts).
 */
import { RetriableError } from '@tributary/connect-api';
import { Producer as ClientProducer, type CompressionAlgorithmValue } from '@platformatic/kafka';
import type { Logger } from '../../logging.js';
import type { ProduceAck, ProduceRecord, Producer } from '../log.js';
import { reasonOf, toLogError, isTransientKafkaError } from './errors.js';
import { DEFAULT_REQUEST_BYTES, DEFAULT_REQUEST_RECORDS, Placement, recordSize, requestChunks } from './placement.js';
import { intSetting, KafkaSettingsError, type ConnectionSettings } from './settings.js';

export interface KafkaProducerOptions {
  readonly connection: ConnectionSettings;
  /** Kafka's producer keys in force (worker `producer.*` and connector overrides, prefix removed). */
  readonly props: Readonly<Record<string, string>>;
  readonly logger: Logger;
  /** Told of every failed attempt and of the first success after one (for health reporting). */
  readonly onAttempt?: (error: Error | null) => void;
}

interface Pending {
  readonly records: readonly ProduceRecord[];
  readonly bytes: number;
  resolve(acks: ProduceAck[]): void;
  reject(err: unknown): void;
}

const COMPRESSION = new Set(['none', 'gzip', 'snappy', 'lz4', 'zstd']);

export class KafkaProducer implements Producer {
  private readonly client: ClientProducer;
  private readonly compression: CompressionAlgorithmValue | undefined;
  private readonly maxRequestBytes: number;
  private readonly maxRequestRecords: number;
  private readonly backoffMaxMs: number;
  private queue: Pending[] = [];
  private pumping = false;
  private closed = false;
  private wakeBackoff: (() => void) | null = null;
  private readonly placement = new Placement();

  constructor(private readonly o: KafkaProducerOptions) {
    const p = o.props;
    const compression = (p['compression.type'] ?? 'none').toLowerCase();
    if (!COMPRESSION.has(compression))
      throw new KafkaSettingsError(
        'producer.compression.type',
        `unknown compression "${p['compression.type']}" (none, gzip, snappy, lz4, zstd)`,
      );
    this.compression = compression === 'none' ? undefined : (compression as CompressionAlgorithmValue);
    this.maxRequestBytes = Math.min(intSetting(p, 'max.request.size', DEFAULT_REQUEST_BYTES), DEFAULT_REQUEST_BYTES);
    this.maxRequestRecords = DEFAULT_REQUEST_RECORDS;
    this.backoffMaxMs = intSetting(p, 'retry.backoff.max.ms', 10_000);
    const c = o.connection;
    this.client = new ClientProducer({
      clientId: c.clientId,
      bootstrapBrokers: c.brokers,
      tls: c.tls,
      sasl: c.sasl,
      connectTimeout: c.connectTimeout,
      requestTimeout: c.requestTimeout,
      metadataMaxAge: c.metadataMaxAge,
      timeout: c.requestTimeout,
      // A few quick tries inside the client for a leader move; outages are ridden out below.
      retries: 2,
      retryDelay: 200,
      idempotent: true,
      acks: -1,
      autocreateTopics: true,
    });
  }

  send(records: readonly ProduceRecord[]): Promise<ProduceAck[]> {
    if (records.length === 0) return Promise.resolve([]);
    if (this.closed) return Promise.reject(closedError());
    let bytes = 0;
    for (const r of records) bytes += recordSize(r);
    return new Promise((resolve, reject) => {
      this.queue.push({ records, bytes, resolve, reject });
      if (!this.pumping) void this.pump();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakeBackoff?.();
    const queued = this.queue;
    this.queue = [];
    for (const p of queued) p.reject(closedError());
    await this.client.close(true).catch((err: unknown) => this.o.logger.debug({ err }, 'closing the Kafka producer'));
  }

  /** Sends the queue head (merged with what follows it) until the queue is empty. */
  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const group = this.takeRequest();
        const records = group.length === 1 ? group[0]!.records : group.flatMap((p) => p.records);
        let acks: ProduceAck[];
        try {
          acks = await this.sendUntilDone(records);
        } catch (err) {
          for (const p of group) p.reject(err);
          continue;
        }
        let at = 0;
        for (const p of group) p.resolve(acks.slice(at, (at += p.records.length)));
      }
    } finally {
      this.pumping = false;
    }
  }

  /** The queue head and the batches after it that fit in one request (a big batch goes alone). */
  private takeRequest(): Pending[] {
    let n = 0;
    let records = 0;
    let bytes = 0;
    for (const p of this.queue) {
      if (n > 0 && (records + p.records.length > this.maxRequestRecords || bytes + p.bytes > this.maxRequestBytes))
        break;
      n++;
      records += p.records.length;
      bytes += p.bytes;
    }
    return this.queue.splice(0, n);
  }

  /** Sends `records` in requests of bounded size, retrying transient failures until closed. */
  private async sendUntilDone(records: readonly ProduceRecord[]): Promise<ProduceAck[]> {
    const acks: ProduceAck[] = [];
    for (const chunk of requestChunks(records, this.maxRequestRecords, this.maxRequestBytes)) {
      for (const a of await this.retrying(chunk)) acks.push(a);
    }
    return acks;
  }

  private async retrying(records: readonly ProduceRecord[]): Promise<ProduceAck[]> {
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw closedError();
      try {
        const acks = await this.request(records);
        if (attempt > 0) this.o.onAttempt?.(null);
        return acks;
      } catch (err) {
        const e = toLogError(err, 'producing to Kafka', this.o.connection.brokers, this.o.connection.describe);
        this.o.onAttempt?.(e);
        if (!isTransientKafkaError(err) || this.closed) throw this.closed ? closedError() : e;
        const waitMs = Math.min(this.backoffMaxMs, 100 * 2 ** Math.min(attempt, 10));
        if (attempt === 0 || attempt % 10 === 0)
          this.o.logger.warn(
            { reason: reasonOf(err), attempt },
            `${e.message}; retrying in ${waitMs} ms (records keep their order)`,
          );
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, waitMs);
          this.wakeBackoff = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wakeBackoff = null;
      }
    }
  }

  /** One produce request; one ack per record in input order. */
  private async request(records: readonly ProduceRecord[]): Promise<ProduceAck[]> {
    const batch = await this.placement.place(this.client, records);
    const result = await this.client.send({ messages: batch.messages, compression: this.compression });
    return batch.acks(result.offsets ?? []);
  }
}

function closedError(): RetriableError {
  return new RetriableError('the producer is closed', { code: 'PRODUCER_CLOSED' });
}
