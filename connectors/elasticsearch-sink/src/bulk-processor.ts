import { ConnectError, sleep, type Logger, type SinkRecord } from '@tributary/connect-api';
import type { SinkSettings } from './config.js';
import { RequestFailure, type ItemResult, type SinkClient } from './elasticsearch-client.js';
import type { BulkAction } from './record-converter.js';
import { RetryPolicy } from './retry.js';

/** One action waiting for (or in) a bulk request, with what to call once Elasticsearch answered. */
export interface Pending {
  readonly action: BulkAction;
  readonly record: SinkRecord;
  readonly enqueuedAt: number;
  /** Called once the action is written (or deliberately dropped by policy). */
  readonly onDone: () => void;
}

/** What happens to an item Elasticsearch refused for good (not 409-by-version, not 429/5xx). */
export type ItemRejectionHandler = (
  p: Pending,
  kind: 'malformed' | 'other',
  status: number,
  reason: string,
) => Promise<void>;

/** Error types Confluent treats as a malformed document (behavior.on.malformed.documents). */
const MALFORMED = new Set([
  'mapper_parsing_exception',
  'document_parsing_exception',
  'illegal_argument_exception',
  'action_request_validation_exception',
  'strict_dynamic_mapping_exception',
]);

type Settings = Pick<
  SinkSettings,
  | 'batchSize'
  | 'bulkSizeBytes'
  | 'maxInFlight'
  | 'lingerMs'
  | 'upsert'
  | 'maxRetries'
  | 'retryBackoffMs'
  | 'retryTimeoutMs'
  | 'retryDelayMaxMs'
>;

/**
 * Batches actions into `_bulk` requests: at most batch.size actions and bulk.size.bytes per request,
 * a partial batch sent after linger.ms, at most max.in.flight.requests at once. A request that fails
 * as a whole, and items refused with 429 or 5xx, are retried with jittered backoff (RetryPolicy);
 * version conflicts on externally versioned writes count as written (a newer record already won).
 * When retries run out, or an item is refused and its handler throws, `failure` is set and nothing
 * more is sent: the task reports it from its next put() or preCommit().
 */
export class BulkProcessor {
  private readonly queue: Pending[] = [];
  private head = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  /** upsert only: ids in flight, so that a later update of one waits (updates are not versioned). */
  private readonly busyIds = new Map<string, number>();
  private readonly policy: RetryPolicy;
  private waiters: (() => void)[] = [];
  private failed: Error | null = null;
  private draining = false;
  /** Requests currently waiting to be retried: Elasticsearch is away or overloaded. */
  retrying = 0;
  /** Counters for logs and tests. */
  readonly stats = { requests: 0, retries: 0, versionConflicts: 0, rejected: 0 };

  constructor(
    private readonly client: SinkClient,
    private readonly s: Settings,
    private readonly onRejected: ItemRejectionHandler,
    private readonly logger: Logger,
    private readonly signal: AbortSignal,
  ) {
    this.policy = new RetryPolicy(s);
  }

  get failure(): Error | null {
    return this.failed;
  }
  get queued(): number {
    return this.queue.length - this.head;
  }
  get idle(): boolean {
    return this.queued === 0 && this.inFlight === 0;
  }

  add(p: Pending): void {
    this.queue.push(p);
    this.pump();
  }

  /** Resolves at the next acknowledgement or failure, or after `ms`. */
  changed(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Sends everything queued now, and waits (at most `ms`) until nothing is queued or in flight. */
  async drain(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    this.draining = true;
    try {
      this.pump();
      while (!this.idle && !this.failed && Date.now() < deadline)
        await this.changed(Math.max(1, deadline - Date.now()));
    } finally {
      this.draining = false;
    }
  }

  private pump(): void {
    if (this.failed) return;
    while (this.inFlight < this.s.maxInFlight && this.queued > 0) {
      const full = this.queued >= this.s.batchSize;
      const lingered = Date.now() - this.queue[this.head]!.enqueuedAt >= this.s.lingerMs;
      if (!full && !lingered && !this.draining) break;
      const batch = this.takeBatch();
      if (batch.length === 0) break; // upsert: the head's id is in flight; a completion pumps again
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.release(batch);
        this.notify();
        this.pump();
      });
    }
    if (this.queued > 0 && this.inFlight < this.s.maxInFlight && !this.timer) {
      const wait = Math.max(0, this.s.lingerMs - (Date.now() - this.queue[this.head]!.enqueuedAt));
      this.timer = setTimeout(() => {
        this.timer = null;
        this.pump();
      }, wait);
    }
  }

  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let bytes = 0;
    while (this.queued > 0 && batch.length < this.s.batchSize) {
      const p = this.queue[this.head]!;
      const size = p.action.ndjson.length;
      if (batch.length > 0 && this.s.bulkSizeBytes >= 0 && bytes + size > this.s.bulkSizeBytes) break;
      if (this.s.upsert && p.action.id !== null && this.busyIds.has(p.action.id)) break;
      if (this.s.upsert && p.action.id !== null)
        this.busyIds.set(p.action.id, (this.busyIds.get(p.action.id) ?? 0) + 1);
      batch.push(p);
      bytes += size;
      this.head++;
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return batch;
  }

  private release(batch: Pending[]): void {
    if (!this.s.upsert) return;
    for (const p of batch) {
      const id = p.action.id;
      if (id === null) continue;
      const n = (this.busyIds.get(id) ?? 1) - 1;
      if (n <= 0) this.busyIds.delete(id);
      else this.busyIds.set(id, n);
    }
  }

  /** One bulk request with its retries; items not acknowledged when the task stops stay undone. */
  private async send(batch: Pending[]): Promise<void> {
    let items = batch;
    let attempt = 0;
    let firstFailureAt = 0;
    try {
      while (items.length > 0 && !this.failed) {
        let reason: string;
        try {
          this.stats.requests++;
          const results = await this.client.bulk(items.map((p) => p.action.ndjson).join(''));
          if (results.length !== items.length)
            throw new RequestFailure(
              `Elasticsearch answered ${results.length} items for a bulk request of ${items.length}`,
              true,
            );
          const again = await this.settle(items, results);
          if (again.length === 0) return;
          reason = `${again.length} of ${items.length} documents refused as overloaded/unavailable (${again.length === items.length ? 'all' : 'some'} items 429/5xx)`;
          items = again;
        } catch (e) {
          if (!(e instanceof RequestFailure) || !e.retriable) throw e;
          reason = e.message;
        }
        if (this.signal.aborted) return;
        attempt++;
        if (attempt === 1) firstFailureAt = Date.now();
        const delay = this.policy.nextDelay(attempt, firstFailureAt);
        if (delay === null) {
          const secs = ((Date.now() - firstFailureAt) / 1000).toFixed(1);
          throw new ConnectError(
            `Bulk request failed after ${attempt} attempts over ${secs} s: ${reason}. ` +
              'Records not written are delivered again once the task is restarted; raise errors.retry.timeout (-1 retries forever) or max.retries to ride out longer outages.',
            { code: 'ES_RETRIES_EXHAUSTED' },
          );
        }
        if (attempt === 1 || attempt % 10 === 0) this.logger.warn(`${reason}; retry ${attempt} in ${delay} ms`);
        this.stats.retries++;
        this.retrying++;
        try {
          await sleep(delay, this.signal);
        } finally {
          this.retrying--;
        }
        if (this.signal.aborted) return;
      }
    } catch (e) {
      this.fail(e as Error);
    }
  }

  /** Marks what is written, hands refusals to their handler; returns the items to try again. */
  private async settle(items: Pending[], results: ItemResult[]): Promise<Pending[]> {
    const again: Pending[] = [];
    for (let i = 0; i < items.length; i++) {
      const p = items[i]!,
        r = results[i]!;
      if (r.status < 300) {
        p.onDone();
        continue;
      }
      const type = r.error?.type ?? '';
      if (
        r.status === 409 &&
        type === 'version_conflict_engine_exception' &&
        (p.action.versioned || p.action.op === 'create')
      ) {
        this.stats.versionConflicts++;
        p.onDone();
        continue;
      }
      if (r.status === 429 || r.status >= 500) {
        again.push(p);
        continue;
      }
      this.stats.rejected++;
      const cause = r.error?.caused_by?.reason
        ? ` (caused by ${r.error.caused_by.type}: ${r.error.caused_by.reason})`
        : '';
      await this.onRejected(
        p,
        MALFORMED.has(type) ? 'malformed' : 'other',
        r.status,
        `${type}: ${r.error?.reason ?? 'no reason given'}${cause}`,
      );
      p.onDone();
    }
    return again;
  }

  private fail(e: Error): void {
    if (!this.failed) this.failed = e;
    this.notify();
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Stops the linger timer; requests in flight finish or abandon on the task's abort signal. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.notify();
  }
}
