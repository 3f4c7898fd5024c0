/**
 * A consumer's read position in one partition. Reads the segment in large chunks (1 MiB, or a whole
 * batch when larger) and keeps the chunk between polls, so a consumer taking 500 records at a time
 * does one read per chunk, not one per poll. While catching up (a full chunk was read and more is
 * there) the next chunk is read ahead, so decoding one overlaps reading the next. Records are
 * decoded one batch at a time; the part of a batch beyond `maxPollRecords` waits in `pending`.
 */
import { ConnectError, type Logger } from '@tributary/connect-api';
import type { LogRecord } from '../log.js';
import {
  BATCH_HEADER_SIZE,
  batchCrcMatches,
  decodeBatch,
  headerProblem,
  readBatchHeader,
  type BatchHeader,
} from './format.js';
import type { PartitionLog } from './partition-log.js';
import { READ_CHUNK_BYTES, SegmentGoneError, type Segment } from './segment.js';

export type OffsetResetPolicy = 'earliest' | 'latest';

interface BatchRef {
  readonly buf: Buffer;
  readonly at: number;
  readonly header: BatchHeader;
}

export class PartitionReader {
  readonly log: PartitionLog;
  private pos: number;
  /** Where the next batch to decode starts; null = look it up in the index. */
  private loc: { seg: Segment; filePos: number } | null = null;
  private chunk: Buffer | null = null;
  private chunkSeg: Segment | null = null;
  private chunkFilePos = 0;
  private readAhead: { seg: Segment; filePos: number; chunk: Promise<Buffer | null> } | null = null;
  private pending: LogRecord[] = [];
  private pendingIdx = 0;
  private readonly resetPolicy: OffsetResetPolicy;
  private readonly logger: Logger;

  constructor(log: PartitionLog, position: number, resetPolicy: OffsetResetPolicy, logger: Logger) {
    this.log = log;
    this.pos = position;
    this.resetPolicy = resetPolicy;
    this.logger = logger;
  }

  /** Offset of the next record this reader returns. */
  get position(): number {
    return this.pos;
  }

  seek(offset: number): void {
    this.pos = offset;
    this.loc = null;
    this.chunk = null;
    this.chunkSeg = null;
    this.readAhead = null;
    this.pending = [];
    this.pendingIdx = 0;
  }

  /** Appends up to `max` records to `out`; returns how many. Never waits for new records. */
  async fetch(max: number, out: LogRecord[]): Promise<number> {
    let n = 0;
    while (this.pendingIdx < this.pending.length && n < max) {
      const r = this.pending[this.pendingIdx++]!;
      out.push(r);
      n++;
      this.pos = r.offset + 1;
    }
    if (this.pendingIdx >= this.pending.length && this.pending.length > 0) {
      this.pending = [];
      this.pendingIdx = 0;
    }
    while (n < max) {
      const log = this.log;
      if (this.pos < log.startOffset || this.pos > log.nextOffset) {
        this.reset();
        continue;
      }
      if (this.pos === log.nextOffset) break;
      let batch: BatchRef | null;
      try {
        batch = await this.nextBatch();
      } catch (err) {
        // Retention deleted the segment; once the log's segment list shows it, reset.
        if (!(err instanceof SegmentGoneError)) throw err;
        this.seek(this.pos);
        if (this.pos >= log.startOffset) break;
        continue;
      }
      if (batch === null) break;
      const { buf, at, header: h } = batch;
      if (h.baseOffset + h.recordCount <= this.pos) continue;
      const before = out.length;
      decodeBatch(buf, at, h, log.topic, log.partition, this.pos, out);
      const room = max - n;
      if (out.length - before > room) {
        this.pending = out.splice(before + room);
        this.pendingIdx = 0;
      }
      n += out.length - before;
      this.pos = out[out.length - 1]!.offset + 1;
    }
    return n;
  }

  private async nextBatch(): Promise<BatchRef | null> {
    const log = this.log;
    for (;;) {
      if (this.loc === null) {
        const seg = log.segmentFor(this.pos);
        await log.ensureIndexed(seg);
        this.loc = { seg, filePos: seg.lookup(this.pos) };
      }
      const { seg, filePos } = this.loc;
      if (filePos < seg.size) break;
      const next = log.segmentAfter(seg);
      if (!next) return null;
      if (this.pos < next.baseOffset) {
        this.logger.warn(
          { topic: log.topic, partition: log.partition, from: this.pos, to: next.baseOffset },
          'embedded log: records missing from a damaged segment are skipped',
        );
        this.pos = next.baseOffset;
      }
      this.loc = null;
    }
    const loc = this.loc;
    let h = this.headerAt(loc.seg, loc.filePos);
    if (h === null) {
      await this.load(loc.seg, loc.filePos, BATCH_HEADER_SIZE);
      h = this.headerAt(loc.seg, loc.filePos)!;
    }
    const problem = headerProblem(h);
    if (problem !== null || loc.filePos + h.length > loc.seg.size) {
      throw this.corrupt(loc.seg, loc.filePos, problem ?? 'batch runs past the end of the segment');
    }
    if (loc.filePos + h.length > this.chunkFilePos + this.chunk!.length)
      await this.load(loc.seg, loc.filePos, h.length);
    const buf = this.chunk!;
    const at = loc.filePos - this.chunkFilePos;
    if (loc.filePos + h.length > loc.seg.verifiedSize && !batchCrcMatches(buf, at, h)) {
      throw this.corrupt(loc.seg, loc.filePos, 'CRC mismatch');
    }
    loc.filePos += h.length;
    if (at + h.length === buf.length) {
      // Fully read: let it go now rather than hold a chunk per partition until the next read.
      this.chunk = null;
      this.chunkSeg = null;
    }
    return { buf, at, header: h };
  }

  /** The header at `filePos` if the current chunk holds it. */
  private headerAt(seg: Segment, filePos: number): BatchHeader | null {
    const c = this.chunk;
    if (c === null || this.chunkSeg !== seg || filePos < this.chunkFilePos) return null;
    const at = filePos - this.chunkFilePos;
    return at + BATCH_HEADER_SIZE <= c.length ? readBatchHeader(c, at) : null;
  }

  private async load(seg: Segment, filePos: number, minBytes: number): Promise<void> {
    const ahead = this.readAhead;
    this.readAhead = null;
    let chunk = ahead && ahead.seg === seg && ahead.filePos === filePos ? await ahead.chunk : null;
    if (chunk === null || chunk.length < minBytes) {
      chunk = await seg.read(filePos, Math.min(Math.max(READ_CHUNK_BYTES, minBytes), seg.size - filePos));
    }
    if (chunk.length < minBytes) throw this.corrupt(seg, filePos, 'file shorter than its index says');
    this.chunk = chunk;
    this.chunkSeg = seg;
    this.chunkFilePos = filePos;
    if (chunk.length >= READ_CHUNK_BYTES) {
      const next = filePos + completeBatchesEnd(chunk);
      if (next < seg.size) {
        const read = seg.read(next, Math.min(READ_CHUNK_BYTES, seg.size - next));
        // A failed read-ahead is simply read again, and then fails where it can be handled.
        this.readAhead = { seg, filePos: next, chunk: read.catch(() => null) };
      }
    }
  }

  private reset(): void {
    const log = this.log;
    const to = this.resetPolicy === 'latest' ? log.nextOffset : log.startOffset;
    this.logger.warn(
      { topic: log.topic, partition: log.partition, offset: this.pos, low: log.startOffset, high: log.nextOffset, to },
      `embedded log: offset out of range, reset to ${this.resetPolicy}`,
    );
    this.seek(to);
  }

  private corrupt(seg: Segment, filePos: number, reason: string): ConnectError {
    return new ConnectError(
      `corrupt batch in ${seg.path} at byte ${filePos} (${reason}); the segment file is damaged`,
      { code: 'LOG_CORRUPT' },
    );
  }
}

/** Bytes of `chunk` taken by whole batches from its start: where the next read should begin. */
function completeBatchesEnd(chunk: Buffer): number {
  let p = 0;
  while (p + BATCH_HEADER_SIZE <= chunk.length) {
    const len = chunk.readUInt32BE(p);
    if (len < BATCH_HEADER_SIZE || p + len > chunk.length) break;
    p += len;
  }
  return p;
}
