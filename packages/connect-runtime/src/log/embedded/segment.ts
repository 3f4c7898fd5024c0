/**
 * One segment file of a partition: batches from `baseOffset` on, plus an in-memory sparse index
 * (offset → file position, one entry per {@link INDEX_INTERVAL_BYTES} or so) for fast seeks. The
 * index is rebuilt by scanning batch headers, lazily for old segments, so opening a large log is cheap.
 *
 * Files are accessed through FileHandles: a handle closed while a read is pending fails that read
 * (EBADF) instead of reading a reused fd number, which matters when retention deletes a segment under
 * a reader.
 */
import { constants, writev } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ConnectError } from '@tributary/connect-api';
import { batchCrcMatches, headerProblem, readBatchHeader } from './format.js';

/** A new index entry at most every this many bytes (Kafka's index.interval.bytes default). */
export const INDEX_INTERVAL_BYTES = 4096;
/** Reads are done in chunks of this size (or one whole batch when larger). */
export const READ_CHUNK_BYTES = 1 << 20;

const FILE_NAME = /^(\d{20})\.log$/;

export function segmentFileName(baseOffset: number): string {
  return `${String(baseOffset).padStart(20, '0')}.log`;
}

/** The base offset encoded in a segment file name, or null for any other file. */
export function parseSegmentFileName(name: string): number | null {
  const m = FILE_NAME.exec(name);
  return m ? Number(m[1]) : null;
}

/** Raised by reads of a segment that retention has deleted; readers then reset their position. */
export class SegmentGoneError extends ConnectError {
  constructor(path: string) {
    super(`segment ${path} was deleted`, { code: 'LOG_SEGMENT_GONE' });
  }
}

export interface ScanResult {
  /** File position after the last good batch. */
  readonly end: number;
  readonly fileSize: number;
  /** Why scanning stopped before the end of the file, or null when it reached it. */
  readonly problem: string | null;
}

export class Segment {
  readonly baseOffset: number;
  readonly path: string;
  /** Bytes of complete batches known (appended, or found by a scan); readers never read past it. */
  size = 0;
  /** Offset after the last record within `size`. */
  nextOffset: number;
  /** Largest record timestamp within `size`, -1 when none. */
  maxTimestamp = -1;
  /**
   * Bytes known good without a CRC check on read: written by this process, or CRC-checked when the
   * log was opened. Readers check the CRC of batches beyond it (old segments read back from disk).
   */
  verifiedSize = 0;
  /** Size on disk when opened, for retention before the segment is scanned. */
  fileBytes = 0;
  /** True once the index and `size` cover the file (scanned, or written by this process). */
  indexed: boolean;
  deleted = false;
  /** Open while this process appends to the segment (the active one). */
  appendHandle: FileHandle | null = null;

  private readonly idxOffsets: number[] = [];
  private readonly idxPositions: number[] = [];
  private lastIndexedPos = -Infinity;
  private readHandle: Promise<FileHandle> | null = null;

  constructor(dir: string, baseOffset: number, indexed: boolean) {
    this.baseOffset = baseOffset;
    this.path = join(dir, segmentFileName(baseOffset));
    this.nextOffset = baseOffset;
    this.indexed = indexed;
  }

  /** Bytes this segment holds on disk, as far as known. */
  get bytes(): number {
    return Math.max(this.size, this.fileBytes);
  }

  /** Records a complete batch at `position` (appended, or scanned; `verified` when its CRC is known good). */
  addBatch(
    position: number,
    baseOffset: number,
    count: number,
    length: number,
    maxTimestamp: number,
    verified: boolean,
  ): void {
    if (position - this.lastIndexedPos >= INDEX_INTERVAL_BYTES) {
      this.idxOffsets.push(baseOffset);
      this.idxPositions.push(position);
      this.lastIndexedPos = position;
    }
    this.size = position + length;
    if (verified && this.verifiedSize === position) this.verifiedSize = this.size;
    this.nextOffset = baseOffset + count;
    if (maxTimestamp > this.maxTimestamp) this.maxTimestamp = maxTimestamp;
  }

  /** File position of the last indexed batch starting at or before `offset` (0 when none). */
  lookup(offset: number): number {
    const offsets = this.idxOffsets;
    let lo = 0;
    let hi = offsets.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (offsets[mid]! <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? 0 : this.idxPositions[found]!;
  }

  /** Reads up to `length` bytes at `position` into a fresh buffer (short at end of file). */
  async read(position: number, length: number): Promise<Buffer> {
    if (this.deleted) throw new SegmentGoneError(this.path);
    let fh: FileHandle;
    try {
      fh = await (this.readHandle ??= open(this.path, 'r'));
    } catch (err) {
      this.readHandle = null;
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new SegmentGoneError(this.path);
      throw err;
    }
    const buf = Buffer.allocUnsafe(length);
    let n = 0;
    try {
      while (n < length) {
        const { bytesRead } = await fh.read(buf, n, length - n, position + n);
        if (bytesRead === 0) break;
        n += bytesRead;
      }
    } catch (err) {
      if (this.deleted) throw new SegmentGoneError(this.path);
      throw err;
    }
    return n === length ? buf : buf.subarray(0, n);
  }

  /**
   * Adds the batches found between `size` and the end of the file, checking each header and (when
   * `verifyCrc`) its CRC, and stops at the first one that is incomplete or invalid.
   */
  async scan(verifyCrc: boolean): Promise<ScanResult> {
    let fileSize: number;
    try {
      const fh = await (this.readHandle ??= open(this.path, 'r'));
      fileSize = (await fh.stat()).size;
    } catch (err) {
      this.readHandle = null;
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { end: 0, fileSize: 0, problem: null };
      throw err;
    }
    let pos = this.size;
    let need = 0;
    while (pos < fileSize) {
      const buf = await this.read(pos, Math.min(Math.max(READ_CHUNK_BYTES, need), fileSize - pos));
      need = 0;
      let p = 0;
      for (;;) {
        const h = readBatchHeader(buf, p);
        if (h === null) break;
        const at = pos + p;
        const problem =
          headerProblem(h) ??
          (h.baseOffset !== this.nextOffset ? `expected offset ${this.nextOffset}, found ${h.baseOffset}` : null);
        if (problem !== null) return { end: at, fileSize, problem };
        if (at + h.length > fileSize) return { end: at, fileSize, problem: 'incomplete batch (torn write)' };
        if (p + h.length > buf.length) {
          need = h.length;
          break;
        }
        if (verifyCrc && !batchCrcMatches(buf, p, h)) return { end: at, fileSize, problem: 'CRC mismatch' };
        this.addBatch(at, h.baseOffset, h.recordCount, h.length, h.maxTimestamp, verifyCrc);
        p += h.length;
      }
      if (p === 0 && need === 0) return { end: pos, fileSize, problem: 'incomplete batch header (torn write)' };
      pos += p;
    }
    return { end: pos, fileSize, problem: null };
  }

  /** Opens (creating if needed) the file for appends at explicit positions. */
  async openForAppend(): Promise<FileHandle> {
    this.appendHandle ??= await open(this.path, constants.O_WRONLY | constants.O_CREAT, 0o644);
    return this.appendHandle;
  }

  /** Makes the appended bytes durable and closes the append handle (on roll and close). */
  async finishAppend(): Promise<void> {
    const h = this.appendHandle;
    if (h === null) return;
    this.appendHandle = null;
    try {
      await h.datasync();
    } finally {
      await h.close();
    }
  }

  async close(): Promise<void> {
    await this.finishAppend();
    const r = this.readHandle;
    this.readHandle = null;
    if (r) await (await r.catch(() => null))?.close();
  }

  /** Closes and removes the file; reads in flight or later fail with {@link SegmentGoneError}. */
  async delete(): Promise<void> {
    this.deleted = true;
    await this.close();
    await unlink(this.path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
}

/**
 * Writes all of `buffers` at `position`, looping on short writes. Uses the callback API on the raw
 * fd: about half the overhead of FileHandle.writev per call, which shows at thousands of batches a
 * second. Safe because the caller serialises writes and closes the handle only after they finish.
 */
export async function writeFully(fh: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let total = 0;
  for (const b of buffers) total += b.length;
  let done = 0;
  let rest = buffers;
  while (done < total) {
    const bytesWritten = await writevAt(fh.fd, rest, position + done);
    if (bytesWritten === 0) throw new Error('write made no progress');
    done += bytesWritten;
    if (done < total) rest = dropBytes(rest, bytesWritten);
  }
}

function writevAt(fd: number, buffers: Buffer[], position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    writev(fd, buffers, position, (err, bytesWritten) => (err ? reject(err) : resolve(bytesWritten)));
  });
}

function dropBytes(buffers: Buffer[], n: number): Buffer[] {
  const out: Buffer[] = [];
  for (const b of buffers) {
    if (n >= b.length) {
      n -= b.length;
      continue;
    }
    out.push(n > 0 ? b.subarray(n) : b);
    n = 0;
  }
  return out;
}
