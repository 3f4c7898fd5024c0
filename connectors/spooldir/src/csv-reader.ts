import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { CsvError, parse, type Options, type Parser } from 'csv-parse';
import { DataError, Struct, type Schema } from '@tributary/connect-api';
import type { DateParser } from './date-formats.js';
import type { Item, RecordReader } from './record-reader.js';
import { DoubledQuotes } from './doubled-quotes.js';
import { settledStream, type ListedFile } from './settled-file.js';
import { cellParser, type CellParser } from './value-parser.js';

export interface CsvOptions {
  separator: number;
  quote: number;
  /**
   * null (csv.escape.char unset): RFC 4180, a quote inside a quoted field is written twice. A code:
   * inside quoted fields that character escapes the next one (backslash-quote is a quote).
   */
  escape: number | null;
  skipLines: number;
  firstRowAsHeader: boolean;
  nullFieldIndicator: 'NEITHER' | 'EMPTY_SEPARATORS' | 'EMPTY_QUOTES' | 'BOTH';
  caseSensitiveFieldNames: boolean;
  encoding: BufferEncoding;
}

export interface StructSchemas {
  value: Schema;
  key: Schema | null;
}

/** Longest record, in characters: a quote that is never closed must not pull the rest of a file into memory. */
export const MAX_RECORD_CHARS = 16 << 20;
/** With records in hand, how long a read waits for more before returning them (a file still being written). */
const PARTIAL_BATCH_WAIT_MS = 50;

/**
 * csv-parse options for the `csv.*` keys; shared with the schema generator. `from` is where a parser
 * starts: the first line to keep, and whether a byte order mark may come first.
 */
export function csvParseOptions(o: CsvOptions, from = { line: o.skipLines + 1, bom: true }): Options {
  const nulls = o.nullFieldIndicator;
  const quotedEmptyIsNull = nulls === 'EMPTY_QUOTES' || nulls === 'BOTH';
  const bareEmptyIsNull = nulls === 'EMPTY_SEPARATORS' || nulls === 'BOTH';
  return {
    delimiter: String.fromCharCode(o.separator || 44),
    quote: String.fromCharCode(o.quote),
    // An escape equal to the quote is csv-parse's RFC 4180 mode: "" inside quotes is one quote.
    escape: String.fromCharCode(o.escape ?? o.quote),
    from_line: from.line,
    // Any line break ends a record, as in Python's csv module: csv-parse would otherwise take the first
    // one it meets for the whole file, and a file with mixed breaks would merge rows or keep a CR.
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true, // a short or long row is reported by us, with its line, not as a parser failure
    skip_empty_lines: true,
    bom: from.bom,
    info: true,
    encoding: o.encoding,
    max_record_size: MAX_RECORD_CHARS,
    // Only pay for a cast callback when empty quoted and unquoted fields must be told apart.
    ...(nulls === 'NEITHER'
      ? {}
      : {
          cast: (value: string, ctx: { quoting: boolean }) =>
            value === '' && (ctx.quoting ? quotedEmptyIsNull : bareEmptyIsNull) ? null : value,
        }),
  };
}

/** What went wrong with a record csv-parse gave up on, in words that say how to fix the file. */
function parseFailure(err: Error): string {
  switch ((err as { code?: string }).code) {
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a quoted field is followed by more text before the next separator (inside a quoted field, write a quote twice: "")';
    case 'INVALID_OPENING_QUOTE':
      return 'a quote inside an unquoted field (quote the whole field and write the quote twice: "")';
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field that starts here is never closed';
    case 'CSV_MAX_RECORD_SIZE':
      return `a record longer than ${MAX_RECORD_CHARS} characters, most likely a quote that is never closed`;
    default:
      return err.message;
  }
}

/**
 * Streams a CSV (or TSV) file through csv-parse into Structs of the value schema. Columns map to
 * fields by header name when `csv.first.row.as.header`, otherwise by position in the schema.
 *
 * A record the parser gives up on (a stray or unclosed quote) is reported as a bad row, and reading
 * goes on from the line after the one it started on, so one malformed row does not cost the rest of
 * the file. A file still being written is followed until it settles (settled-file.ts).
 */
export class CsvRecordReader implements RecordReader {
  private parser!: Parser;
  private source!: Readable;
  private rewrite: DoubledQuotes | null = null;
  private ended = false;
  private failure: Error | null = null;
  private offset = 0;
  private mapper: RowMapper | null = null;
  /**
   * Where the running parser started: the byte position and the lines of the file before it; and the
   * CRLFs inside cells it has read since (csv-parse counts each of those as two lines).
   */
  private segment = { position: 0, lines: 0, crlfInCells: 0 };
  /** The byte position where the next record starts; -1 while unknown (inside csv.skip.lines). */
  private nextRecordAt: number;
  /** The line the last record ended on: a record the parser rejects starts on the next one. */
  private lastLine: number;
  private closed = false;
  done = false;

  constructor(
    private readonly file: ListedFile,
    private readonly opts: CsvOptions,
    private readonly schemas: StructSchemas | ((header: string[]) => StructSchemas),
    private readonly dates: DateParser,
    private readonly startAfter: number,
  ) {
    this.lastLine = opts.skipLines;
    this.nextRecordAt = opts.skipLines === 0 ? 0 : -1;
    this.startParser(0, 0, csvParseOptions(opts));
    if (!opts.firstRowAsHeader && typeof schemas !== 'function')
      this.mapper = new RowMapper(null, schemas, dates, opts);
  }

  private startParser(position: number, lines: number, options: Options): void {
    this.segment = { position, lines, crlfInCells: 0 };
    this.ended = false;
    this.failure = null;
    const source = settledStream(this.file, position, () => this.closed);
    const parser = parse(options);
    source.on('error', (e) => parser.destroy(e));
    const { quote, escape, separator, encoding } = this.opts;
    if (escape !== null && escape !== quote && Math.max(quote, escape, separator) < 128 && encoding !== 'utf16le') {
      // An explicit escape character: a doubled quote is read too, as OpenCSV does (doubled-quotes.ts).
      this.rewrite = new DoubledQuotes(quote, escape, separator || 44);
      source.pipe(this.rewrite).pipe(parser);
    } else {
      source.pipe(parser);
    }
    parser.on('end', () => {
      if (this.parser === parser) this.ended = true;
    });
    parser.on('error', (e) => {
      if (this.parser === parser) this.failure = e;
    });
    this.source = source;
    this.parser = parser;
  }

  async read(max: number): Promise<Item[]> {
    const out: Item[] = [];
    while (out.length < max && !this.done) {
      const r = this.parser.read() as { record: Array<string | null>; info: { lines: number; bytes: number } } | null;
      if (r === null) {
        if (this.failure) {
          if (!(await this.recover(out))) return out;
          continue;
        }
        if (this.ended) {
          this.done = true;
          break;
        }
        // Records in hand are returned rather than held while a file still being written grows.
        if (out.length > 0) {
          if (!(await this.moreData(PARTIAL_BATCH_WAIT_MS))) break;
        } else await this.moreData();
        continue;
      }
      // csv-parse counts a CRLF inside a quoted field as two lines; a line is a line, as Python counts them.
      this.segment.crlfInCells += crlfCount(r.record);
      const line = this.segment.lines + r.info.lines - this.segment.crlfInCells;
      this.lastLine = line;
      this.nextRecordAt = this.segment.position + r.info.bytes;
      if (!this.mapper) {
        const header = r.record.map((h) => h ?? '');
        const schemas = typeof this.schemas === 'function' ? this.schemas(header) : this.schemas;
        try {
          this.mapper = new RowMapper(this.opts.firstRowAsHeader ? header : null, schemas, this.dates, this.opts);
        } catch (e) {
          return this.fail(out, new DataError(`line ${line}: ${(e as Error).message}`));
        }
        if (this.opts.firstRowAsHeader) continue;
      }
      const offset = ++this.offset;
      if (offset <= this.startAfter) continue;
      try {
        const { key, value } = this.mapper.map(r.record);
        out.push({ offset, line, key, value });
      } catch (e) {
        const raw = r.record.map((c) => c ?? '').join(String.fromCharCode(this.opts.separator || 44));
        out.push({ offset, line, raw, error: new DataError(`line ${line}: ${(e as Error).message}`, { cause: e }) });
      }
    }
    return out;
  }

  /**
   * The parser gave up on the record after the last good one. That record becomes a bad row (its
   * first line is the raw text) and a new parser starts on the next line. Returns false when nothing
   * more can be read: the file cannot be read, the header itself is broken, the record's start is
   * unknown, or it was the last line.
   */
  private async recover(out: Item[]): Promise<boolean> {
    const err = this.failure!;
    const at = this.nextRecordAt;
    // Only the parser's own complaints are about one record; a read error is about the file.
    if (!(err instanceof CsvError) || !this.mapper || at < 0 || this.opts.encoding === 'utf16le') {
      this.fail(out, err);
      return false;
    }
    this.stopParser();
    const line = this.lastLine + 1;
    const { text, next } = await lineAt(this.file.path, at, this.opts.encoding);
    const offset = ++this.offset;
    if (offset > this.startAfter) {
      out.push({ offset, line, raw: text, error: new DataError(`line ${line}: ${parseFailure(err)}`, { cause: err }) });
    }
    if (next < 0) {
      this.done = true;
      return false;
    }
    this.lastLine = line;
    this.nextRecordAt = next;
    this.startParser(next, line, csvParseOptions(this.opts, { line: 1, bom: false }));
    return true;
  }

  /** Resolves true when the parser has records again, ended or failed; false after `timeoutMs`. */
  private moreData(timeoutMs?: number): Promise<boolean> {
    return new Promise((resolve) => {
      const p = this.parser;
      let timer: NodeJS.Timeout | undefined;
      const finish = (more: boolean) => {
        clearTimeout(timer);
        p.off('readable', done);
        p.off('end', done);
        p.off('error', done);
        p.off('close', done);
        resolve(more);
      };
      const done = () => finish(true);
      p.on('readable', done);
      p.on('end', done);
      p.on('error', done);
      p.on('close', done);
      if (timeoutMs !== undefined) timer = setTimeout(() => finish(false), timeoutMs);
    });
  }

  private fail(out: Item[], err: Error): Item[] {
    this.done = true;
    // csv-parse reports where it gave up (an unclosed quote runs on); the record began after the last good one.
    const line = this.lastLine + 1;
    const message = /^line \d+/.test(err.message) ? err.message : `line ${line}: ${parseFailure(err)}`;
    out.push({ offset: this.offset + 1, line, error: new DataError(message, { cause: err }), fatal: true });
    return out;
  }

  private stopParser(): void {
    this.parser.destroy();
    this.rewrite?.destroy();
    this.source.destroy();
  }

  async close(): Promise<void> {
    this.done = true;
    this.closed = true;
    this.stopParser();
  }
}

function crlfCount(cells: Array<string | null>): number {
  let n = 0;
  for (const c of cells) {
    if (c === null || c.length < 2) continue;
    for (let i = c.indexOf('\r\n'); i >= 0; i = c.indexOf('\r\n', i + 2)) n++;
  }
  return n;
}

/** The line that starts at byte `at` (its first 64 KiB, as text) and where the next line starts (-1: none). */
async function lineAt(path: string, at: number, encoding: BufferEncoding): Promise<{ text: string; next: number }> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 16);
    let head: Buffer | null = null;
    for (let pos = at; ;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      const chunk = buf.subarray(0, bytesRead);
      const nl = chunk.indexOf(10);
      head ??= Buffer.from(nl >= 0 ? chunk.subarray(0, nl) : chunk);
      const text = () => head!.toString(encoding).replace(/\r$/, '');
      if (nl >= 0) return { text: text(), next: pos + nl + 1 };
      if (bytesRead === 0) return { text: text(), next: -1 };
      pos += bytesRead;
    }
  } finally {
    await fh.close();
  }
}

/** Maps the cells of one row to value and key Structs; built once per file. */
class RowMapper {
  private readonly columns: Array<{ name: string; index: number; parse: CellParser }> = [];
  private readonly keyFields: string[];
  private readonly width: number;
  private readonly widthFrom: string;

  constructor(
    header: string[] | null,
    private readonly schemas: StructSchemas,
    dates: DateParser,
    opts: CsvOptions,
  ) {
    const fields = schemas.value.fields!;
    if (header) {
      const norm = (s: string) => (opts.caseSensitiveFieldNames ? s.trim() : s.trim().toLowerCase());
      const pos = new Map(header.map((h, i) => [norm(h), i]));
      for (const f of fields) {
        const index = pos.get(norm(f.name));
        if (index === undefined) {
          if (f.schema.optional) continue;
          throw new Error(`the header has no column for required field "${f.name}" (columns: ${header.join(', ')})`);
        }
        this.columns.push({ name: f.name, index, parse: cellParser(f.schema, dates) });
      }
      this.width = header.length;
      this.widthFrom = 'the header';
    } else {
      fields.forEach((f, index) => this.columns.push({ name: f.name, index, parse: cellParser(f.schema, dates) }));
      this.width = fields.length;
      this.widthFrom = 'the value schema has fields';
    }
    this.keyFields = schemas.key?.fields?.map((f) => f.name) ?? [];
  }

  map(cells: Array<string | null>): { key: Struct | null; value: Struct } {
    if (cells.length !== this.width) {
      throw new Error(`expected ${this.width} columns (as ${this.widthFrom}) but found ${cells.length}`);
    }
    const value = new Struct(this.schemas.value);
    for (const c of this.columns) {
      const cell = cells[c.index];
      let v: unknown;
      try {
        v = cell === null || cell === undefined ? null : c.parse(cell);
      } catch (e) {
        throw new Error(`column ${c.index + 1} ("${c.name}"): ${(e as Error).message}`);
      }
      value.put(c.name, v);
    }
    value.validate();
    let key: Struct | null = null;
    if (this.schemas.key) {
      key = new Struct(this.schemas.key);
      for (const f of this.keyFields) key.put(f, value.get(f));
    }
    return { key, value };
  }
}
