/**
 * The bounded hand-over between the Kafka consumer's fetch loop and the runtime's pull-based
 * `poll()`. The fetch loop hands in the records of one partition per fetch response; `offer()`
 * resolves once `take()` has handed every one out, or once the chunk is dropped (seek, pause,
 * revoke, close), which is how the loop keeps its buffered bytes bounded. Records of a partition
 * come out in offset order.
 */
import type { LogRecord, TopicPartitionRef } from '../log.js';

interface Chunk {
  readonly key: string;
  records: LogRecord[];
  readonly done: () => void;
}

export const tpKey = (tp: TopicPartitionRef): string => `${tp.topic}\u0000${tp.partition}`;

export class RecordBuffer {
  private readonly chunks: Chunk[] = [];
  private wake: (() => void) | null = null;

  /** Adds the records of one partition; resolves once all were taken or the chunk was dropped. */
  offer(tp: TopicPartitionRef, records: LogRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return new Promise<void>((done) => {
      this.chunks.push({ key: tpKey(tp), records, done });
      this.notify();
    });
  }

  /** Takes up to `max` records of partitions `allowed` accepts, oldest chunk first. */
  take(max: number, allowed: (key: string) => boolean): LogRecord[] {
    const out: LogRecord[] = [];
    for (let i = 0; i < this.chunks.length && out.length < max;) {
      const c = this.chunks[i]!;
      if (!allowed(c.key)) {
        i++;
        continue;
      }
      const n = Math.min(max - out.length, c.records.length);
      for (let j = 0; j < n; j++) out.push(c.records[j]!);
      c.records = c.records.slice(n);
      if (c.records.length === 0) {
        this.chunks.splice(i, 1);
        c.done();
      } else i++;
    }
    return out;
  }

  /** Offset of the first record not handed out yet of a partition, or undefined when none is buffered. */
  firstOffset(key: string): number | undefined {
    for (const c of this.chunks) if (c.key === key && c.records.length > 0) return c.records[0]!.offset;
    return undefined;
  }

  /** True when `take` would return something now. */
  has(allowed: (key: string) => boolean): boolean {
    return this.chunks.some((c) => allowed(c.key));
  }

  /**
   * Drops the chunks of the partitions `which` selects (all when omitted) and releases their
   * producers. Returns, per partition, the offset of the first record that was not handed out.
   */
  drop(which?: (key: string) => boolean): Map<string, number> {
    const firstUntaken = new Map<string, number>();
    for (let i = this.chunks.length - 1; i >= 0; i--) {
      const c = this.chunks[i]!;
      if (which && !which(c.key)) continue;
      this.chunks.splice(i, 1);
      if (c.records.length > 0) firstUntaken.set(c.key, c.records[0]!.offset);
      c.done();
    }
    return firstUntaken;
  }

  /** Resolves when records may be available (or `interrupt()` was called). */
  changed(): Promise<void> {
    // One waiter at a time (poll() is not concurrent): a stale waiter is released, not chained.
    this.notify();
    return new Promise<void>((resolve) => {
      this.wake = resolve;
    });
  }

  /** Wakes whoever waits in `changed()`. */
  interrupt(): void {
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}
