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
  /** Called when objects completed in the background made more offsets committable. */
  onCommittable?: () => void;
}

/** One object being filled: where it goes, its encoder, and what rotation needs to know. */
interface OpenFile {
  readonly object: S3Object;
  readonly writer: RecordWriter;
  readonly schemaSig: string;
  /** The writer's trailer went out (so a retried completion only retries the upload). */
  finished: boolean;
}

/** The files one rotation completed, and the offset that becomes committable once all are in S3. */
interface Rotation {
  readonly files: OpenFile[];
  readonly end: number;
}

/** Objects completed in parallel on a rotation. */
const UPLOAD_CONCURRENCY = 8;

/** How long a partition must have had no records before the timer may rotate it. */
const QUIET_MS = 2000;

/** Encoded bytes the open files of one partition may hold back before the largest are handed on. */
const PENDING_BYTES = 4 * 1024 * 1024;

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
 * A rotation's files are finished and uploaded in the background while the next records are encoded
 * into new files; at most one rotation is in flight, so a second one waits for the first. Object
 * names and contents do not depend on that timing.
 *
 * Retries: a failed upload leaves its bytes where they were and its rotation pending; the next `write`
 * (or the task's timer) tries it again first and throws while it still fails, and `put` re-delivers the
 * batch: records below `nextOffset` (already in a file) are skipped, so S3 being away loses nothing
 * and writes nothing twice.
 */
export class TopicPartitionWriter {
  private readonly files = new Map<string, OpenFile>();
  /** Rotations whose files are not all complete in S3 yet, oldest first. */
  private rotations: Rotation[] = [];
  /** Completion of the oldest rotation, running in the background; never rejects. */
  private completing: Promise<void> | null = null;
  /** Why the last completion failed; it is retried by the next write or timer tick. */
  private failure: unknown = null;
  private aborting = false;
  private recordCount = 0;
  private baseTimestamp: number | null = null;
  private lastArrival = 0;
  private scheduledRotation = Infinity;
  /** Offset of the next record to process; earlier ones are already in a file (or were skipped). */
  private nextOffset = -1;
  /** What preCommit may return: everything before it is complete in S3 or was skipped. */
  committable: number | null = null;

  constructor(
    readonly tp: TopicPartition,
    private readonly s: WriterSettings,
  ) {}

  get openFiles(): number {
    return this.files.size;
  }

  async write(records: SinkRecord[]): Promise<void> {
    if (this.failure !== null) await this.settle(0);
    this.lastArrival = this.s.now();
    for (const r of records) {
      if (r.kafkaOffset < this.nextOffset) continue; // re-delivered after a retry: already written
      await this.writeOne(r);
      this.nextOffset = r.kafkaOffset + 1;
      if (this.files.size === 0 && this.rotations.length === 0) this.committable = this.nextOffset;
      if (this.recordCount >= this.s.flushSize) await this.rotate();
    }
    await this.handOnPending();
    for (const f of this.files.values()) await f.object.uploadFullParts();
    await this.s.budget.enforce();
  }

  /**
   * Rotation for a partition that has gone quiet (called by the task's timer, since the runtime calls
   * `put` only with records): due when a record arriving now would rotate the file by
   * rotate.interval.ms, and no record arrived for a while; or at a rotate.schedule.interval.ms
   * boundary. Busy partitions rotate by record time only, which keeps them deterministic. Also
   * retries a rotation whose upload failed. Resolves true when objects were completed.
   */
  async rotateIfDue(): Promise<boolean> {
    let completed = false;
    // A completion still running reports through onCommittable; a failed one is retried here.
    if (this.rotations.length > 0 && !this.completing) {
      await this.settle(0);
      completed = true;
    }
    if (this.files.size === 0) return completed;
    const now = this.s.now();
    const interval = this.s.rotateIntervalMs;
    const quiet = now - this.lastArrival >= Math.min(interval, QUIET_MS);
    if (
      (interval > 0 && quiet && this.baseTimestamp !== null && now - this.baseTimestamp >= interval) ||
      now >= this.scheduledRotation
    ) {
      await this.rotate();
      await this.settle(0);
      return true;
    }
    return completed;
  }

  /** Resolves once every rotated file is complete in S3 (throws if an upload fails). */
  async idle(): Promise<void> {
    await this.settle(0);
  }

  private async writeOne(r: SinkRecord): Promise<void> {
    if (r.value === null || r.value === undefined) {
      if (!this.s.ignoreNulls)
        await this.s.reportBad(
          r,
          new DataError(
            `Null value (tombstone) at ${r.topic}-${r.kafkaPartition}@${r.kafkaOffset}; set behavior.on.null.values=ignore to skip tombstones.`,
          ),
        );
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
    const now = this.s.rotateScheduleIntervalMs > 0 ? this.s.now() : 0;
    if (
      this.recordCount > 0 &&
      ((this.s.rotateIntervalMs > 0 &&
        this.baseTimestamp !== null &&
        ts - this.baseTimestamp >= this.s.rotateIntervalMs) ||
        now >= this.scheduledRotation)
    ) {
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
      const wait = file.writer.write(r);
      if (wait) await wait;
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      await this.s.reportBad(r, err);
      return;
    }
    if (this.recordCount === 0) {
      this.baseTimestamp = ts;
      if (this.s.rotateScheduleIntervalMs > 0)
        this.scheduledRotation = nextBoundary(now, this.s.rotateScheduleIntervalMs, this.s.timezone);
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
    const file: OpenFile = { object, writer, schemaSig: sig, finished: false };
    this.files.set(encoded, file);
    return file;
  }

  /**
   * Hands the open files to a new rotation, completed in the background; the offset after the last
   * processed record becomes committable once they are all in S3. Throws only after the rotation is
   * recorded (when an older one still fails), so a retry never puts more records in these files.
   */
  private async rotate(): Promise<void> {
    if (this.files.size > 0) this.rotations.push({ files: [...this.files.values()], end: this.nextOffset });
    else if (this.rotations.length === 0) this.committable = this.nextOffset;
    this.files.clear();
    this.recordCount = 0;
    this.baseTimestamp = null;
    this.scheduledRotation = Infinity;
    if (this.failure === null) this.startCompleting();
    await this.settle(1);
  }

  /** Hands on the encoded bytes of the files holding most, while all together hold too much. */
  private async handOnPending(): Promise<void> {
    let total = 0;
    for (const f of this.files.values()) total += f.writer.pendingBytes;
    if (total <= PENDING_BYTES) return;
    const bySize = [...this.files.values()].sort((a, b) => b.writer.pendingBytes - a.writer.pendingBytes);
    for (const f of bySize) {
      if (total <= PENDING_BYTES / 2) break;
      total -= f.writer.pendingBytes;
      await f.writer.flush();
    }
  }

  /** Completes the oldest rotation in the background, then the next; stops at the first failure. */
  private startCompleting(): void {
    if (this.completing || this.rotations.length === 0) return;
    const rotation = this.rotations[0]!;
    this.completing = this.complete(rotation).then(
      () => {
        this.completing = null;
        this.rotations.shift();
        this.committable = this.rotations.length === 0 && this.files.size === 0 ? this.nextOffset : rotation.end;
        this.s.onCommittable?.();
        if (!this.aborting) this.startCompleting();
      },
      (err: unknown) => {
        this.completing = null;
        this.failure = err;
      },
    );
  }

  /**
   * Waits until at most `pending` rotations remain, restarting a failed completion (a retry);
   * throws if it fails again.
   */
  private async settle(pending: number): Promise<void> {
    while (this.rotations.length > pending) {
      if (!this.completing) {
        this.failure = null;
        this.startCompleting();
      }
      await this.completing;
      if (this.failure !== null) throw this.failure;
    }
  }

  /**
   * Finishes and uploads the files of one rotation, UPLOAD_CONCURRENCY at a time (a rotation of a
   * hundred small files is otherwise a hundred round trips in a row). Files already complete are
   * skipped, so a retry uploads only what failed.
   */
  private async complete(rotation: Rotation): Promise<void> {
    let failure: unknown = null;
    // Every writer finishes at once (gzip streams end and free their state while uploads begin).
    const finishing = new Map(
      rotation.files.map((f) => [
        f,
        f.finished
          ? null
          : f.writer.finish().then(() => {
              f.finished = true;
            }),
      ]),
    );
    for (const p of finishing.values()) p?.catch(() => {}); // awaited below
    const queue = [...rotation.files];
    const worker = async () => {
      for (let f = queue.shift(); f; f = queue.shift()) {
        try {
          await finishing.get(f);
          await f.object.complete();
        } catch (err) {
          failure ??= err;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(UPLOAD_CONCURRENCY, queue.length) }, worker));
    if (failure) throw failure;
  }

  /** Drops everything not completed (rebalance, stop); those records are delivered again later. */
  async abort(): Promise<void> {
    this.aborting = true;
    await this.completing;
    for (const f of [...this.rotations.flatMap((r) => r.files), ...this.files.values()]) await f.object.abort();
    this.rotations = [];
    this.failure = null;
    this.files.clear();
  }
}
