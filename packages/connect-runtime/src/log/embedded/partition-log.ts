/**
 * One topic-partition: its segment files, the append path and retention.
 *
 * Appends are serialised per partition. `append()` reserves the offsets and seals the batch at once
 * (so acks are known and ordered), queues it, and a single drain loop writes queued batches with one
 * positional `writev` (group commit), then makes them visible to readers and resolves the acks. A
 * write that returned is in the OS page cache and survives SIGKILL of the process; the log fsyncs
 * every flushIntervalMs, on roll and on close.
 */
import { mkdir, readdir, stat, truncate } from 'node:fs/promises';
import { ConnectError, RetriableError, type Logger } from '@tributary/connect-api';
import { sealBatch, type EncodedBatch } from './format.js';
import { parseSegmentFileName, Segment, writeFully } from './segment.js';

export interface PartitionLogContext {
  readonly readOnly: boolean;
  readonly segmentBytes: number;
  /** fsync before acking every write (flushIntervalMs = 0). */
  readonly syncEachWrite: boolean;
  readonly logger: Logger;
}

interface PendingAppend {
  readonly batch: EncodedBatch;
  readonly baseOffset: number;
  readonly segment: Segment;
  readonly resolve: (baseOffset: number) => void;
  readonly reject: (err: unknown) => void;
}

/** At most this many queued batches go into one writev. */
const MAX_BATCHES_PER_WRITE = 256;

export class PartitionLog {
  readonly topic: string;
  readonly partition: number;
  readonly dir: string;
  /** Sorted by base offset; the last one is the active segment. Never empty. */
  readonly segments: Segment[];
  /** Called after appended records became visible (set by the topic store). */
  onAppend: (log: PartitionLog) => void = () => {};
  /** Called when an append rolled to a new segment (set by the topic store, to run retention). */
  onRoll: (log: PartitionLog) => void = () => {};

  private readonly ctx: PartitionLogContext;
  private visibleNext: number;
  private reservedOffset: number;
  private reservedBytes: number;
  private readonly queue: PendingAppend[] = [];
  /** True while the drain loop runs; set and cleared inside it, so no append can slip between. */
  private writing = false;
  private draining: Promise<void> = Promise.resolve();
  private dirty = false;
  private closed = false;
  /** Read-only mode: segments from this index on are re-scanned as they grow. */
  private tailIndex: number;
  private retaining: Promise<number> | null = null;

  private constructor(dir: string, topic: string, partition: number, segments: Segment[], ctx: PartitionLogContext) {
    this.dir = dir;
    this.topic = topic;
    this.partition = partition;
    this.segments = segments;
    this.ctx = ctx;
    const last = segments[segments.length - 1]!;
    this.visibleNext = this.reservedOffset = last.nextOffset;
    this.reservedBytes = last.size;
    this.tailIndex = segments.length - 1;
  }

  /**
   * Opens a partition directory. The last segment is scanned with CRC checks; in write mode a torn or
   * corrupt tail is truncated (and logged), in read-only mode reading simply stops before it.
   */
  static async open(dir: string, topic: string, partition: number, ctx: PartitionLogContext): Promise<PartitionLog> {
    if (!ctx.readOnly) await mkdir(dir, { recursive: true });
    const bases = await listSegmentBases(dir);
    const segments: Segment[] = [];
    for (const base of bases.slice(0, -1)) {
      const seg = new Segment(dir, base, false);
      seg.fileBytes = (await stat(seg.path).catch(() => ({ size: 0 }))).size;
      segments.push(seg);
    }
    const last = new Segment(dir, bases.length > 0 ? bases[bases.length - 1]! : 0, true);
    segments.push(last);
    const r = await last.scan(true);
    if (r.problem !== null && r.end < r.fileSize) {
      const where = { topic, partition, segment: last.path, keptBytes: r.end, cutBytes: r.fileSize - r.end };
      if (ctx.readOnly) {
        ctx.logger.debug(
          { ...where, reason: r.problem },
          'embedded log: read-only open stops before an incomplete tail',
        );
      } else {
        await truncate(last.path, r.end);
        ctx.logger.warn(
          { ...where, nextOffset: last.nextOffset, reason: r.problem },
          'embedded log: truncated a torn or corrupt tail of the last segment',
        );
      }
    }
    return new PartitionLog(dir, topic, partition, segments, ctx);
  }

  /** Offset of the next record to be appended and visible; readers stop before it. */
  get nextOffset(): number {
    return this.visibleNext;
  }

  /** First offset still in the log. */
  get startOffset(): number {
    return this.segments[0]!.baseOffset;
  }

  get sizeBytes(): number {
    let total = 0;
    for (const s of this.segments) total += s.bytes;
    return total;
  }

  /** The segment that holds `offset` (the last one whose base offset is ≤ it). */
  segmentFor(offset: number): Segment {
    const segs = this.segments;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (segs[mid]!.baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return segs[lo]!;
  }

  /** The segment after `seg`, or undefined for the last one. */
  segmentAfter(seg: Segment): Segment | undefined {
    const i = this.segments.indexOf(seg);
    return i < 0 ? undefined : this.segments[i + 1];
  }

  /**
   * Builds the index of an old segment on first use (header scan, no CRC check). Readers that ask
   * at the same time share one scan: two scans of one segment would both add its batches.
   */
  ensureIndexed(seg: Segment): Promise<void> {
    if (seg.indexed) return Promise.resolve();
    let scan = this.indexing.get(seg);
    if (!scan) {
      scan = seg
        .scan(false)
        .then((r) => {
          seg.indexed = true;
          if (r.problem !== null) {
            this.ctx.logger.error(
              { topic: this.topic, partition: this.partition, segment: seg.path, at: r.end, reason: r.problem },
              'embedded log: a closed segment is damaged; records after this point are skipped',
            );
          }
        })
        .finally(() => this.indexing.delete(seg));
      this.indexing.set(seg, scan);
    }
    return scan;
  }

  private readonly indexing = new Map<Segment, Promise<void>>();

  /**
   * Appends one encoded batch; resolves with its base offset once it is written and visible. The
   * offsets are reserved now, so batches appended one after another land in that order.
   */
  append(batch: EncodedBatch): Promise<number> {
    if (this.closed) return Promise.reject(new ConnectError('the embedded log is closed', { code: 'LOG_CLOSED' }));
    let segment = this.segments[this.segments.length - 1]!;
    if (this.reservedBytes > 0 && this.reservedBytes + batch.buffer.length > this.ctx.segmentBytes) {
      segment = new Segment(this.dir, this.reservedOffset, true);
      this.segments.push(segment);
      this.reservedBytes = 0;
      queueMicrotask(() => this.onRoll(this));
    }
    const baseOffset = this.reservedOffset;
    this.reservedOffset += batch.recordCount;
    this.reservedBytes += batch.buffer.length;
    sealBatch(batch.buffer, baseOffset);
    return new Promise((resolve, reject) => {
      this.queue.push({ batch, baseOffset, segment, resolve, reject });
      if (!this.writing) this.draining = this.drain();
    });
  }

  /**
   * Writes queued batches until the queue is empty. `writing` is cleared in the same synchronous
   * step that finds the queue empty: an append made by a continuation of the last ack (which runs
   * before this function's promise settles) then starts a new drain instead of being stranded.
   */
  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const segment = this.queue[0]!.segment;
        let n = 1;
        while (n < this.queue.length && n < MAX_BATCHES_PER_WRITE && this.queue[n]!.segment === segment) n++;
        const items = this.queue.splice(0, n);
        const position = segment.size;
        try {
          if (segment.appendHandle === null) await this.startSegment(segment);
          const fh = segment.appendHandle!;
          await writeFully(
            fh,
            items.map((i) => i.batch.buffer),
            position,
          );
          if (this.ctx.syncEachWrite) await fh.datasync();
        } catch (err) {
          await this.failAppends(items, segment, err);
          continue;
        }
        let pos = position;
        for (const it of items) {
          const b = it.batch;
          segment.addBatch(pos, it.baseOffset, b.recordCount, b.buffer.length, b.maxTimestamp, true);
          pos += b.buffer.length;
        }
        this.visibleNext = segment.nextOffset;
        this.dirty = true;
        for (const it of items) it.resolve(it.baseOffset);
        this.onAppend(this);
      }
    } finally {
      this.writing = false;
    }
  }

  /** Opens a segment for appends; the one before it (if rolled from) is fsynced and closed first. */
  private async startSegment(segment: Segment): Promise<void> {
    const i = this.segments.indexOf(segment);
    const prev = i > 0 ? this.segments[i - 1] : undefined;
    if (prev?.appendHandle) await prev.finishAppend();
    await segment.openForAppend();
  }

  /**
   * A write failed (disk full, I/O error): the failed batches and everything queued after them are
   * rejected, reservations roll back to what is visible, and any partial bytes are cut off.
   */
  private async failAppends(items: PendingAppend[], segment: Segment, cause: unknown): Promise<void> {
    const rest = this.queue.splice(0);
    const err = new RetriableError(`append to ${this.topic}-${this.partition} failed: ${(cause as Error).message}`, {
      code: 'LOG_WRITE_FAILED',
      cause,
    });
    this.ctx.logger.error({ topic: this.topic, partition: this.partition, err: cause }, 'embedded log: append failed');
    for (const it of [...items, ...rest]) it.reject(err);
    // Segments rolled to for the failed batches hold nothing: drop them, and cut any partial bytes.
    const empty: Segment[] = [];
    while (this.segments.length > 1 && this.segments[this.segments.length - 1]!.baseOffset > this.visibleNext) {
      empty.push(this.segments.pop()!);
    }
    this.reservedOffset = this.visibleNext;
    this.reservedBytes = this.segments[this.segments.length - 1]!.size;
    try {
      for (const seg of empty) await seg.delete();
      await segment.appendHandle?.truncate(segment.size);
    } catch (cleanupErr) {
      this.ctx.logger.warn({ err: cleanupErr }, 'embedded log: cleanup after a failed append failed');
    }
  }

  /** fsyncs appended bytes not yet synced. */
  async flush(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    const seg = this.segments.findLast((s) => s.appendHandle !== null);
    const fh = seg?.appendHandle;
    if (!seg || !fh) return;
    try {
      await fh.datasync();
    } catch (err) {
      // A roll closed the handle meanwhile, after syncing it; otherwise try again next time.
      if (seg.appendHandle === fh) {
        this.dirty = true;
        throw err;
      }
    }
  }

  /**
   * Deletes whole old segments, never the active one, while the partition is over `retentionBytes`
   * (-1 = unlimited) or the segment's newest record is older than `retentionMs` (-1 = forever).
   */
  enforceRetention(now: number, retentionBytes: number, retentionMs: number): Promise<number> {
    if (this.ctx.readOnly) return Promise.resolve(0);
    this.retaining ??= this.deleteOldSegments(now, retentionBytes, retentionMs).finally(() => (this.retaining = null));
    return this.retaining;
  }

  private async deleteOldSegments(now: number, retentionBytes: number, retentionMs: number): Promise<number> {
    let total = this.sizeBytes;
    let deleted = 0;
    while (this.segments.length > 1) {
      const oldest = this.segments[0]!;
      if (oldest.appendHandle !== null || this.queue.some((q) => q.segment === oldest)) break;
      let expired = retentionBytes >= 0 && total - oldest.bytes >= retentionBytes;
      if (!expired && retentionMs >= 0) {
        await this.ensureIndexed(oldest);
        expired = oldest.size === 0 || oldest.maxTimestamp < now - retentionMs;
      }
      if (!expired) break;
      this.segments.shift();
      total -= oldest.bytes;
      deleted++;
      await oldest.delete();
      this.ctx.logger.info(
        { topic: this.topic, partition: this.partition, segment: oldest.path, logStartOffset: this.startOffset },
        'embedded log: retention deleted a segment',
      );
    }
    return deleted;
  }

  /**
   * Read-only mode: picks up what the writing process appended, rolled or deleted since the last
   * call. Returns true when new records became visible.
   */
  async refresh(): Promise<boolean> {
    const bases = await listSegmentBases(this.dir);
    if (bases.length === 0) return false;
    while (this.segments.length > 1 && this.segments[0]!.baseOffset < bases[0]!) {
      await this.segments.shift()!.close();
      this.tailIndex = Math.max(0, this.tailIndex - 1);
    }
    const lastBase = this.segments[this.segments.length - 1]!.baseOffset;
    for (const base of bases) if (base > lastBase) this.segments.push(new Segment(this.dir, base, true));
    for (let i = this.tailIndex; i < this.segments.length; i++) {
      const seg = this.segments[i]!;
      const r = await seg.scan(true);
      if (r.problem !== null && i < this.segments.length - 1) {
        this.ctx.logger.warn({ segment: seg.path, at: r.end, reason: r.problem }, 'embedded log: damaged segment');
      }
    }
    this.tailIndex = this.segments.length - 1;
    const next = this.segments[this.tailIndex]!.nextOffset;
    if (next <= this.visibleNext) return false;
    this.visibleNext = this.reservedOffset = next;
    return true;
  }

  /** Waits for queued appends, syncs and closes every file. */
  async close(): Promise<void> {
    this.closed = true;
    await this.draining;
    await this.retaining?.catch(() => 0);
    for (const seg of this.segments) await seg.close();
  }
}

async function listSegmentBases(dir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const bases: number[] = [];
  for (const name of names) {
    const base = parseSegmentFileName(name);
    if (base !== null) bases.push(base);
  }
  return bases.sort((a, b) => a - b);
}
