import { open, stat, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { Schemas, sleep, type SourceRecord, type SourceTask, type SourceTaskContext } from '@tributary/connect-api';
import { sourceConfigDef } from './config.js';

const CHUNK = 1 << 20;
const IDLE_WAIT_MS = 50;

/**
 * Follows one file and emits a record per line. The offset is the byte position after the line, so
 * a restart resumes exactly after the last line whose record the log acknowledged. A file that is now
 * shorter than the position (truncated) or another file under the same name (replaced) is read
 * again from the start.
 */
export class FileStreamSourceTask implements SourceTask {
  private path = '';
  private topic = '';
  private batchSize = 2000;
  private ctx!: SourceTaskContext;
  private fh: FileHandle | null = null;
  private ino = 0;
  /** Position of the first byte not yet turned into a record. */
  private position = 0;
  /** Position up to which bytes were read from the file into `pending`. */
  private readPosition = 0;
  private pending = '';
  /** Byte length of each complete line in `pending`, from index `pendingHead` on. */
  private pendingBytes: number[] = [];
  private pendingHead = 0;
  private readonly decoder = new StringDecoder('utf8');
  private buf = Buffer.allocUnsafe(CHUNK);
  private partition: Record<string, string> = {};

  async start(config: Record<string, string>, ctx: SourceTaskContext): Promise<void> {
    const c = sourceConfigDef.parse(config);
    this.path = resolve(c.string('file'));
    this.topic = c.string('topic');
    this.batchSize = c.int('batch.size');
    this.ctx = ctx;
    this.partition = { filename: c.string('file') };
    const stored = await ctx.offsetStorageReader.offset(this.partition);
    this.position = typeof stored?.position === 'number' ? stored.position : 0;
    this.readPosition = this.position;
  }

  async poll(): Promise<SourceRecord[] | null> {
    if (!this.fh && !(await this.openFile())) return this.idle();
    await this.detectTruncationOrReplacement();
    const records: SourceRecord[] = [];
    while (records.length < this.batchSize) {
      this.takeLines(records);
      if (records.length >= this.batchSize) break;
      const { bytesRead } = await this.fh!.read(this.buf, 0, CHUNK, this.readPosition);
      if (bytesRead === 0) break;
      this.readPosition += bytesRead;
      this.append(this.buf.subarray(0, bytesRead));
    }
    return records.length > 0 ? records : this.idle();
  }

  stop(): Promise<void> | void {
    const fh = this.fh;
    this.fh = null;
    return fh?.close();
  }

  /** Moves complete lines from `pending` into `records`, tracking their end positions in bytes. */
  private takeLines(records: SourceRecord[]): void {
    let start = 0;
    let lineNo = 0;
    while (records.length < this.batchSize) {
      const nl = this.pending.indexOf('\n', start);
      if (nl < 0) break;
      let line = this.pending.slice(start, nl);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      this.position += this.pendingBytes[this.pendingHead + lineNo++]!;
      records.push({
        sourcePartition: this.partition,
        sourceOffset: { position: this.position },
        topic: this.topic,
        keySchema: null,
        key: null,
        valueSchema: Schemas.STRING,
        value: line,
        headers: [],
      });
      start = nl + 1;
    }
    if (start > 0) {
      this.pending = this.pending.slice(start);
      this.pendingHead += lineNo;
      if (this.pendingHead === this.pendingBytes.length) {
        this.pendingBytes = [];
        this.pendingHead = 0;
      }
    }
  }

  /** Appends raw bytes, recording the byte length of each complete line (multi-byte safe). */
  private append(chunk: Buffer): void {
    let from = 0;
    let carried = this.carry;
    for (let nl = chunk.indexOf(10, from); nl >= 0; nl = chunk.indexOf(10, from)) {
      this.pendingBytes.push(carried + (nl + 1 - from));
      carried = 0;
      from = nl + 1;
    }
    this.carry = carried + (chunk.length - from);
    this.pending += this.decoder.write(chunk);
  }

  /** Bytes of the incomplete last line already in `pending`. */
  private carry = 0;

  private async openFile(): Promise<boolean> {
    try {
      this.fh = await open(this.path, 'r');
      this.ino = (await this.fh.stat()).ino;
      const size = (await this.fh.stat()).size;
      if (size < this.position) this.restartFromZero('shorter than the stored position');
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        this.ctx.logger.debug(`waiting for ${this.path} to exist`);
        return false;
      }
      throw e;
    }
  }

  private async detectTruncationOrReplacement(): Promise<void> {
    if (this.pendingBytes.length > this.pendingHead) return;
    const st = await stat(this.path).catch(() => null);
    if (!st) return; // removed: keep reading what we have open
    const own = await this.fh!.stat();
    if (st.ino !== this.ino) {
      await this.fh!.close();
      this.fh = null;
      this.restartFromZero('replaced');
      await this.openFile();
    } else if (own.size < this.readPosition) {
      this.restartFromZero('truncated');
    }
  }

  private restartFromZero(why: string): void {
    this.ctx.logger.warn(`${this.path} was ${why}; reading it from the start`);
    this.position = 0;
    this.readPosition = 0;
    this.pending = '';
    this.pendingBytes = [];
    this.pendingHead = 0;
    this.carry = 0;
  }

  private async idle(): Promise<null> {
    const signal = this.ctx.signal;
    await sleep(IDLE_WAIT_MS, signal);
    return null;
  }
}
