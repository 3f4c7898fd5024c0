import type { WriteOp } from './table-writer.js';

/** What the batch writer needs from a session (a fake in unit tests). */
export interface Executor {
  execute(query: string, params: unknown[], consistency: number): Promise<void>;
  batch(queries: Array<{ query: string; params: unknown[] }>, consistency: number): Promise<void>;
}

export interface WriteOutcome {
  /** Statements Cassandra acknowledged. */
  readonly written: WriteOp[];
  /** Statements Cassandra rejected for what their record holds (bad value, key too large): report them. */
  readonly rejected: Array<{ op: WriteOp; error: unknown }>;
  /** Statements not run or failed because the cluster did (unreachable, timeout): retry them. */
  readonly unavailable: WriteOp[];
  /** The first cluster failure, when `unavailable` is not empty. */
  readonly clusterError: unknown;
}

/**
 * Groups statements by partition (same table, same partition key) into UNLOGGED batches of at most
 * `maxBatch`, and runs them with at most `maxConcurrent` requests in flight, as DataStax's sink does.
 * A batch Cassandra rejects is split into single statements so that only the bad records are
 * reported; a batch that failed because the cluster did is left for the caller to retry.
 */
export class BatchWriter {
  constructor(
    private readonly session: Executor,
    private readonly maxBatch: number,
    maxConcurrent: number,
    private readonly isClusterError: (err: unknown) => boolean,
  ) {
    this.limiter = new Limiter(maxConcurrent);
  }

  /** In-flight requests across every `write` call of this writer (puts overlap). */
  private readonly limiter: Limiter;

  async write(ops: WriteOp[]): Promise<WriteOutcome> {
    const out: Mutable<WriteOutcome> = { written: [], rejected: [], unavailable: [], clusterError: undefined };
    await Promise.all(
      chunk(ops, this.maxBatch).map(async (c) => {
        await this.limiter.acquire();
        try {
          await this.run(c, out);
        } finally {
          this.limiter.release();
        }
      }),
    );
    return out;
  }

  private async run(ops: WriteOp[], out: Mutable<WriteOutcome>): Promise<void> {
    try {
      if (ops.length === 1) await this.session.execute(ops[0]!.query, ops[0]!.params, ops[0]!.consistency);
      else
        await this.session.batch(
          ops.map((o) => ({ query: o.query, params: o.params })),
          ops[0]!.consistency,
        );
      out.written.push(...ops);
      return;
    } catch (err) {
      if (this.isClusterError(err)) {
        out.clusterError ??= err;
        out.unavailable.push(...ops);
        return;
      }
      if (ops.length === 1) {
        out.rejected.push({ op: ops[0]!, error: err });
        return;
      }
    }
    // A batch was rejected: find the culprits one statement at a time (rare, so sequential is fine).
    for (const o of ops) await this.run([o], out);
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Ops grouped by partition, in arrival order within a group, cut into chunks of at most `max`. */
export function chunk(ops: WriteOp[], max: number): WriteOp[][] {
  const groups = new Map<string, WriteOp[]>();
  const out: WriteOp[][] = [];
  for (const op of ops) {
    if (op.group === null || max <= 1) {
      out.push([op]);
      continue;
    }
    let g = groups.get(op.group);
    if (!g) groups.set(op.group, (g = []));
    g.push(op);
    if (g.length >= max) {
      out.push(g);
      groups.set(op.group, []);
    }
  }
  for (const g of groups.values()) if (g.length > 0) out.push(g);
  return out;
}

/** A FIFO counting semaphore. */
class Limiter {
  private free: number;
  private readonly waiting: Array<() => void> = [];
  constructor(size: number) {
    this.free = size;
  }
  acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}
