import { tpKey, type TopicPartition } from '@tributary/connect-api';

/** One record handed to Elasticsearch and not yet known to be written. */
export interface Tracked {
  readonly offset: number;
  done: boolean;
  readonly partition: PartitionState;
}

class PartitionState {
  /** Records in offset order; `head` is the first one not yet done. */
  readonly entries: Tracked[] = [];
  head = 0;
  /** False once close() forgot the partition; its late acks no longer count. */
  live = true;
}

/**
 * Which offsets are safe to commit, per partition. Bulk requests finish out of order, so a record is
 * committable only once it and every earlier tracked record of its partition are acknowledged. Records
 * that never reach a bulk request (dropped by a transform, skipped by policy) are simply not tracked:
 * the runtime's offset already covers them and nothing earlier holds them back.
 */
export class OffsetTracker {
  private readonly partitions = new Map<string, PartitionState>();
  private pendingCount = 0;

  /** Records tracked and not yet done (the buffer that max.buffered.records bounds). */
  get pending(): number {
    return this.pendingCount;
  }

  track(topic: string, partition: number, offset: number): Tracked {
    const key = `${topic}:${partition}`;
    let p = this.partitions.get(key);
    if (!p) this.partitions.set(key, (p = new PartitionState()));
    const t: Tracked = { offset, done: false, partition: p };
    p.entries.push(t);
    this.pendingCount++;
    return t;
  }

  markDone(t: Tracked): void {
    if (t.done) return;
    t.done = true;
    const p = t.partition;
    if (!p.live) return;
    this.pendingCount--;
    while (p.head < p.entries.length && p.entries[p.head]!.done) p.head++;
    if (p.head > 1024 && p.head * 2 > p.entries.length) {
      p.entries.splice(0, p.head);
      p.head = 0;
    }
  }

  /**
   * Given the runtime's next-to-read offsets, what may be committed: each partition's offset, held
   * back to its first record still waiting for Elasticsearch.
   */
  committable(
    offsets: Map<string, { tp: TopicPartition; offset: number }>,
  ): Map<string, { tp: TopicPartition; offset: number }> {
    const out = new Map<string, { tp: TopicPartition; offset: number }>();
    for (const [key, o] of offsets) {
      const p = this.partitions.get(key);
      const first = p && p.head < p.entries.length ? p.entries[p.head]!.offset : Infinity;
      out.set(key, { tp: o.tp, offset: Math.min(o.offset, first) });
    }
    return out;
  }

  /** Drops the state of revoked partitions: their records will be delivered again to whoever owns them. */
  forget(tps: TopicPartition[]): void {
    for (const tp of tps) {
      const p = this.partitions.get(tpKey(tp));
      if (!p) continue;
      this.pendingCount -= p.entries.slice(p.head).filter((e) => !e.done).length;
      p.live = false;
      this.partitions.delete(tpKey(tp));
    }
  }
}
