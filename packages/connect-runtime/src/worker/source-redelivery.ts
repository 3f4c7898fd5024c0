/**
 * Duplicates you can see (at least once). A source task resumes from its last flushed offsets, so
 * every record a previous run wrote after its last offset flush is written again: that tail is the
 * whole of what at-least-once duplicates. The log knows its length exactly — a count kept in memory
 * would die with a SIGKILLed worker — so the runner keeps, with the offsets it flushes, where its
 * acknowledged records ended in each topic-partition, and at start reads the partitions' ends: the
 * records beyond both that position and the end seen at the previous start are the ones this run
 * sends again. The total is kept in the offset store too (under a partition of its own that the
 * REST offsets API does not show), so it covers every run since the connector's offsets were reset.
 *
 * Exact when the task is the only writer of its topic-partitions and its source polls the same
 * records again from an offset (files, spooldir, a replication slot); another writer of the same
 * partitions makes it an upper bound.
 */
import { isRetriable, type Logger, type SourceOffset, type SourcePartition } from '@tributary/connect-api';
import type { Admin, ProduceAck, ProduceRecord } from '../log/log.js';
import type { OffsetStore } from '../storage/offset-store.js';

/** The key of the task's entry in its connector's offsets: `{"tributary.redelivery.task": <task>}`. */
export const REDELIVERY_KEY = 'tributary.redelivery.task';

/** True for the runtime's own entry, which the offsets API neither shows nor passes to connectors. */
export function isRedeliveryPartition(p: SourcePartition): boolean {
  return Object.prototype.hasOwnProperty.call(p, REDELIVERY_KEY);
}

const ACKED = 'acked:';
const COUNTED = 'counted:';
const TOTAL = 'total';

export class SourceRedelivery {
  private readonly partition: SourcePartition;
  /** By `topic/partition`: the offset after the last record acknowledged in this run or a previous one. */
  private readonly ackedEnd = new Map<string, number>();
  /** By `topic/partition`: the partition's end when a run last counted (the topic's first send, or a start). */
  private readonly counted = new Map<string, number>();
  private readonly topics = new Set<string>();
  private total = 0;
  private changed = false;

  constructor(
    private readonly connector: string,
    taskId: number,
    private readonly store: OffsetStore,
    private readonly admin: Admin,
    private readonly logger: Logger,
    private readonly onTotal: (total: number) => void,
  ) {
    this.partition = { [REDELIVERY_KEY]: taskId };
  }

  /** Counts what the previous runs wrote after their last flush: this run sends it again. */
  async start(): Promise<void> {
    const stored = await this.store.get(this.connector, this.partition);
    for (const [k, v] of Object.entries(stored ?? {})) {
      if (typeof v !== 'number') continue;
      if (k === TOTAL) this.total = v;
      else if (k.startsWith(ACKED)) this.ackedEnd.set(k.slice(ACKED.length), v);
      else if (k.startsWith(COUNTED)) this.counted.set(k.slice(COUNTED.length), v);
    }
    for (const tp of [...this.ackedEnd.keys(), ...this.counted.keys()])
      this.topics.add(tp.slice(0, tp.lastIndexOf('/')));
    let again = 0;
    for (const topic of this.topics) {
      const ends = await this.ends(topic);
      if (!ends) continue; // the log is away: this run's count is skipped rather than guessed
      for (const [tp, end] of ends) {
        again += Math.max(0, end - Math.max(this.ackedEnd.get(tp) ?? 0, this.counted.get(tp) ?? 0));
        this.counted.set(tp, end);
      }
    }
    this.total += again;
    if (again > 0)
      this.logger.info(`${again} record(s) written after the last offset flush of a previous run are sent again`);
    if (stored) await this.save();
    this.onTotal(this.total);
  }

  /** Before the first send to a topic: its partitions' ends, so that a run killed before any flush is counted. */
  async beforeSend(records: readonly ProduceRecord[]): Promise<void> {
    let fresh: string[] | null = null;
    for (const r of records) if (!this.topics.has(r.topic) && !fresh?.includes(r.topic)) (fresh ??= []).push(r.topic);
    if (!fresh) return;
    for (const topic of fresh) {
      const ends = await this.ends(topic);
      if (!ends) continue; // tried again at the next batch
      this.topics.add(topic);
      for (const [tp, end] of ends) this.counted.set(tp, end);
      if (ends.size === 0) this.counted.set(`${topic}/0`, 0); // a new topic: remembered as known
    }
    await this.save();
  }

  /** The log holds this record (called in the order the log acknowledged; once per record: kept cheap). */
  acked(ack: ProduceAck): void {
    if (ack.topic !== this.lastTopic || ack.partition !== this.lastPartition) {
      this.lastTopic = ack.topic;
      this.lastPartition = ack.partition;
      this.lastKey = `${ack.topic}/${ack.partition}`;
    }
    const end = ack.offset + 1;
    if ((this.ackedEnd.get(this.lastKey) ?? 0) < end) this.ackedEnd.set(this.lastKey, end);
    this.changed = true;
  }

  private lastTopic = '';
  private lastPartition = -1;
  private lastKey = '';

  /** The entry to flush with the offsets acknowledged so far, when it changed. */
  entry(): [SourcePartition, SourceOffset] | null {
    if (!this.changed) return null;
    this.changed = false;
    return [this.partition, this.value()];
  }

  private value(): SourceOffset {
    const v: Record<string, number> = { [TOTAL]: this.total };
    for (const [tp, n] of this.ackedEnd) v[ACKED + tp] = n;
    for (const [tp, n] of this.counted) v[COUNTED + tp] = n;
    return v;
  }

  private save(): Promise<void> {
    return this.store.set(this.connector, [[this.partition, this.value()]]);
  }

  /** The end offset of each partition of a topic (none for a topic not created yet); null when unknown now. */
  private async ends(topic: string): Promise<Map<string, number> | null> {
    try {
      const parts = await this.admin.partitionOffsets(topic);
      return new Map(parts.map((p) => [`${topic}/${p.partition}`, p.high]));
    } catch (err) {
      if (!isRetriable(err)) return new Map(); // no such topic yet
      this.logger.debug({ err }, `cannot read the ends of ${topic} to count records sent again`);
      return null;
    }
  }
}
