/**
 * Keeps the batches of one producer in order across failures, and merges the batches that queue up
 * behind a request in flight into the next one.
 *
 * The runtime keeps several `send()` calls in flight and retries a failed one with the same array
 * after a backoff; if a later batch went out while an earlier one waited for its retry, the later
 * records would land first. So every batch gets a ticket when first seen (a retry presents the same
 * array and keeps its ticket), one request is in flight at a time, and it carries the lowest open
 * ticket plus the tickets right after it that are waiting — in ticket order, so per-partition order
 * holds, and in fewer, larger requests than one per batch.
 *
 * When a request fails, every batch in it and every batch waiting behind it fails too (without being
 * sent): their callers back off and retry, and on return they queue behind the failed ticket again.
 * A batch that waits longer than `maxWaitMs` for an earlier ticket that is never retried (its task
 * stopped) fails with a retriable error, so nothing waits forever.
 */
import { RetriableError } from '@tributary/connect-api';

interface Waiter<T, A> {
  readonly ticket: number;
  readonly items: readonly T[];
  resolve(acks: A[]): void;
  reject(err: unknown): void;
  timer?: NodeJS.Timeout;
}

export interface OrderedSendsOptions {
  /** How long a batch waits behind an earlier ticket that is not retried. */
  readonly maxWaitMs?: number;
  /** Most items merged into one request. */
  readonly maxItems?: number;
  /** Size of one item, and the most bytes of merged batches in one request (one batch may exceed it). */
  readonly sizeOf?: (item: unknown) => number;
  readonly maxBytes?: number;
}

export class OrderedSends<T, A> {
  private readonly tickets = new WeakMap<readonly T[], number>();
  private nextTicket = 0;
  /** Tickets handed out and not yet acknowledged (sent successfully or abandoned). */
  private readonly open = new Set<number>();
  private waiting: Array<Waiter<T, A>> = [];
  private busy = false;
  private closed = false;
  private readonly maxWaitMs: number;
  private readonly maxItems: number;
  private readonly maxBytes: number;
  private readonly sizeOf: (item: T) => number;

  /** `send` returns one ack per item, in item order. */
  constructor(private readonly send: (items: readonly T[]) => Promise<A[]>, options: OrderedSendsOptions = {}) {
    this.maxWaitMs = options.maxWaitMs ?? 60_000;
    this.maxItems = options.maxItems ?? 50_000;
    this.maxBytes = options.maxBytes ?? Infinity;
    this.sizeOf = options.sizeOf ?? (() => 0);
  }

  /** Sends `items` once every earlier batch of this producer is acknowledged; resolves with their acks. */
  run(items: readonly T[]): Promise<A[]> {
    if (this.closed) return Promise.reject(new RetriableError('the producer is closed', { code: 'PRODUCER_CLOSED' }));
    let ticket = this.tickets.get(items);
    if (ticket === undefined) {
      ticket = this.nextTicket++;
      this.tickets.set(items, ticket);
      this.open.add(ticket);
    }
    const t = ticket;
    return new Promise<A[]>((resolve, reject) => {
      const w: Waiter<T, A> = { ticket: t, items, resolve, reject };
      w.timer = setTimeout(() => this.expire(w), this.maxWaitMs);
      w.timer.unref?.();
      this.waiting.push(w);
      this.waiting.sort((a, b) => a.ticket - b.ticket);
      this.pump();
    });
  }

  /** Fails every waiting batch; later calls fail at once. */
  close(): void {
    this.closed = true;
    this.failWaiting(new RetriableError('the producer is closed', { code: 'PRODUCER_CLOSED' }));
  }

  private lowestOpen(): number {
    let low = Infinity;
    for (const t of this.open) if (t < low) low = t;
    return low;
  }

  private pump(): void {
    if (this.busy || this.waiting.length === 0) return;
    if (this.waiting[0]!.ticket !== this.lowestOpen()) return; // an earlier batch awaits its retry
    // The head and the batches whose tickets follow it without a gap go out together.
    const group: Array<Waiter<T, A>> = [];
    let items = 0;
    let bytes = 0;
    let expect = this.waiting[0]!.ticket;
    for (const w of this.waiting) {
      if (w.ticket !== expect) break;
      const size = this.maxBytes === Infinity ? 0 : w.items.reduce((n, x) => n + this.sizeOf(x), 0);
      if (group.length > 0 && (items + w.items.length > this.maxItems || bytes + size > this.maxBytes)) break;
      group.push(w);
      items += w.items.length;
      bytes += size;
      expect = this.nextOpenAfter(w.ticket);
    }
    this.waiting = this.waiting.slice(group.length);
    for (const w of group) clearTimeout(w.timer);
    this.busy = true;
    void this.flush(group);
  }

  private nextOpenAfter(ticket: number): number {
    let next = Infinity;
    for (const t of this.open) if (t > ticket && t < next) next = t;
    return next;
  }

  private async flush(group: Array<Waiter<T, A>>): Promise<void> {
    const all = group.length === 1 ? group[0]!.items : group.flatMap((w) => w.items);
    try {
      const acks = await this.send(all);
      let at = 0;
      for (const w of group) {
        this.open.delete(w.ticket);
        this.tickets.delete(w.items);
        w.resolve(acks.slice(at, (at += w.items.length)));
      }
    } catch (err) {
      for (const w of group) w.reject(err);
      // Everything queued behind a failed request fails too, so it cannot overtake the retry.
      this.failWaiting(err);
    } finally {
      this.busy = false;
      this.pump();
    }
  }

  private expire(w: Waiter<T, A>): void {
    const i = this.waiting.indexOf(w);
    if (i < 0) return;
    this.waiting.splice(i, 1);
    // The earlier batch was never retried: stop holding later ones for it.
    for (const t of this.open) if (t < w.ticket) this.open.delete(t);
    w.reject(new RetriableError('an earlier batch of this producer was not retried in time', { code: 'LOG_UNAVAILABLE' }));
    this.pump();
  }

  private failWaiting(err: unknown): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) {
      clearTimeout(w.timer);
      w.reject(err);
    }
  }
}
