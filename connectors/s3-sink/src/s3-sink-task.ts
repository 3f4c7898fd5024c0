import {
  ConfigError,
  DataError,
  isRetriable,
  tpKey,
  type ParsedConfig,
  type SinkRecord,
  type SinkTask,
  type SinkTaskContext,
  type TopicPartition,
} from '@tributary/connect-api';
import { crossCheck, s3SinkConfigDef, VERSION } from './config.js';
import { createFormat } from './format/index.js';
import { createPartitioner } from './partitioner/partitioner.js';
import { S3Storage } from './s3-storage.js';
import { MemoryBudget } from './spill-buffer.js';
import { TopicPartitionWriter, type WriterSettings } from './topic-partition-writer.js';

type OffsetMap = Map<string, { tp: TopicPartition; offset: number }>;

/** Parses and cross-checks the S3 sink keys; throws a ConfigError naming every bad key. */
export function parseS3SinkConfig(props: Record<string, string>): ParsedConfig {
  const c = s3SinkConfigDef.parse(props);
  const problems = crossCheck(c);
  if (problems.length > 0) throw new ConfigError(problems);
  return c;
}

/**
 * Writes records to S3 objects, one {@link TopicPartitionWriter} per assigned Kafka partition.
 * `preCommit` returns, per partition, only the offset up to which objects are complete in S3, so a
 * crash replays from there and rewrites the same objects (deterministic names and contents).
 *
 * The runtime polls every 500 ms but calls `put` only with records, so a timer checks time-based
 * rotation for partitions that went quiet, retries uploads that failed in the background, and asks
 * for a commit when it completed objects. Timer work and `put` are serialized on one chain; uploads
 * of rotated objects run beside it (see {@link TopicPartitionWriter}).
 */
export class S3SinkTask implements SinkTask {
  private ctx!: SinkTaskContext;
  private storage!: S3Storage;
  private budget!: MemoryBudget;
  private settings!: WriterSettings;
  private retryBackoffMs = 5000;
  private readonly writers = new Map<string, TopicPartitionWriter>();
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private timerQueued = false;

  version(): string {
    return VERSION;
  }

  async start(props: Record<string, string>, ctx: SinkTaskContext): Promise<void> {
    this.ctx = ctx;
    const c = parseS3SinkConfig(props);
    this.storage = new S3Storage(c);
    await this.storage.checkBucket();
    this.retryBackoffMs = c.int('retry.backoff.ms');
    this.budget = new MemoryBudget(c.int('s3.memory.buffer.max.bytes'), c.string('s3.spill.dir'));
    const format = createFormat(c);
    const partitioner = createPartitioner(c);
    const toleranceAll = (props['errors.tolerance'] ?? 'none').toLowerCase() === 'all';
    this.settings = {
      storage: this.storage,
      budget: this.budget,
      format,
      partitioner,
      naming: {
        topicsDir: c.string('topics.dir'),
        directoryDelim: c.string('directory.delim'),
        fileDelim: c.string('file.delim'),
        zeroPadWidth: c.int('filename.offset.zero.pad.width'),
        extension: format.extension,
      },
      flushSize: c.int('flush.size'),
      rotateIntervalMs: c.int('rotate.interval.ms'),
      rotateScheduleIntervalMs: c.int('rotate.schedule.interval.ms'),
      timezone: c.string('timezone') || 'UTC',
      maxOpenFiles: c.int('partitioner.max.open.files'),
      ignoreNulls: c.string('behavior.on.null.values').toLowerCase() === 'ignore',
      reportBad: (record, error) => this.reportBad(record, error, toleranceAll),
      now: Date.now,
      onCommittable: () => this.ctx.requestCommit(),
    };
    if (!partitioner.deterministic || this.settings.rotateScheduleIntervalMs > 0) {
      ctx.logger.warn(
        `S3 sink ${ctx.id}: Wallclock timestamps or rotate.schedule.interval.ms make object names depend on timing; a replay after a crash may write records into different objects (no exactly-once).`,
      );
    }
    // The timer also retries uploads that failed after put() returned (objects complete in the background).
    const periods = [this.settings.rotateIntervalMs, this.settings.rotateScheduleIntervalMs].filter((p) => p > 0);
    const tick = periods.length > 0 ? Math.max(100, Math.min(1000, Math.floor(Math.min(...periods) / 4))) : 1000;
    this.timer = setInterval(() => this.onTimer(), tick);
    this.timer.unref();
  }

  open(partitions: TopicPartition[]): void {
    for (const tp of partitions)
      if (!this.writers.has(tpKey(tp))) this.writers.set(tpKey(tp), new TopicPartitionWriter(tp, this.settings));
  }

  put(records: SinkRecord[]): Promise<void> {
    return this.exclusive(async () => {
      const byPartition = new Map<string, SinkRecord[]>();
      for (const r of records) {
        const k = `${r.topic}:${r.kafkaPartition}`;
        let list = byPartition.get(k);
        if (!list) byPartition.set(k, (list = []));
        list.push(r);
      }
      for (const [k, list] of byPartition) {
        let w = this.writers.get(k);
        if (!w)
          this.writers.set(
            k,
            (w = new TopicPartitionWriter(
              { topic: list[0]!.topic, partition: list[0]!.kafkaPartition },
              this.settings,
            )),
          );
        const before = w.committable;
        try {
          await w.write(list);
          // Objects completed: commit now rather than at the next flush interval.
          if (w.committable !== before) this.ctx.requestCommit();
        } catch (err) {
          if (isRetriable(err)) this.ctx.timeout(this.retryBackoffMs);
          throw err;
        }
      }
    });
  }

  preCommit(offsets: OffsetMap): OffsetMap {
    const out: OffsetMap = new Map();
    for (const [k, { tp }] of offsets) {
      const c = this.writers.get(k)?.committable;
      if (c !== null && c !== undefined) out.set(k, { tp, offset: c });
    }
    return out;
  }

  close(partitions: TopicPartition[]): Promise<void> {
    return this.exclusive(async () => {
      for (const tp of partitions) {
        await this.writers.get(tpKey(tp))?.abort();
        this.writers.delete(tpKey(tp));
      }
    });
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.exclusive(async () => {
      for (const w of this.writers.values()) await w.abort();
      this.writers.clear();
      await this.budget?.dispose();
    });
    this.storage?.client.destroy();
  }

  /** For the benchmark and tests: open files and buffered bytes. */
  stats(): { openFiles: number; bytesInMemory: number; spills: number } {
    let openFiles = 0;
    for (const w of this.writers.values()) openFiles += w.openFiles;
    return { openFiles, bytesInMemory: this.budget.bytesInMemory, spills: this.budget.spills };
  }

  private onTimer(): void {
    if (this.timerQueued || this.ctx.signal.aborted) return;
    this.timerQueued = true;
    void this.exclusive(async () => {
      this.timerQueued = false;
      let completed = false;
      for (const w of this.writers.values()) {
        try {
          if (await w.rotateIfDue()) completed = true;
        } catch (err) {
          this.ctx.logger.warn(
            { err },
            `S3 sink ${this.ctx.id}: completing objects of ${w.tp.topic}-${w.tp.partition} failed; trying again on the next tick or put`,
          );
        }
      }
      if (completed) this.ctx.requestCommit();
    });
  }

  private async reportBad(record: SinkRecord, error: Error, toleranceAll: boolean): Promise<void> {
    const err = error instanceof DataError ? error : new DataError(error.message, { cause: error });
    if (this.ctx.errantRecordReporter) return this.ctx.errantRecordReporter(record, err);
    if (toleranceAll) {
      this.ctx.logger.warn(
        `S3 sink ${this.ctx.id}: skipping ${record.topic}-${record.kafkaPartition}@${record.kafkaOffset}: ${err.message}`,
      );
      return;
    }
    throw err;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => {});
    return run;
  }
}
