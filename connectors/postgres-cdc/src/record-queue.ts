import type { SourceRecord } from '@tributary/connect-api';

/**
 * The bounded buffer between PostgreSQL and `poll()`. The stream side learns that the queue is
 * full from `put()` (and pauses the socket); `onDrained` fires when poll has taken it below half.
 * The snapshot side simply awaits `putAndWait()`.
 */
export class RecordQueue {
  limit = 8192;
  onDrained: () => void = () => {};
  private items: SourceRecord[] = [];
  private head = 0;
  private waiter: (() => void) | null = null;
  private spaceWaiters: Array<() => void> = [];
  private full = false;
  private closed = false;

  get size(): number {
    return this.items.length - this.head;
  }

  /** Adds records; returns true when the queue is now over its limit. */
  put(records: SourceRecord[]): boolean {
    for (const r of records) this.items.push(r);
    this.wake();
    if (this.size >= this.limit) this.full = true;
    return this.full;
  }

  async putAndWait(records: SourceRecord[], signal: AbortSignal): Promise<void> {
    this.put(records);
    while (this.size >= this.limit && !this.closed && !signal.aborted)
      await new Promise<void>((r) => this.spaceWaiters.push(r));
  }

  /** Up to `max` records; waits up to `waitMs` when empty. */
  async take(max: number, waitMs: number, signal: AbortSignal): Promise<SourceRecord[] | null> {
    if (this.size === 0 && !this.closed && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, waitMs);
        const onAbort = () => done();
        function done() {
          clearTimeout(t);
          signal.removeEventListener('abort', onAbort);
          resolve();
        }
        this.waiter = done;
        signal.addEventListener('abort', onAbort, { once: true });
      });
      this.waiter = null;
    }
    if (this.size === 0) return null;
    let n = Math.min(max, this.size);
    // An errant record starts a batch of its own: when the runtime fails the task at it, everything
    // polled before it has already been handed over and is delivered.
    for (let i = this.head + 1; i < this.head + n; i++)
      if (this.items[i]!.errant) {
        n = i - this.head;
        break;
      }
    const out = this.items.slice(this.head, this.head + n);
    this.head += n;
    if (this.head > 65536 || this.head === this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (this.size < this.limit / 2) {
      const ws = this.spaceWaiters;
      this.spaceWaiters = [];
      for (const w of ws) w();
      if (this.full) {
        this.full = false;
        this.onDrained();
      }
    }
    return out;
  }

  wake(): void {
    this.waiter?.();
  }

  close(): void {
    this.closed = true;
    this.wake();
    for (const w of this.spaceWaiters) w();
    this.spaceWaiters = [];
  }
}
