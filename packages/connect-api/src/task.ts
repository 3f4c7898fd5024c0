import type { ConnectorConfig } from './config.js';
import type { Logger } from './logger.js';
import type {
  RecordMetadata,
  SinkRecord,
  SourceOffset,
  SourcePartition,
  SourceRecord,
  TopicPartition,
} from './records.js';

/** Reads the offsets this connector committed before, to resume where it stopped. */
export interface OffsetStorageReader {
  offset(partition: SourcePartition): Promise<SourceOffset | null>;
  offsets(partitions: SourcePartition[]): Promise<Map<SourcePartition, SourceOffset | null>>;
}

/** What every task receives. */
export interface TaskContext {
  /** `<connector>-<task id>`, as in statuses. */
  readonly id: string;
  readonly connector: string;
  readonly taskId: number;
  readonly logger: Logger;
  /**
   * Aborted when the runtime stops the task (stop, pause of a source, rebalance, shutdown). Pass it to
   * anything that waits (sleeps, sockets, queries) so that a `poll()` or `put()` in flight returns
   * promptly; the runtime then calls `stop()`.
   */
  readonly signal: AbortSignal;
  /**
   * Task-level figures the worker publishes at `GET /metrics` as `tributary_task_<name>`, labelled with
   * connector and task (e.g. datagrams the kernel dropped). `gauge` returns a setter; call it as often
   * as the figure changes. Absent in runtimes without metrics.
   */
  readonly metrics?: TaskMetricsRecorder;
}

/** See {@link TaskContext.metrics}. Names are lower_snake_case. */
export interface TaskMetricsRecorder {
  gauge(name: string, help: string): (value: number) => void;
}

export interface SourceTaskContext extends TaskContext {
  readonly offsetStorageReader: OffsetStorageReader;
  /** The connector's full configuration (task configs carry only what the connector chose to pass). */
  readonly connectorConfig: ConnectorConfig;
  /**
   * KIP-618: present only when the task runs exactly once with `transaction.boundary=connector`
   * (null or absent otherwise): the task then says where its transactions end.
   */
  readonly transactionContext?: TransactionContext | null;
}

/**
 * KIP-618's transaction boundaries chosen by a source task (`transaction.boundary=connector`). The
 * records a task returns from `poll()` stay in one open transaction until it asks for a commit or
 * an abort; a commit writes them with the offsets they reach, atomically, and the task hears
 * `commitRecord`/`commit()` afterwards. Requests may be made from `poll()` (for records it is about
 * to return) or between polls; they take effect when the runtime processes that batch.
 *
 * An aborted transaction's records are dropped without `commitRecord`, and their offsets do not
 * move: the task decides whether to produce them again. When both a commit and an abort are asked
 * for the same point, the abort wins. A transaction still open when the task stops (cleanly, on a
 * failure or in a crash) is dropped: its records are polled again from the last committed offsets,
 * so a transaction never ends anywhere but where the task said.
 */
export interface TransactionContext {
  /**
   * Without a record: commit once the next batch from `poll()` is processed (or, if the task asks
   * between polls and the next poll returns nothing, after that empty poll). With a record: commit
   * the transaction once that record is in it; records after it in its batch open the next one.
   */
  commitTransaction(record?: SourceRecord): void;
  /** As commitTransaction, but the transaction (up to and including the record, if one is given) is dropped. */
  abortTransaction(record?: SourceRecord): void;
}

/**
 * Reads records from an external system.
 *
 * Call order: `start(config, ctx)` once → `poll()` repeatedly, never two at a time → `stop()` once.
 * `commitRecord(record, metadata)` is called for each record after the log acknowledged it (metadata
 * null when a transform dropped it or the error handler skipped it), in order per source partition.
 * `commit()` is called after the runtime has durably stored the offsets flushed so far; only then
 * may the task confirm its position upstream (acknowledge a replication slot, move a finished file).
 *
 * Concurrency: `stop()` may be called while a `poll()` is in flight; `ctx.signal` is aborted first.
 * `poll()` must then return soon (an empty batch is fine). Records it still returns are discarded
 * and will be read again after a restart, from the last committed offset.
 *
 * Resume: a restarted task gets a fresh instance; it reads `ctx.offsetStorageReader` in `start()`
 * and continues after the last committed offset. Everything after that offset may be delivered
 * again (at-least-once), so a source should make positions exact.
 */
export interface SourceTask {
  version?(): string;
  start(config: Record<string, string>, ctx: SourceTaskContext): void | Promise<void>;
  /** A batch of records, or null/empty when nothing is ready. Should not block for long. */
  poll(): Promise<SourceRecord[] | null>;
  commit?(): void | Promise<void>;
  commitRecord?(record: SourceRecord, metadata: RecordMetadata | null): void | Promise<void>;
  /**
   * A signal an operator sent through the runtime (Tributary's `POST /tributary/connectors/{name}/signals`,
   * delivered to task 0), shaped as Debezium's signal rows. Called between `start()` and `stop()`, possibly
   * while a `poll()` is in flight: queue the work, do not block. Resolves once the task accepted the signal
   * (not when its work is done); a rejection is reported to the caller as a bad request. Named `onSignal` so
   * it never collides with a task's own `signal` (an AbortSignal is commonly kept under that name).
   */
  onSignal?(signal: SourceSignal): void | Promise<void>;
  stop(): void | Promise<void>;
}

/** A signal for a source task: Debezium's `id`, `type` and `data` (JSON text, or null). */
export interface SourceSignal {
  readonly id: string;
  readonly type: string;
  readonly data: string | null;
}

/** What a sink task can ask of the runtime. */
export interface SinkTaskContext extends TaskContext {
  /** The partitions currently assigned to this task. */
  assignment(): TopicPartition[];
  /** Stops fetching from these partitions until `resume`; already-delivered records stay delivered. */
  pause(...partitions: TopicPartition[]): void;
  resume(...partitions: TopicPartition[]): void;
  /** Rewinds (or skips) a partition: the next record delivered from it has this offset. */
  offset(partition: TopicPartition, offset: number): void;
  /** After a RetriableError from `put()`, wait this long before re-delivering the same batch. */
  timeout(ms: number): void;
  /** Asks for an offset commit soon, rather than at the next flush interval. */
  requestCommit(): void;
  /**
   * Reports one record the task could not write. Depending on `errors.tolerance` this skips it, logs
   * it, sends it to the dead-letter queue, or fails the task. Resolves once the report is durable.
   * Null when neither a DLQ nor error logging is configured.
   */
  readonly errantRecordReporter: ((record: SinkRecord, error: Error) => Promise<void>) | null;
}

/**
 * Writes records to an external system.
 *
 * Call order: `start(config, ctx)` → `open(partitions)` → `put(records)` repeatedly, never two at a
 * time → on each commit, `preCommit(offsets)` → on a rebalance `close(revoked)` then `open(assigned)`
 * → `stop()`, only after the last `put()` returned and the final commit was attempted.
 *
 * Offsets: `preCommit` gets, per partition, the next offset to read (last delivered + 1) and returns
 * what is safe to commit (by default, after `flush`, all of it). Returning a smaller offset makes the
 * runtime re-deliver from there after a restart, so a task that buffers returns only what it wrote.
 *
 * Errors: a RetriableError from `put()` re-delivers the same batch after `ctx.timeout(ms)`; any other
 * error fails the task. Use `ctx.errantRecordReporter` for bad records instead of throwing.
 *
 * Concurrency: `ctx.signal` is aborted before `stop()`; a `put()` in flight should finish or abandon
 * its writes promptly (records not acknowledged through `preCommit` are delivered again).
 */
export interface SinkTask {
  version?(): string;
  start(config: Record<string, string>, ctx: SinkTaskContext): void | Promise<void>;
  open?(partitions: TopicPartition[]): void | Promise<void>;
  put(records: SinkRecord[]): Promise<void>;
  /** Makes everything `put()` so far durable. Default for `preCommit`. */
  flush?(offsets: Map<string, { tp: TopicPartition; offset: number }>): void | Promise<void>;
  /**
   * Offsets keyed by `topic:partition` (see `tpKey`). Returns the offsets to commit; an empty map
   * skips this commit.
   */
  preCommit?(
    offsets: Map<string, { tp: TopicPartition; offset: number }>,
  ): Map<string, { tp: TopicPartition; offset: number }> | Promise<Map<string, { tp: TopicPartition; offset: number }>>;
  close?(partitions: TopicPartition[]): void | Promise<void>;
  stop(): void | Promise<void>;
}
