/**
 * The embedded log's producer: one batch (one Buffer, one write) per partition per `send()`.
 * Keyed records without a partition go where Kafka's default partitioner would put them (murmur2);
 * keyless ones stick to one partition per `send()` call, moving round-robin between calls.
 */
import { ConnectError } from '@tributary/connect-api';
import type { ProduceAck, ProduceRecord, Producer } from '../log.js';
import { encodeBatch } from './format.js';
import { partitionForKey } from './murmur2.js';
import type { PartitionLog } from './partition-log.js';
import type { Topic, TopicStore } from './topic-store.js';

export interface ProducerContext {
  readonly store: TopicStore;
  readonly readOnly: boolean;
  readonly isClosed: () => boolean;
}

export class EmbeddedProducer implements Producer {
  private readonly ctx: ProducerContext;
  private readonly stickyNext = new Map<string, number>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private placing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(ctx: ProducerContext) {
    this.ctx = ctx;
  }

  /**
   * Placement (topic lookup or creation, offsets reserved in each partition) runs in send order, so the batches
   * of a partition land in the order they were sent even when one send waits for a new topic; the writes overlap.
   */
  send(records: readonly ProduceRecord[]): Promise<ProduceAck[]> {
    if (this.closed || this.ctx.isClosed()) {
      return Promise.reject(new ConnectError('the producer is closed', { code: 'PRODUCER_CLOSED' }));
    }
    if (this.ctx.readOnly) {
      return Promise.reject(new ConnectError('the embedded log is open read-only', { code: 'LOG_READ_ONLY' }));
    }
    const placed = this.placing.then(() => this.place(records));
    this.placing = placed.then(
      () => undefined,
      () => undefined,
    );
    const p = placed.then((w) => w.acks);
    this.inFlight.add(p);
    const forget = (): void => void this.inFlight.delete(p);
    p.then(forget, forget);
    return p;
  }

  /** Reserves the records' places; resolves with their acks to come (wrapped: not awaited here). */
  private async place(records: readonly ProduceRecord[]): Promise<{ acks: Promise<ProduceAck[]> }> {
    if (records.length === 0) return { acks: Promise.resolve([]) };

    const now = Date.now();
    const byLog = new Map<PartitionLog, number[]>();
    const keylessPartition = new Map<string, number>();
    let topic: Topic | undefined;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (topic?.name !== r.topic) topic = this.ctx.store.get(r.topic) ?? (await this.ctx.store.ensure(r.topic))!;
      const partition = this.partitionOf(r, topic, keylessPartition);
      const log = topic.partitions[partition]!;
      let indices = byLog.get(log);
      if (!indices) byLog.set(log, (indices = []));
      indices.push(i);
    }

    const acks = new Array<ProduceAck>(records.length);
    const appends: Promise<void>[] = [];
    for (const [log, indices] of byLog) {
      const batch = encodeBatch(records, indices, now);
      appends.push(
        log.append(batch).then((baseOffset) => {
          for (let j = 0; j < indices.length; j++) {
            const i = indices[j]!;
            const timestamp = records[i]!.timestamp ?? now;
            acks[i] = { topic: log.topic, partition: log.partition, offset: baseOffset + j, timestamp };
          }
        }),
      );
    }
    return { acks: Promise.all(appends).then(() => acks) };
  }

  private partitionOf(r: ProduceRecord, topic: Topic, keyless: Map<string, number>): number {
    const count = topic.partitions.length;
    if (r.partition !== undefined && r.partition !== null) {
      if (!Number.isInteger(r.partition) || r.partition < 0 || r.partition >= count) {
        throw new ConnectError(`topic '${topic.name}' has no partition ${r.partition} (it has ${count})`, {
          code: 'UNKNOWN_PARTITION',
        });
      }
      return r.partition;
    }
    if (r.key !== null) return partitionForKey(r.key, count);
    let p = keyless.get(topic.name);
    if (p === undefined) {
      p = (this.stickyNext.get(topic.name) ?? 0) % count;
      this.stickyNext.set(topic.name, p + 1);
      keyless.set(topic.name, p);
    }
    return p;
  }

  /** Waits for sends in flight; later sends are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.inFlight);
  }
}
