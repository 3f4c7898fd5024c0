import {
  ConfigError,
  ConnectError,
  DataError,
  RetriableError,
  sleep,
  tpKey,
  type SinkRecord,
  type SinkTask,
  type SinkTaskContext,
  type TopicPartition,
} from '@tributary/connect-api';
import { BatchWriter } from './batch-writer.js';
import { CassandraSession, clientOptions, describeDriverError, isRetriableDriverError } from './cassandra-client.js';
import { ignoreErrorsOf, sinkConfigDef, tableSettings, VERSION, type IgnoreErrors } from './config.js';
import { openTables } from './tables.js';
import type { TableWriter, WriteOp } from './table-writer.js';

/**
 * Writes records to Cassandra tables through their mappings. Each `put` maps every record (a record
 * that does not fit goes to the error handler) and starts writing the statements in partition batches;
 * it does not wait for them, so the next batch is read and converted while Cassandra works (the
 * runtime hands over ~500 records a put, far too few to fill `maxConcurrentRequests` alone). Writes in
 * flight are bounded (`put` waits once more than maxConcurrentRequests × maxNumberOfRecordsInBatch
 * statements are pending), and `preCommit` confirms, per partition, only offsets before the oldest
 * unfinished put, so committed offsets are always written rows (at-least-once; the record-time write
 * timestamps make re-writes after a crash harmless).
 *
 * When Cassandra is unreachable, the statements that failed are retried in the background with
 * backoff (already acknowledged ones are not sent again, so `now()` columns get no duplicates from
 * retries) until errors.retry.timeout; then the next `put` or commit fails the task.
 */
export class CassandraSinkTask implements SinkTask {
  private ctx!: SinkTaskContext;
  private config!: Record<string, string>;
  private session: CassandraSession | null = null;
  private byTopic = new Map<string, TableWriter[]>();
  private writer: BatchWriter | null = null;
  private ignoreErrors: IgnoreErrors = 'None';
  private toleranceAll = false;
  private retryTimeoutMs = 0;
  private retryDelayMaxMs = 60_000;
  /** When the current run of failed attempts started (0: the last attempt succeeded). */
  private failingSince = 0;
  private attempts = 0;
  /** Puts whose writes are still running, oldest first, with the first offset they hold per partition. */
  private readonly pending: Array<{ done: Promise<void>; first: Map<string, number>; ops: number }> = [];
  private pendingOps = 0;
  /** Set when a background write can no longer succeed; the next put or commit fails the task with it. */
  private fatal: unknown = null;
  private maxPendingOps = 16_000;
  private lastDelay = 300;

  version(): string {
    return VERSION;
  }

  async start(config: Record<string, string>, ctx: SinkTaskContext): Promise<void> {
    this.ctx = ctx;
    this.config = config;
    const cfg = sinkConfigDef.parse(config);
    this.ignoreErrors = ignoreErrorsOf(cfg);
    this.toleranceAll = (config['errors.tolerance'] ?? 'none').toLowerCase() === 'all';
    this.retryTimeoutMs = Number(config['errors.retry.timeout'] ?? 0);
    this.retryDelayMaxMs = Number(config['errors.retry.delay.max.ms'] ?? 60_000);
    const { problems } = tableSettings(config);
    if (problems.length > 0) throw new ConfigError(problems);
    try {
      await this.connect();
    } catch (err) {
      // Cassandra may be down while the worker starts; put() keeps trying (and fails the task only
      // after errors.retry.timeout). A bad mapping is different: it cannot fix itself.
      if (err instanceof ConfigError || !isRetriableDriverError(err)) throw err;
      ctx.logger.warn(
        `task ${ctx.id}: Cassandra is not reachable yet (${describeDriverError(err)}); will retry on the first write`,
      );
    }
  }

  async put(records: SinkRecord[]): Promise<void> {
    this.throwIfFatal();
    if (records.length === 0) return;
    if (!this.session) {
      try {
        await this.connect();
      } catch (err) {
        if (err instanceof ConfigError || !isRetriableDriverError(err)) throw err;
        throw this.retryOrFail(err);
      }
      this.failingSince = 0;
      this.attempts = 0;
    }
    const ops: WriteOp[] = [];
    const first = new Map<string, number>();
    for (const record of records) {
      const k = tpKey({ topic: record.topic, partition: record.kafkaPartition });
      if (!first.has(k)) first.set(k, record.kafkaOffset);
      const writers = this.byTopic.get(record.topic);
      if (!writers) {
        await this.badRecord(
          record,
          new DataError(
            `No mapping for topic ${record.topic}: set topic.${record.topic}.<keyspace>.<table>.mapping (record at ${record.topic}-${record.kafkaPartition}@${record.kafkaOffset}).`,
          ),
          'mapping',
        );
        continue;
      }
      for (const w of writers) {
        try {
          ops.push(w.toOp(record));
        } catch (err) {
          await this.badRecord(record, err, 'mapping');
        }
      }
    }
    const entry = { done: Promise.resolve(), first, ops: ops.length };
    entry.done = this.writeUntilDone(ops).then(
      () => {
        this.settle(entry);
      },
      (err: unknown) => {
        this.fatal ??= err;
        this.settle(entry);
      },
    );
    this.pending.push(entry);
    this.pendingOps += ops.length;
    // Backpressure: the runtime reads on only when the writes in flight are within bounds.
    while (this.pendingOps > this.maxPendingOps && this.pending.length > 0) await this.pending[0]!.done;
    this.throwIfFatal();
  }

  /**
   * Per partition, the offset before the oldest put still writing (or what the runtime offers when
   * nothing of that partition is pending).
   */
  async preCommit(
    offsets: Map<string, { tp: TopicPartition; offset: number }>,
  ): Promise<Map<string, { tp: TopicPartition; offset: number }>> {
    // The final commit of a stopping task: let the writes in flight finish (briefly) so it covers them.
    if (this.ctx.signal.aborted && this.pending.length > 0)
      await Promise.race([this.flush().catch(() => undefined), sleep(10_000)]);
    this.throwIfFatal();
    const out = new Map<string, { tp: TopicPartition; offset: number }>();
    for (const [k, v] of offsets) {
      let safe = v.offset;
      for (const p of this.pending) {
        const f = p.first.get(k);
        if (f !== undefined) {
          safe = Math.min(safe, f);
          break;
        }
      }
      out.set(k, { tp: v.tp, offset: safe });
    }
    return out;
  }

  /** Waits for the writes in flight (the runtime calls this before closing partitions and stopping). */
  async flush(): Promise<void> {
    while (this.pending.length > 0) await this.pending[0]!.done;
    this.throwIfFatal();
  }

  private settle(entry: { ops: number }): void {
    const i = this.pending.indexOf(entry as never);
    if (i >= 0) this.pending.splice(i, 1);
    this.pendingOps -= entry.ops;
  }

  private throwIfFatal(): void {
    if (this.fatal !== null) throw this.fatal;
  }

  /**
   * Writes `ops`, reporting the statements Cassandra rejects and retrying the ones that failed because
   * the cluster did, with backoff, until they succeed, errors.retry.timeout passes, or the task stops.
   */
  private async writeUntilDone(ops: WriteOp[]): Promise<void> {
    let todo = ops;
    while (todo.length > 0) {
      const outcome = await this.writer!.write(todo);
      for (const { op, error } of outcome.rejected) {
        await this.badRecord(
          op.record,
          new DataError(
            `Cassandra rejected the write of the record at ${op.record.topic}-${op.record.kafkaPartition}@${op.record.kafkaOffset}: ${describeDriverError(error)}`,
            { cause: error },
          ),
          'driver',
        );
      }
      todo = outcome.unavailable;
      if (todo.length === 0) break;
      if (this.ignoreErrors !== 'None') {
        this.ctx.logger.warn(
          `task ${this.ctx.id}: skipping ${todo.length} writes that failed (ignoreErrors=${this.ignoreErrors}): ${describeDriverError(outcome.clusterError)}`,
        );
        return;
      }
      const retry = this.retryOrFail(outcome.clusterError);
      if (!(retry instanceof RetriableError)) throw retry;
      this.ctx.logger.warn(`task ${this.ctx.id}: ${retry.message}`);
      if (this.ctx.signal.aborted) throw retry; // not committed: delivered again after a restart
      await sleep(this.lastDelay, this.ctx.signal);
    }
    this.failingSince = 0;
    this.attempts = 0;
  }

  async stop(): Promise<void> {
    const s = this.session;
    this.session = null;
    await s?.close().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const session = await CassandraSession.open(clientOptions(sinkConfigDef.parse(this.config)));
    try {
      const { writers, problems } = await openTables(session, tableSettings(this.config).tables);
      if (problems.length > 0) throw new ConfigError(problems);
      this.byTopic = new Map();
      for (const w of writers) {
        const list = this.byTopic.get(w.settings.topic) ?? [];
        list.push(w);
        this.byTopic.set(w.settings.topic, list);
      }
    } catch (err) {
      await session.close().catch(() => undefined);
      throw err;
    }
    const cfg = sinkConfigDef.parse(this.config);
    this.writer = new BatchWriter(
      session,
      cfg.int('maxNumberOfRecordsInBatch'),
      cfg.int('maxConcurrentRequests'),
      isRetriableDriverError,
    );
    this.maxPendingOps = cfg.int('maxNumberOfRecordsInBatch') * cfg.int('maxConcurrentRequests');
    this.session = session;
  }

  /**
   * A RetriableError while errors.retry.timeout allows (0 or -1: forever, as DataStax's sink retries
   * until Cassandra is back), then a fatal error that fails the task with the cause in its trace.
   */
  private retryOrFail(cause: unknown): ConnectError {
    const now = Date.now();
    if (this.failingSince === 0) this.failingSince = now;
    this.attempts++;
    const what = describeDriverError(cause);
    if (this.retryTimeoutMs > 0 && now - this.failingSince >= this.retryTimeoutMs) {
      return new ConnectError(
        `Writing to Cassandra failed for ${now - this.failingSince} ms, more than errors.retry.timeout=${this.retryTimeoutMs}; giving up: ${what}. Restart the task once Cassandra is reachable; nothing after the last committed offset was lost.`,
        { code: 'CASSANDRA_UNAVAILABLE', cause },
      );
    }
    const delay = Math.min(300 * 2 ** Math.min(this.attempts - 1, 10), this.retryDelayMaxMs, 5000);
    this.lastDelay = delay;
    this.ctx.timeout(delay);
    return new RetriableError(`Cassandra write failed, retrying in ${delay} ms (attempt ${this.attempts}): ${what}`, {
      code: 'CASSANDRA_UNAVAILABLE',
      cause,
    });
  }

  /**
   * A record that cannot be written as it is. ignoreErrors=All skips mapping failures and
   * Driver/All skip write failures (logged); otherwise the runtime's error handler decides (DLQ, skip,
   * or fail the task), and without one errors.tolerance does.
   */
  private async badRecord(record: SinkRecord, err: unknown, kind: 'mapping' | 'driver'): Promise<void> {
    const error = err instanceof Error ? err : new Error(String(err));
    if (this.ignoreErrors === 'All' || (kind === 'driver' && this.ignoreErrors === 'Driver')) {
      this.ctx.logger.warn(
        `task ${this.ctx.id}: skipping a record (ignoreErrors=${this.ignoreErrors}): ${error.message}`,
      );
      return;
    }
    if (this.ctx.errantRecordReporter) {
      await this.ctx.errantRecordReporter(record, error);
      return;
    }
    if (this.toleranceAll) {
      this.ctx.logger.warn(`task ${this.ctx.id}: skipping a record (errors.tolerance=all): ${error.message}`);
      return;
    }
    throw error instanceof DataError ? error : new DataError(error.message, { cause: error });
  }
}
