import {
  isRetriable,
  tpKey,
  type Header,
  type SinkRecord,
  type SinkTask,
  type SinkTaskContext,
  type TopicPartition,
} from '@tributary/connect-api';
import type { Consumer, LogRecord } from '../log/log.js';
import type { TargetState } from '../storage/config-store.js';
import type { ConverterSet } from './converters.js';
import type { ErrorContext, ErrorHandler, Stage } from './error-handler.js';
import type { TaskMetrics } from '../metrics.js';
import type { TransformChain } from './transform-chain.js';
import { closeAll, WorkerTask, type WorkerTaskDeps } from './worker-task.js';

export interface SinkRunnerDeps extends WorkerTaskDeps {
  readonly task: SinkTask;
  readonly taskConfig: Record<string, string>;
  /**
   * Created with this runner's rebalance listener (see `listener`); owned by the runner, closed when the task stops.
   */
  readonly makeConsumer: (runner: SinkTaskRunner) => Consumer;
  readonly converters: ConverterSet;
  readonly transforms: TransformChain;
  readonly errors: ErrorHandler;
  readonly flushIntervalMs: number;
  readonly maxPollRecords?: number;
  readonly metrics: TaskMetrics;
}

type OffsetMap = Map<string, { tp: TopicPartition; offset: number }>;

/**
 * Runs one sink task: consumer group `connect-<name>` → converters → transforms → `put(batch)`.
 * Every `offset.flush.interval.ms`, on `requestCommit()`, on a rebalance and on stop, the offsets the
 * task confirms through `preCommit` are committed to the group. A RetriableError from `put` re-delivers
 * the same batch after the task's `timeout` or the backoff; joining the group and converter
 * preparation are retried as RetryPolicy describes.
 */
export class SinkTaskRunner extends WorkerTask {
  private consumer!: Consumer;
  /** Next offset to read per partition, for records already handed to put() (original coordinates). */
  private readonly current: OffsetMap = new Map();
  /**
   * Per partition: the next offset and timestamp of the last record read, until a commit covers it (latency metric).
   */
  private readonly uncommitted = new Map<string, { offset: number; timestamp: number }>();
  private lastCommit = Date.now();
  private commitRequested = false;
  /** The delay a task asked for through `ctx.timeout(ms)`, used for the next re-delivery only. */
  private retryTimeoutMs: number | undefined;
  private assigned: TopicPartition[] = [];
  private started = false;
  private readonly topics = new Set<string>();
  /** The batch being delivered, to find a reported record's original bytes. */
  private lastBatch: LogRecord[] = [];

  constructor(
    private readonly sink: SinkRunnerDeps,
    initialState: TargetState,
  ) {
    super(sink, initialState);
    sink.errors.stopOn(this.signal);
  }

  /** The rebalance listener the consumer must be created with. */
  readonly listener = {
    onAssigned: async (tps: TopicPartition[]) => {
      this.assigned.push(...tps);
      if (this.started) await this.sink.task.open?.(tps);
    },
    onRevoked: async (tps: TopicPartition[]) => {
      if (this.started) {
        await this.commit(tps);
        await this.sink.task.close?.(tps);
      }
      const gone = new Set(tps.map(tpKey));
      this.assigned = this.assigned.filter((tp) => !gone.has(tpKey(tp)));
      for (const k of gone) this.current.delete(k);
    },
  };

  protected async initialize(): Promise<void> {
    this.consumer = this.sink.makeConsumer(this);
    const ctx: SinkTaskContext = {
      id: this.id,
      connector: this.sink.connector,
      taskId: this.sink.taskId,
      logger: this.logger,
      signal: this.signal,
      metrics: this.sink.metrics,
      assignment: () => [...this.assigned],
      pause: (...tps) => this.consumer.pause(tps),
      resume: (...tps) => this.consumer.resume(tps),
      offset: (tp, offset) => this.consumer.seek(tp, offset),
      timeout: (ms) => {
        this.retryTimeoutMs = ms > 0 ? ms : undefined;
      },
      requestCommit: () => {
        this.commitRequested = true;
      },
      errantRecordReporter: this.sink.errors.hasReporter
        ? (record, error) => {
            // The DLQ gets the original bytes, as Kafka Connect writes them.
            const raw = this.lastBatch.find(
              (r) =>
                r.offset === record.originalKafkaOffset &&
                r.partition === record.originalKafkaPartition &&
                r.topic === record.originalTopic,
            );
            return this.sink.errors.handle(error, {
              stage: 'TASK_PUT',
              topic: record.originalTopic,
              partition: record.originalKafkaPartition,
              offset: record.originalKafkaOffset,
              key: raw?.key ?? null,
              value: raw?.value ?? null,
              headers: raw?.headers ?? [],
            });
          }
        : null,
    };
    await this.sink.task.start(this.sink.taskConfig, ctx);
    this.started = true;
    await this.joinGroup();
    if (this.assigned.length > 0) await this.sink.task.open?.([...this.assigned]);
    if (this.isPaused) this.consumer.pause(this.consumer.assignment());
  }

  /** Joins the group, waiting out a log that is away or a topic that does not exist yet. */
  private joinGroup(): Promise<void> {
    return this.sink.errors.retry.untilSuccess(() => this.consumer.start(), {
      signal: this.signal,
      onRetry: (err, _n, ms) =>
        this.logger.warn({ err }, `task ${this.id}: cannot join the consumer group yet; retrying in ${ms} ms`),
    });
  }

  protected override onTargetState(paused: boolean): void {
    if (!this.consumer) return;
    if (paused) this.consumer.pause(this.consumer.assignment());
    else this.consumer.resume(this.consumer.assignment());
  }

  protected async iteration(): Promise<void> {
    if (this.commitRequested || Date.now() - this.lastCommit >= this.sink.flushIntervalMs) await this.commit();
    const raw = await this.consumer.poll(500, this.signal);
    if (raw.length === 0 || this.signal.aborted) return;
    this.lastBatch = raw;
    const batch: SinkRecord[] = [];
    const { key, value } = this.sink.converters;
    for (const r of raw) {
      if (key.prepareToConnectData?.(r.topic, r.key) || value.prepareToConnectData?.(r.topic, r.value)) {
        const failure = await this.prepare(r);
        if (this.signal.aborted) return; // nothing of this batch was put: it is delivered again after a restart
        if (failure) {
          await this.sink.errors.handle(failure.error, failure.context);
          continue;
        }
      }
      const rec = this.toSinkRecord(r);
      if (rec instanceof RecordFailure) await this.sink.errors.handle(rec.error, rec.context);
      else if (rec) batch.push(rec);
    }
    await this.deliver(batch);
    // Records arrive in offset order per partition: only the last one of each run moves the position.
    for (let i = 0; i < raw.length; i++) {
      const r = raw[i]!;
      const next = raw[i + 1];
      if (next && next.partition === r.partition && next.topic === r.topic) continue;
      this.current.set(`${r.topic}:${r.partition}`, {
        tp: { topic: r.topic, partition: r.partition },
        offset: r.offset + 1,
      });
      this.uncommitted.set(`${r.topic}:${r.partition}`, { offset: r.offset + 1, timestamp: r.timestamp });
      if (!this.topics.has(r.topic)) {
        this.topics.add(r.topic);
        this.sink.status.onTopic?.(this.sink.connector, r.topic);
      }
    }
    this.sink.metrics.polled(raw.length);
  }

  /**
   * put(), re-delivering the same batch on retriable errors until it succeeds or the task stops (a
   * batch not put is not committed, so it is delivered again after a restart).
   */
  private async deliver(batch: SinkRecord[]): Promise<void> {
    await this.sink.errors.retry.untilSuccess(() => this.sink.task.put(batch), {
      signal: this.signal,
      delayOverride: () => {
        const ms = this.retryTimeoutMs;
        this.retryTimeoutMs = undefined;
        return ms;
      },
      onRetry: (err, _n, ms) =>
        this.logger.warn({ err }, `task ${this.id}: retriable error from put(); re-delivering in ${ms} ms`),
    });
    this.sink.metrics.written(batch.length);
    this.sink.metrics.latency('put', batch, (r) => r.timestamp ?? Date.now());
  }

  /**
   * Awaits the converters' I/O for one record, retried within `errors.retry.timeout` (see
   * RetryPolicy); a failure for the error handler, or null.
   */
  private async prepare(r: LogRecord): Promise<RecordFailure | null> {
    const { key, value } = this.sink.converters;
    let stage: Stage = 'KEY_CONVERTER';
    try {
      await this.sink.errors.retry.withinTimeout(
        async () => {
          stage = 'KEY_CONVERTER';
          await key.prepareToConnectData?.(r.topic, r.key);
          stage = 'VALUE_CONVERTER';
          await value.prepareToConnectData?.(r.topic, r.value);
        },
        {
          signal: this.signal,
          onRetry: (err, _n, ms) =>
            this.logger.warn({ err }, `task ${this.id}: converter not ready (schema registry?); retrying in ${ms} ms`),
        },
      );
      return null;
    } catch (error) {
      return new RecordFailure(error, {
        stage,
        topic: r.topic,
        partition: r.partition,
        offset: r.offset,
        key: r.key,
        value: r.value,
        headers: r.headers,
        describe: () => ({ topic: r.topic, partition: r.partition, offset: r.offset }),
      });
    }
  }

  /** Converts and transforms one record; synchronous because it is the hot path. */
  private toSinkRecord(r: LogRecord): SinkRecord | null | RecordFailure {
    const { key, value, header } = this.sink.converters;
    let stage: Stage = 'KEY_CONVERTER';
    try {
      const k = key.toConnectData(r.topic, r.key);
      stage = 'VALUE_CONVERTER';
      const v = value.toConnectData(r.topic, r.value);
      stage = 'HEADER_CONVERTER';
      const headers: Header[] =
        r.headers.length === 0
          ? NO_HEADERS
          : r.headers.map((h) => {
              const sv = header.toConnectHeader(r.topic, h.key, h.value);
              return { key: h.key, schema: sv.schema, value: sv.value };
            });
      stage = 'TRANSFORMATION';
      const rec: SinkRecord = {
        topic: r.topic,
        kafkaPartition: r.partition,
        kafkaOffset: r.offset,
        timestamp: r.timestamp,
        timestampType: 'CreateTime',
        keySchema: k.schema,
        key: k.value,
        valueSchema: v.schema,
        value: v.value,
        headers,
        originalTopic: r.topic,
        originalKafkaPartition: r.partition,
        originalKafkaOffset: r.offset,
      };
      return this.sink.transforms.isEmpty ? rec : this.sink.transforms.apply(rec);
    } catch (error) {
      return new RecordFailure(error, {
        stage,
        topic: r.topic,
        partition: r.partition,
        offset: r.offset,
        key: r.key,
        value: r.value,
        headers: r.headers,
        describe: () => ({ topic: r.topic, partition: r.partition, offset: r.offset }),
      });
    }
  }

  /** preCommit → commit what the task says is durable (for `only` partitions when given). */
  private async commit(only?: TopicPartition[]): Promise<void> {
    this.lastCommit = Date.now();
    this.commitRequested = false;
    let offsets: OffsetMap = new Map(this.current);
    if (only) {
      const keep = new Set(only.map(tpKey));
      offsets = new Map([...offsets].filter(([k]) => keep.has(k)));
    }
    if (offsets.size === 0) return;
    const task = this.sink.task;
    let toCommit: OffsetMap;
    if (task.preCommit) toCommit = await task.preCommit(offsets);
    else {
      await task.flush?.(offsets);
      toCommit = offsets;
    }
    if (toCommit.size === 0) return;
    try {
      await this.consumer.commit(
        [...toCommit.values()].map((o) => ({ topic: o.tp.topic, partition: o.tp.partition, offset: o.offset })),
      );
      this.noteCommitLatency(toCommit);
    } catch (err) {
      // As Kafka Connect: a commit the log cannot take now is retried at the next flush, not fatal.
      if (!isRetriable(err)) throw err;
      this.logger.warn({ err }, `task ${this.id}: offset commit failed; retrying at the next flush`);
    }
  }

  private noteCommitLatency(committed: OffsetMap): void {
    const since: number[] = [];
    for (const [k, o] of committed) {
      const u = this.uncommitted.get(k);
      if (u && o.offset >= u.offset) {
        since.push(u.timestamp);
        this.uncommitted.delete(k);
      }
    }
    if (since.length > 0) this.sink.metrics.latency('commit', since, (t) => t);
  }

  protected async close(failed: boolean): Promise<void> {
    if (this.started && !failed) {
      try {
        await this.commit();
      } catch (err) {
        this.logger.error({ err }, `task ${this.id}: final commit failed`);
      }
    }
    if (this.started) await this.sink.task.close?.([...this.assigned]);
    if (this.started) await this.sink.task.stop();
    this.sink.transforms.close();
  }

  protected async closeClients(): Promise<void> {
    await closeAll([() => this.consumer?.close(), () => this.sink.errors.close()]);
  }
}

/** A record a converter or transform rejected, with what the error handler needs to know. */
class RecordFailure {
  constructor(
    readonly error: unknown,
    readonly context: ErrorContext,
  ) {}
}

/** Shared by every record without headers (records are treated as immutable). */
const NO_HEADERS: Header[] = [];
