/**
 * Exactly-once delivery for a source task (KIP-618): the records of a poll batch (with the batches
 * polled while the previous transaction committed) — or of every batch within
 * `transaction.boundary.interval.ms` — go to Kafka in one transaction together with
 * the source offsets they reach, written to the offsets topic in Kafka Connect's format. A crash
 * before the commit leaves nothing visible to read_committed readers and the offsets unmoved, so
 * the restarted task polls the same records again; after the commit both are there. The task hears
 * `commitRecord`/`commit()` only after the commit, so it confirms upstream (a PostgreSQL LSN, a
 * spooled file) only what Kafka holds.
 */
import type { SourceOffset, SourcePartition } from '@tributary/connect-api';
import type { ProduceAck, ProduceRecord, TransactionalProducer } from '../log/log.js';

/**
 * The poll boundary: records held for the next transaction while one commits; beyond it the task
 * waits (as MAX_IN_FLIGHT_RECORDS bounds what at-least-once sends unacknowledged).
 */
export const MAX_HELD_RECORDS = 10_000;

export type OffsetEntries = Array<[SourcePartition, SourceOffset]>;

export interface ExactlyOnce {
  readonly producer: TransactionalProducer;
  /** The offsets-topic records for these entries. */
  offsetRecords(entries: OffsetEntries): ProduceRecord[];
  /** Called once a transaction carrying these entries committed (the offset store's view). */
  committed(entries: OffsetEntries): void;
  /** Commit every poll batch (null), or batches gathered over this many ms. */
  readonly intervalMs: number | null;
  /** `transaction.boundary=connector`: the task commits and aborts through its TransactionContext. */
  readonly taskDefined?: boolean;
}

interface Pending {
  readonly records: ProduceRecord[];
  readonly offsets: Map<string, [SourcePartition, SourceOffset]>;
  readonly onCommit: Array<(acks: ProduceAck[]) => Promise<void>>;
  readonly onAbort: Array<() => void>;
  openedAt: number;
}

export class SourceTransactions {
  private pending: Pending | null = null;
  /** The transaction being committed: one at a time, while the task polls its next batch. */
  private committing: Promise<void> = Promise.resolve();
  private busy = false;
  private failure: unknown = null;

  constructor(
    private readonly eos: ExactlyOnce,
    private readonly afterCommit: () => Promise<void>,
  ) {}

  /** Initializes the transactional id, fencing a zombie of this task, before the task starts. */
  init(): Promise<void> {
    return this.eos.producer.init();
  }

  /**
   * Adds a poll batch: its records to write, the offsets it reaches (by partition key; the last
   * one of each partition wins) and what to do once it is committed. With the poll boundary its
   * transaction starts at once and commits while the task polls again, or, while the previous one
   * commits, with the batches polled meanwhile as soon as it committed; with the interval boundary
   * once the interval is up; with the connector boundary when the task asks (`end`, `abort`).
   */
  async add(
    records: ProduceRecord[],
    offsets: ReadonlyMap<string, [SourcePartition, SourceOffset]>,
    onCommit: (acks: ProduceAck[]) => Promise<void>,
    onAbort: () => void = () => {},
  ): Promise<void> {
    if (this.failure) throw this.failure;
    const p: Pending = (this.pending ??= {
      records: [],
      offsets: new Map(),
      onCommit: [],
      onAbort: [],
      openedAt: Date.now(),
    });
    const from = p.records.length;
    for (const r of records) p.records.push(r);
    for (const [k, v] of offsets) p.offsets.set(k, v);
    p.onCommit.push((acks) => onCommit(acks.slice(from, from + records.length)));
    p.onAbort.push(onAbort);
    if (this.eos.taskDefined) return;
    if (this.eos.intervalMs !== null) return this.commitIfDue();
    // The poll boundary: batches polled while a transaction commits are held (bounded) and go together
    // in the next one, so a slow commit makes transactions bigger rather than the task slower.
    if (p.records.length >= MAX_HELD_RECORDS) while (this.pending === p && this.busy) await this.committing;
    this.startNext();
  }

  /** Commits what is pending while the task polls again (after the transaction in flight committed). */
  async end(): Promise<void> {
    await this.settle();
    if (this.failure) throw this.failure;
    this.startNext();
  }

  async commitIfDue(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.eos.taskDefined) return;
    if (this.eos.intervalMs === null) return this.startNext();
    if (this.pending && Date.now() - this.pending.openedAt >= this.eos.intervalMs) await this.commit();
  }

  /** Waits for the transaction in flight, then commits what is pending; false when nothing was. */
  async commit(): Promise<boolean> {
    await this.settle();
    if (this.failure) throw this.failure;
    if (!this.pending) return false;
    this.startNext();
    await this.settle();
    if (this.failure) throw this.failure;
    return true;
  }

  /** Waits for the transactions in flight (a failure is the next call's to report). */
  async settle(): Promise<void> {
    while (this.busy) await this.committing;
  }

  /** Starts committing what is pending unless a transaction is in flight (its end starts the next one). */
  private startNext(): void {
    if (this.busy || this.failure || !this.pending) return;
    const p = this.take()!;
    this.busy = true;
    this.committing = this.commitPending(p)
      .catch((err: unknown) => {
        this.failure = err;
      })
      .finally(() => {
        this.busy = false;
        if (!this.eos.taskDefined && this.eos.intervalMs === null) this.startNext();
      });
  }

  /** Drops what is not committed (a failed task polls it again after its restart). */
  discard(): void {
    this.pending = null;
  }

  /** The task aborted its transaction: nothing of it is sent; each batch in it hears so. */
  abort(): void {
    const p = this.take();
    for (const f of p?.onAbort ?? []) f();
  }

  private take(): Pending | null {
    const p = this.pending;
    this.pending = null;
    return p;
  }

  /** Records and offsets in one transaction, then the task hears of them. */
  private async commitPending(p: Pending): Promise<void> {
    const entries: OffsetEntries = [...p.offsets.values()];
    const all = [...p.records, ...this.eos.offsetRecords(entries)];
    const acks = all.length > 0 ? await this.eos.producer.send(all) : [];
    this.eos.committed(entries);
    for (const f of p.onCommit) await f(acks);
    await this.afterCommit();
  }
}
