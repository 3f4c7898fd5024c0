import {
  isRetriable,
  type Header,
  type OffsetStorageReader,
  type SourceOffset,
  type SourcePartition,
  type SourceRecord,
  type SourceTask,
  type SourceTaskContext,
} from '@tributary/connect-api';
import type { Admin, LogHeader, ProduceAck, ProduceRecord, Producer } from '../log/log.js';
import { hasTopicCreation, topicCreationSpec } from '../log/topic-creation.js';
import { offsetKey, type OffsetStore } from '../storage/offset-store.js';
import type { TargetState } from '../storage/config-store.js';
import type { ConverterSet } from './converters.js';
import type { ErrorHandler } from './error-handler.js';
import { sleep } from './sleep.js';
import { SourceRedelivery } from './source-redelivery.js';
import { TaskTransactionContext } from './source-transaction-context.js';
import { SourceTransactions, type ExactlyOnce } from './source-transactions.js';
import { SubmittedRecords } from './submitted-records.js';
import type { TransformChain } from './transform-chain.js';
import { closeAll, WorkerTask, type WorkerTaskDeps } from './worker-task.js';
import type { TaskMetrics } from '../metrics.js';

export interface SourceRunnerDeps extends WorkerTaskDeps {
  readonly task: SourceTask;
  readonly taskConfig: Record<string, string>;
  readonly connectorConfig: Record<string, string>;
  /** Owned by the runner: closed when the task stops (see WorkerTask). */
  readonly producer: Producer;
  /** Creates topics the connector writes to, when it has `topic.creation.*` settings (KIP-158). */
  readonly admin: Admin;
  readonly offsets: OffsetStore;
  /** Opens `offsets` before the task reads it, when it is the task's own (a connector's offsets topic). */
  readonly openOffsets?: () => Promise<void>;
  readonly converters: ConverterSet;
  readonly transforms: TransformChain;
  readonly errors: ErrorHandler;
  readonly flushIntervalMs: number;
  readonly flushTimeoutMs: number;
  readonly metrics: TaskMetrics;
  /** Exactly-once (KIP-618): records and offsets in one transaction per boundary. */
  readonly exactlyOnce?: ExactlyOnce;
  /** At least once: count the records sent again after a restart (see SourceRedelivery). */
  readonly countRedelivered?: boolean;
}

/**
 * Sent and not yet acknowledged: beyond either bound `poll()` waits (backpressure). The records bound
 * the memory held; batches are bounded too, but loosely, so a source that polls a few records at a time
 * (CDC of small transactions, syslog) keeps the producer's queue full instead of waiting a round trip
 * per poll (the producer merges what is queued into one request, as Kafka's producer batches).
 */
export const MAX_IN_FLIGHT_RECORDS = 10_000;
export const MAX_IN_FLIGHT_BATCHES = 32;

/**
 * Runs one source task: poll → transforms → converters → producer. A record's offset becomes
 * committable once the log acknowledged it and everything polled before it from the same source
 * partition; every `offset.flush.interval.ms` (and on stop) the committable offsets are written to
 * the offset store, and only then is the task told to `commit()`.
 */
export class SourceTaskRunner extends WorkerTask {
  private readonly submitted = new SubmittedRecords();
  private readonly topics = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private inFlightRecords = 0;
  /** The acknowledgement handling of sent batches, one after the other. */
  private acking: Promise<void> = Promise.resolve();
  private lastFlush = Date.now();
  private flushing: Promise<void> = Promise.resolve();
  private sendError: unknown = null;
  /** Retriable poll() failures in a row, for the backoff. */
  private pollFailures = 0;

  private readonly transactions: SourceTransactions | null;
  private readonly redelivery: SourceRedelivery | null;
  /** `transaction.boundary=connector`: where the task wants its transactions to end. */
  private readonly txContext: TaskTransactionContext | null;

  constructor(
    private readonly src: SourceRunnerDeps,
    initialState: TargetState,
  ) {
    super(src, initialState);
    src.errors.stopOn(this.signal);
    this.transactions = src.exactlyOnce
      ? new SourceTransactions(src.exactlyOnce, async () => {
          await src.task.commit?.();
        })
      : null;
    this.txContext = src.exactlyOnce?.taskDefined ? new TaskTransactionContext() : null;
    this.redelivery =
      src.countRedelivered && !src.exactlyOnce
        ? new SourceRedelivery(src.connector, src.taskId, src.offsets, src.admin, this.logger, (n) =>
            src.metrics.redelivered(n),
          )
        : null;
  }

  /** The plugin's task, for signals routed to it (rest/signal-routes.ts). */
  get sourceTask(): SourceTask {
    return this.src.task;
  }

  protected async initialize(): Promise<void> {
    const reader: OffsetStorageReader = {
      offset: (p) => this.src.offsets.get(this.src.connector, p),
      offsets: async (ps) =>
        new Map(
          await Promise.all(ps.map(async (p) => [p, await this.src.offsets.get(this.src.connector, p)] as const)),
        ),
    };
    const ctx: SourceTaskContext = {
      id: this.id,
      connector: this.src.connector,
      taskId: this.src.taskId,
      logger: this.logger,
      signal: this.signal,
      offsetStorageReader: reader,
      connectorConfig: this.src.connectorConfig,
      metrics: this.src.metrics,
      transactionContext: this.txContext,
    };
    await this.src.openOffsets?.();
    // Exactly once: fence a zombie of this task before it can produce anything.
    await this.transactions?.init();
    await this.redelivery?.start();
    await this.src.task.start(this.src.taskConfig, ctx);
  }

  protected async iteration(): Promise<void> {
    if (this.sendError) throw this.sendError;
    if (this.transactions) await this.transactions.commitIfDue();
    if (Date.now() - this.lastFlush >= this.src.flushIntervalMs) await this.flushOffsets();
    let records: SourceRecord[] | null;
    try {
      records = await this.src.task.poll();
      this.pollFailures = 0;
    } catch (err) {
      if (!isRetriable(err)) throw err;
      this.logger.warn({ err }, `task ${this.id}: retriable error from poll(); polling again after a backoff`);
      await this.src.errors.retry.backoff(this.pollFailures++, this.signal);
      return;
    }
    if (this.signal.aborted) return; // records polled after stop are read again after a restart
    if (!records || records.length === 0) {
      if (this.txContext) await this.endTransaction(this.txContext.takeBatchRequest());
      return;
    }
    this.src.metrics.polled(records.length);
    await this.send(records, Date.now());
  }

  private async send(records: SourceRecord[], polledAt: number): Promise<void> {
    const out: ProduceRecord[] = [];
    const handles: Array<{ record: SourceRecord; pending: ReturnType<SubmittedRecords['submit']> }> = [];
    const commitRecord = this.src.task.commitRecord?.bind(this.src.task);
    let done = 0;
    try {
      for (const record of records) {
        done++;
        const pending = this.submitted.submit(
          record.sourcePartition,
          partitionKey(record.sourcePartition),
          record.sourceOffset,
        );
        if (record.errant) {
          await this.reportErrant(record);
          this.submitted.ack(pending);
          if (commitRecord) await commitRecord(record, null);
          continue;
        }
        let produced = this.convert(record);
        if (produced instanceof NeedsPreparation) {
          produced = (await this.prepare(produced.record)) ?? this.convert(record, produced.record);
          if (this.signal.aborted) return; // unsent records stay unacknowledged: polled again after a restart
        }
        if (produced instanceof NeedsPreparation)
          produced = new ConversionFailure('VALUE_CONVERTER', new Error('converter still not prepared'));
        if (produced instanceof ConversionFailure) {
          await this.src.errors.handle(produced.error, {
            stage: produced.stage,
            topic: record.topic,
            describe: () => describeSource(record),
          });
          produced = null;
        }
        if (produced === null) {
          this.submitted.ack(pending); // dropped by a transform or skipped: its offset may still advance
          if (commitRecord) await commitRecord(record, null);
          continue;
        }
        out.push(produced);
        handles.push({ record, pending });
      }
    } catch (err) {
      // A record that fails the task (errors.tolerance=none) does not hold back the ones before it.
      if (out.length > 0 || this.transactions)
        await this.dispatch(records.slice(0, done - 1), out, handles, polledAt).catch(() => {});
      await Promise.allSettled([...this.inFlight]);
      throw err;
    }
    return this.dispatch(records, out, handles, polledAt);
  }

  /** Sends what a poll batch produced: in a transaction (exactly once), else through the producer. */
  private async dispatch(
    records: SourceRecord[],
    out: ProduceRecord[],
    handles: Array<{ record: SourceRecord; pending: ReturnType<SubmittedRecords['submit']> }>,
    polledAt: number,
  ): Promise<void> {
    if (this.transactions) return this.transact(records, out, handles, polledAt);
    if (out.length === 0) return;
    await this.createTopics(out);
    await this.redelivery?.beforeSend(out);
    while (
      this.inFlight.size > 0 &&
      (this.inFlight.size >= MAX_IN_FLIGHT_BATCHES || this.inFlightRecords + out.length > MAX_IN_FLIGHT_RECORDS)
    )
      await Promise.race(this.inFlight);
    this.inFlightRecords += out.length;
    const p = this.produceWithRetry(out)
      .then(
        // Batches are acknowledged in send order; their commitRecord calls must not interleave.
        (acks) => (this.acking = this.acking.then(() => this.acked(handles, acks, polledAt))),
        (err) => this.sendFailed(err, handles),
      )
      .catch((err) => {
        this.sendError = err;
      })
      .finally(() => {
        this.inFlight.delete(p);
        this.inFlightRecords -= out.length;
      });
    this.inFlight.add(p);
  }

  /**
   * Exactly once: the batch's records and the offsets it reaches (every polled record counts, sent
   * or skipped) in one transaction; the task hears of them after the commit.
   */
  private async transact(
    polled: SourceRecord[],
    out: ProduceRecord[],
    handles: Array<{ record: SourceRecord; pending: ReturnType<SubmittedRecords['submit']> }>,
    polledAt: number,
  ): Promise<void> {
    await this.createTopics(out);
    if (!this.txContext) {
      await this.transactions!.add(out, offsetsOf(polled), (acks) => this.acked(handles, acks, polledAt));
      return;
    }
    // The connector boundary: the batch is split where the task asked its transactions to end.
    const index = new Map(polled.map((r, i) => [r, i]));
    let from = 0;
    let h = 0;
    for (const { end, then } of this.txContext.segments(polled)) {
      const hs: typeof handles = [];
      const os: ProduceRecord[] = [];
      for (; h < handles.length && index.get(handles[h]!.record)! < end; h++) {
        hs.push(handles[h]!);
        os.push(out[h]!);
      }
      await this.transactions!.add(
        os,
        offsetsOf(polled.slice(from, end)),
        (acks) => this.acked(hs, acks, polledAt),
        () => {
          for (const x of hs) this.submitted.ack(x.pending); // dropped: the task is not told (KIP-618)
        },
      );
      await this.endTransaction(then);
      from = end;
    }
  }

  /** Commits (while the task polls again) or aborts the open transaction, as the task asked. */
  private async endTransaction(then: 'commit' | 'abort' | null): Promise<void> {
    if (then === 'commit') await this.transactions!.end();
    else if (then === 'abort') this.transactions!.abort();
  }

  /** The log holds these records: their offsets may advance, and the task hears of each. */
  private async acked(
    handles: Array<{ record: SourceRecord; pending: ReturnType<SubmittedRecords['submit']> }>,
    acks: ProduceAck[],
    polledAt: number,
  ): Promise<void> {
    const commitRecord = this.src.task.commitRecord?.bind(this.src.task);
    for (let i = 0; i < handles.length; i++) {
      this.submitted.ack(handles[i]!.pending);
      this.redelivery?.acked(acks[i]!);
      this.noteTopic(acks[i]!.topic);
      if (commitRecord) await commitRecord(handles[i]!.record, acks[i]!);
    }
    this.src.metrics.written(acks.length);
    this.src.metrics.latency('ack', handles, (h) => h.record.timestamp ?? polledAt);
  }

  /** Sends until the log takes the batch; a log that is away is waited out (see RetryPolicy). */
  private produceWithRetry(records: ProduceRecord[]): Promise<ProduceAck[]> {
    return this.src.errors.retry.untilSuccess(() => this.src.producer.send(records), {
      signal: this.signal,
      onRetry: (err, _n, ms) =>
        this.logger.warn({ err }, `task ${this.id}: log unavailable, sending again in ${ms} ms`),
    });
  }

  /**
   * A batch the log refused for good (or that was still waiting when the task stopped): with
   * `errors.tolerance=all` its records are skipped as Kafka Connect skips failed sends, else the task
   * fails. A stopping task skips nothing: the records are sent again after a restart.
   */
  private async sendFailed(
    err: unknown,
    handles: Array<{ record: SourceRecord; pending: ReturnType<SubmittedRecords['submit']> }>,
  ): Promise<void> {
    if (this.signal.aborted || isRetriable(err) || !this.src.errors.toleranceAll) throw err;
    const commitRecord = this.src.task.commitRecord?.bind(this.src.task);
    for (const { record, pending } of handles) {
      await this.src.errors.handle(err, {
        stage: 'KAFKA_PRODUCE',
        topic: record.topic,
        describe: () => describeSource(record),
      });
      this.submitted.ack(pending);
      if (commitRecord) await commitRecord(record, null);
    }
  }

  /** A record the task marked errant: skipped (and dead-lettered with its raw input) or the task fails. */
  private async reportErrant(record: SourceRecord): Promise<void> {
    const { error, raw } = record.errant!;
    let headers: LogHeader[] = [];
    try {
      headers = this.logHeaders(record);
    } catch {
      /* the DLQ record goes without headers */
    }
    const value = raw === undefined || raw === null ? null : typeof raw === 'string' ? enc.encode(raw) : raw;
    await this.src.errors.handle(error, {
      stage: 'TASK_POLL',
      topic: record.topic,
      value,
      headers,
      describe: () => describeSource(record),
    });
  }

  /** KIP-158: creates, once per topic, the topics this connector writes to, as its settings say. */
  private async createTopics(records: ProduceRecord[]): Promise<void> {
    if (!this.creates) return;
    for (const r of records) {
      if (this.created.has(r.topic)) continue;
      const spec = topicCreationSpec(this.src.connectorConfig, r.topic);
      if (spec) {
        await this.src.errors.retry.untilSuccess(() => this.src.admin.createTopics([spec]), {
          signal: this.signal,
          onRetry: (err, _n, ms) =>
            this.logger.warn({ err }, `task ${this.id}: cannot create topic ${r.topic} yet; retrying in ${ms} ms`),
        });
      }
      this.created.add(r.topic);
    }
  }

  private readonly created = new Set<string>();
  private get creates(): boolean {
    return hasTopicCreation(this.src.connectorConfig);
  }

  private noteTopic(topic: string): void {
    if (this.topics.has(topic)) return;
    this.topics.add(topic);
    this.src.status.onTopic?.(this.src.connector, topic);
  }

  /**
   * Transforms and converts one record; null when a transform dropped it. Synchronous (hot path),
   * unless a converter first needs I/O (a schema registry lookup): then NeedsPreparation, and the
   * caller awaits `prepare` and calls again with the transformed record.
   */
  private convert(
    record: SourceRecord,
    transformed?: SourceRecord,
  ): ProduceRecord | null | ConversionFailure | NeedsPreparation {
    const { key, value } = this.src.converters;
    let stage: ConversionFailure['stage'] = 'TRANSFORMATION';
    try {
      const r = transformed ?? (this.src.transforms.isEmpty ? record : this.src.transforms.apply(record));
      if (r === null) return null;
      stage = 'KEY_CONVERTER';
      if (
        !transformed &&
        (key.prepareFromConnectData?.(r.topic, r.keySchema, r.key) ||
          value.prepareFromConnectData?.(r.topic, r.valueSchema, r.value))
      ) {
        return new NeedsPreparation(r);
      }
      const k = key.fromConnectData(r.topic, r.keySchema, r.key);
      stage = 'VALUE_CONVERTER';
      const v = value.fromConnectData(r.topic, r.valueSchema, r.value);
      stage = 'HEADER_CONVERTER';
      const headers = this.logHeaders(r);
      return {
        topic: r.topic,
        partition: r.kafkaPartition ?? null,
        key: k,
        value: v,
        timestamp: r.timestamp ?? Date.now(),
        headers,
      };
    } catch (error) {
      return new ConversionFailure(stage, error);
    }
  }

  /** The record's headers through the header converter. */
  private logHeaders(r: SourceRecord): LogHeader[] {
    if (r.headers.length === 0) return NO_HEADERS;
    const { header } = this.src.converters;
    return r.headers.map((h: Header) => ({
      key: h.key,
      value: header.fromConnectHeader(r.topic, h.key, h.schema, h.value),
    }));
  }

  /**
   * Awaits the converters' I/O, retried within `errors.retry.timeout` (see RetryPolicy); a failure
   * for the error handler, or null.
   */
  private async prepare(r: SourceRecord): Promise<ConversionFailure | null> {
    const { key, value } = this.src.converters;
    let stage: ConversionFailure['stage'] = 'KEY_CONVERTER';
    try {
      await this.src.errors.retry.withinTimeout(
        async () => {
          stage = 'KEY_CONVERTER';
          await key.prepareFromConnectData?.(r.topic, r.keySchema, r.key);
          stage = 'VALUE_CONVERTER';
          await value.prepareFromConnectData?.(r.topic, r.valueSchema, r.value);
        },
        {
          signal: this.signal,
          onRetry: (err, _n, ms) =>
            this.logger.warn({ err }, `task ${this.id}: converter not ready (schema registry?); retrying in ${ms} ms`),
        },
      );
      return null;
    } catch (err) {
      return new ConversionFailure(stage, err);
    }
  }

  /** Writes every committable offset, then lets the task confirm upstream. */
  async flushOffsets(): Promise<void> {
    this.lastFlush = Date.now();
    this.flushing = this.flushing.then(async () => {
      if (this.txContext) {
        // The task commits when it chooses (transaction.boundary=connector); a stop waits for the commit in flight.
        this.submitted.committable();
        await this.transactions!.settle();
        return;
      }
      if (this.transactions) {
        // The offsets travel in the transactions; committing what is pending tells the task. The
        // task hears commit() on every flush too, for what it learned after its last transaction
        // (spooldir finishes a file when a later poll finds its end).
        this.submitted.committable();
        if (!(await this.transactions.commit())) await this.src.task.commit?.();
        return;
      }
      const entries = this.submitted.committable() as Array<[SourcePartition, SourceOffset]>;
      const redelivery = this.redelivery?.entry(); // where the acknowledged records end, with their offsets
      if (redelivery) entries.unshift(redelivery);
      if (entries.length === 0) return;
      await this.src.offsets.set(this.src.connector, entries);
      await this.src.task.commit?.();
    });
    await this.flushing;
  }

  protected async close(failed: boolean): Promise<void> {
    // A failed (or fenced) task commits nothing more: its restart polls the rest again. So does a task
    // whose transactions are its own to end (transaction.boundary=connector): what it left open is dropped.
    if (failed || this.txContext) this.transactions?.discard();
    // Wait (bounded) for batches in flight so their offsets can be flushed.
    const deadline = Date.now() + this.src.flushTimeoutMs;
    while (this.inFlight.size > 0 && Date.now() < deadline) {
      await Promise.race([Promise.race(this.inFlight), sleep(50)]);
    }
    try {
      await this.flushOffsets();
    } catch (err) {
      this.logger.error({ err }, `task ${this.id}: final offset flush failed`);
    }
    await this.src.task.stop();
    this.src.transforms.close();
  }

  protected async closeClients(): Promise<void> {
    await closeAll([
      () => this.src.producer.close(),
      () => this.src.errors.close(),
      async () => {
        await this.src.exactlyOnce?.producer.close();
      },
    ]);
  }

  protected override async whilePaused(): Promise<void> {
    if (Date.now() - this.lastFlush >= this.src.flushIntervalMs) await this.flushOffsets();
    await super.whilePaused();
  }
}

class NeedsPreparation {
  constructor(readonly record: SourceRecord) {}
}

class ConversionFailure {
  constructor(
    readonly stage: 'TRANSFORMATION' | 'KEY_CONVERTER' | 'VALUE_CONVERTER' | 'HEADER_CONVERTER',
    readonly error: unknown,
  ) {}
}

const partitionKeys = new WeakMap<SourcePartition, string>();

/**
 * A stable key for a source partition (its JSON with sorted keys). Sources usually reuse one partition
 * object for all records of a partition, so the key is computed once per object.
 */
function partitionKey(p: SourcePartition): string {
  let k = partitionKeys.get(p);
  if (k === undefined) {
    k = offsetKey('', p);
    partitionKeys.set(p, k);
  }
  return k;
}

/** The offset each source partition reaches in these records (the last one wins). */
function offsetsOf(records: readonly SourceRecord[]): Map<string, [SourcePartition, SourceOffset]> {
  const offsets = new Map<string, [SourcePartition, SourceOffset]>();
  for (const r of records) offsets.set(partitionKey(r.sourcePartition), [r.sourcePartition, r.sourceOffset]);
  return offsets;
}

function describeSource(r: SourceRecord): unknown {
  return {
    topic: r.topic,
    key: r.key,
    value: r.value,
    sourcePartition: r.sourcePartition,
    sourceOffset: r.sourceOffset,
  };
}

const enc = new TextEncoder();

/** Shared by every record without headers. */
const NO_HEADERS: LogHeader[] = [];
