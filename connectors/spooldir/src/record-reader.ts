import { StringDecoder } from 'node:string_decoder';
import { settledChunks, type ListedFile } from './settled-file.js';

/** One record read from a file, or the reason a row could not become one. */
export interface Item {
  /** The record number in the file, 1-based; the source offset. */
  readonly offset: number;
  /** The line the record ends on, 1-based, for error messages. */
  readonly line: number;
  readonly key?: unknown;
  readonly value?: unknown;
  /** Set when the row is bad. */
  readonly error?: Error;
  /** The bad row's text (for CSV: its cells joined with the separator), for the dead-letter queue. */
  readonly raw?: string;
  /** The rest of the file cannot be read (e.g. a CSV quote never closed). */
  readonly fatal?: boolean;
}

/**
 * Reads records from one file, a batch at a time, never holding more than a chunk of it in memory.
 * Records up to `startAfter` (the committed offset) are parsed and skipped.
 */
export interface RecordReader {
  read(max: number): Promise<Item[]>;
  /** True once the end of the file was reached and every record was returned. */
  readonly done: boolean;
  close(): Promise<void>;
}

/** Nothing more for now: the file is still growing. A reader returns the records it has. */
export const WAITING = Symbol('waiting');

/** A file as a sequence of decoded text chunks; a file still being written is followed until it settles. */
export class TextChunks {
  private chunks: AsyncGenerator<Buffer> | null = null;
  private first = true;
  private closed = false;
  private readonly decoder: StringDecoder;
  eof = false;

  constructor(
    private readonly file: ListedFile,
    encoding: BufferEncoding,
  ) {
    this.decoder = new StringDecoder(encoding);
  }

  /** The next chunk of text; '' when nothing more has come for now (the file grows); null at its end. */
  async next(): Promise<string | null> {
    if (this.eof) return null;
    this.chunks ??= settledChunks(this.file, 0, () => this.closed, true);
    const r = await this.chunks.next();
    if (r.done) {
      this.eof = true;
      const rest = this.decoder.end();
      return rest === '' ? null : rest;
    }
    if (r.value.length === 0) return '';
    let text = this.decoder.write(r.value);
    if (this.first && text.charCodeAt(0) === 0xfeff) text = text.slice(1); // BOM
    this.first = false;
    return text;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.eof = true;
    await this.chunks?.return(undefined);
  }
}

/** Splits a file into lines (`\n` or `\r\n`), counting them from 1. */
export class LineSplitter {
  private pending = '';
  private lineNo = 0;
  private readonly lines: string[] = [];
  private head = 0;

  constructor(private readonly chunks: TextChunks) {}

  /** The next line with its number, WAITING while a growing file has no complete line more, or null at the end. */
  async next(): Promise<{ text: string; line: number } | typeof WAITING | null> {
    while (this.head === this.lines.length) {
      this.lines.length = 0;
      this.head = 0;
      const chunk = await this.chunks.next();
      if (chunk === '') return WAITING;
      if (chunk === null) {
        if (this.pending === '') return null;
        this.lines.push(this.pending);
        this.pending = '';
        break;
      }
      const parts = (this.pending + chunk).split('\n');
      this.pending = parts.pop()!;
      for (const p of parts) this.lines.push(p.endsWith('\r') ? p.slice(0, -1) : p);
    }
    return { text: this.lines[this.head++]!, line: ++this.lineNo };
  }
}
