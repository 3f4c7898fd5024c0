/**
 * KIP-618's TransactionContext for `transaction.boundary=connector`: the task marks where its
 * transactions end (after a whole batch, or at a record), and the runner splits the batches it
 * polls at those marks (see SourceTaskRunner.transact).
 */
import type { SourceRecord, TransactionContext } from '@tributary/connect-api';

export type Boundary = 'commit' | 'abort';

/** A run of a polled batch, up to `end` (exclusive), and how its transaction ends (null: it stays open). */
export interface Segment {
  readonly end: number;
  readonly then: Boundary | null;
}

export class TaskTransactionContext implements TransactionContext {
  private batch: Boundary | null = null;
  private readonly at = new Map<SourceRecord, Boundary>();

  commitTransaction(record?: SourceRecord): void {
    this.request('commit', record);
  }

  abortTransaction(record?: SourceRecord): void {
    this.request('abort', record);
  }

  /** The request for the batch being processed (or for an empty poll), taken once. */
  takeBatchRequest(): Boundary | null {
    const b = this.batch;
    this.batch = null;
    return b;
  }

  /** Splits a polled batch at the records the task marked; the last run ends as the batch request says. */
  segments(polled: readonly SourceRecord[]): Segment[] {
    const out: Segment[] = [];
    if (this.at.size > 0)
      for (let i = 0; i < polled.length; i++) {
        const then = this.at.get(polled[i]!);
        if (!then) continue;
        this.at.delete(polled[i]!);
        out.push({ end: i + 1, then });
      }
    const last = this.takeBatchRequest();
    if (out.length === 0 || out.at(-1)!.end < polled.length || last) out.push({ end: polled.length, then: last });
    return out;
  }

  private request(kind: Boundary, record?: SourceRecord): void {
    // An abort wins over a commit asked for the same point.
    if (record) {
      if (this.at.get(record) !== 'abort') this.at.set(record, kind);
    } else if (this.batch !== 'abort') this.batch = kind;
  }
}
