import { DataError, type Schema, type SinkRecord, type TopicPartition } from '@tributary/connect-api';
import type { Format, RecordWriter } from './format/index.js';
import { objectKey, type NamingOptions } from './object-names.js';
import type { Partitioner } from './partitioner/partitioner.js';
import { nextBoundary } from './partitioner/time.js';
import type { S3Object, S3Storage } from './s3-storage.js';
import type { MemoryBudget } from './spill-buffer.js';

export interface WriterSettings {
  storage: S3Storage;
  budget: MemoryBudget;
  format: Format;
  partitioner: Partitioner;
  naming: NamingOptions;
  flushSize: number;
  rotateIntervalMs: number;
  rotateScheduleIntervalMs: number;
  timezone: string;
  maxOpenFiles: number;
  ignoreNulls: boolean;
  /** Reports one bad record to the error handler (throws when it must fail the task). */
  reportBad: (record: SinkRecord, error: Error) => Promise<void>;
  now: () => number;
}

/** One object being filled: where it goes, its encoder, and what rotation needs to know. */
interface OpenFile {
  readonly object: S3Object;
  readonly writer: RecordWriter;
  readonly schemaSig: string;
}

/** Objects completed in parallel on a rotation. */
const UPLOAD_CONCURRENCY = 8;

/** How long a partition must have had no records before the timer may rotate it. */
const QUIET_MS = 2000;

const schemaSigs = new WeakMap<Schema, string>();
function schemaSig(s: Schema | null | undefined): string {
  if (!s) return '';
  let sig = schemaSigs.get(s);
  if (sig === undefined) schemaSigs.set(s, (sig = JSON.stringify(s)));
  return sig;
}

/**
 * Writes one Kafka partition, as Confluent's TopicPartitionWriter: a file per encoded partition, all
 * completed together on rotation (flush.size records, rotate.interval.ms of record time, a schedule
 * boundary, a schema change, or the open-files cap), and the offset after the last record they hold
 * becomes committable only once every one of them is complete in S3.
 *
 * Retries: a failed upload leaves its bytes where they were and the records behind it unprocessed;
 * `put` re-delivers the batch and records below `nextOffset` (already in a file) are skipped, so S3
 * being away loses nothing and writes nothing twice.
 */
export class TopicPartitionWriter {
  private readonly files = new Map<string, OpenFile>();
  /** Files finished by a rotation whose upload has not completed yet (retried first). */
  private closing: OpenFile[] = [];
  private closingEnd = -1;
  private recordCount = 0;
  private baseTimestamp: number | null = null;
  private lastArrival = 0;
  private scheduledRotation = Infinity;
  /** Offset of the next record to process; earlier ones are already in a file (or were skipped). */
  private nextOffset = -1;
  /** What preCommit may return: everything before it is complete in S3 or was skipped. */
  committable: number | null = null;

  constructor(readonly tp: TopicPartition, private readonly s: WriterSettings) {}

  get openFiles(): number { return this.files.size; }

  async write(records: SinkRecord[]): Promise<void> {
    await this.completeClosing();
    for (const r of records) {
      if (r.kafkaOffset < this.nextOffset) continue; // re-delivered after a retry: already written
      await this.writeOne(r);
      this.nextOffset = r.kafkaOffset + 1;
      if (this.files.size === 0 && this.closing.length === 0) this.committable = this.nextOffset;
      if (this.recordCount >= this.s.flushSize) await this.rotate();
    }
    for (const f of this.files.values()) {
      await f.writer.flush();
      await f.object.uploadFullParts();
    }
    await this.s.budget.enforce();
  }

  /**
   * Rotation for a partition that has gone quiet (called by the task's timer, since the runtime calls
   * `put` only with records): due when a record arriving now would rotate the file by
   * rotate.interval.ms, and no record arrived for a while; or at a rotate.schedule.interval.ms
   * boundary. Busy partitions rotate by record time only, which keeps them deterministic.
   */
  async rotateIfDue(): Promise<boolean> {
    if (this.closing.length > 0) {
      await this.completeClosing();
      return true;
    }
    if (this.files.size === 0) return false;
    const now = this.s.now();
    const interval = this.s.rotateIntervalMs;
    const quiet = now - this.lastArrival >= Math.min(interval, QUIET_MS);
    if ((interval > 0 && quiet && this.baseTimestamp !== null && now - this.baseTimestamp >= interval) || now >= this.scheduledRotation) {
      await this.rotate();
      return true;
    }
    return false;
  }

  private async writeOne(r: SinkRecord): Promise<void> {
    if (r.value === null || r.value === undefined) {
      if (!this.s.ignoreNulls) await this.s.reportBad(r, new DataError(`Null value (tombstone) at ${r.topic}-${r.kafkaPartition}@${r.kafkaOffset}; set behavior.on.null.values=ignore to skip tombstones.`));
      return;
    }
    let encoded: string;
    let ts: number;
    try {
      encoded = this.s.partitioner.encodePartition(r);
      ts = this.s.rotateIntervalMs > 0 ? this.s.partitioner.timestamp(r) : 0;
    } catch (err) {
      await this.s.reportBad(r, err as Error);
      return;
    }
    // Rotation triggers in Confluent's order: time, schema change, open-files cap.
    const now = this.s.now();
    this.lastArrival = now;
    if (this.recordCount > 0 && ((this.s.rotateIntervalMs > 0 && this.baseTimestamp !== null && ts - this.baseTimestamp >= this.s.rotateIntervalMs) || now >= this.scheduledRotation)) {
      await this.rotate();
    }
    let file = this.files.get(encoded);
    const sig = this.s.format.schemaBound ? schemaSig(r.valueSchema) : '';
    if (file && file.schemaSig !== sig) {
      await this.rotate();
      file = undefined;
    }
    if (!file && this.s.maxOpenFiles > 0 && this.files.size >= this.s.maxOpenFiles) await this.rotate();
    if (!file) {
      const opened = this.open(encoded, r, sig);
      if (opened instanceof Error) {
        await this.s.reportBad(r, opened);
        return;
      }
      file = opened;
    }
    try {
      await file.writer.write(r);
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      await this.s.reportBad(r, err);
      return;
    }
    if (this.recordCount === 0) {
      this.baseTimestamp = ts;
      if (this.s.rotateScheduleIntervalMs > 0) this.scheduledRotation = nextBoundary(now, this.s.rotateScheduleIntervalMs, this.s.timezone);
    }
    this.recordCount++;
  }

  private open(encoded: string, r: SinkRecord, sig: string): OpenFile | Error {
    const key = objectKey(this.s.naming, this.tp.topic, encoded, this.tp.partition, r.kafkaOffset);
    const object = this.s.storage.object(key, this.s.budget);
    let writer: RecordWriter;
    try {
      writer = this.s.format.writer((chunk) => object.write(chunk), key, r.valueSchema);
    } catch (err) {
      void object.abort();
      return err as Error;
    }
    const file: OpenFile = { object, writer, schemaSig: sig };
    this.files.set(encoded, file);
    return file;
  }

  /** Completes every open file; the offset after the last processed record becomes committable. */
  private async rotate(): Promise<void> {
    const end = this.nextOffset;
    for (const f of this.files.values()) await f.writer.finish();
    this.closing = [...this.files.values()];
    this.closingEnd = end;
    this.files.clear();
    this.recordCount = 0;
    this.baseTimestamp = null;
    this.scheduledRotation = Infinity;
    await this.completeClosing();
  }

  /**
   * Completes the rotated files, UPLOAD_CONCURRENCY at a time (a rotation of a hundred small files is
   * otherwise a hundred round trips in a row). Files that failed stay in `closing` for the retry.
   */
  private async completeClosing(): Promise<void> {
    let failure: unknown = null;
    const queue = [...this.closing];
    const done = new Set<OpenFile>();
    const worker = async () => {
      for (let f = queue.shift(); f; f = queue.shift()) {
        try {
          await f.object.complete();
          done.add(f);
        } catch (err) {
          failure ??= err;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(UPLOAD_CONCURRENCY, queue.length) }, worker));
    this.closing = this.closing.filter((f) => !done.has(f));
    if (failure) throw failure;
    if (this.closingEnd >= 0) {
      this.committable = this.closingEnd;
      this.closingEnd = -1;
    }
  }

  /** Drops everything not completed (rebalance, stop); those records are delivered again later. */
  async abort(): Promise<void> {
    for (const f of [...this.closing, ...this.files.values()]) await f.object.abort();
    this.closing = [];
    this.files.clear();
  }
}
