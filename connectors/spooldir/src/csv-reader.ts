import { createReadStream } from 'node:fs';
import { parse, type Options, type Parser } from 'csv-parse';
import { DataError, Struct, type Schema } from '@tributary/connect-api';
import type { DateParser } from './date-formats.js';
import type { Item, RecordReader } from './record-reader.js';
import { cellParser, type CellParser } from './value-parser.js';

export interface CsvOptions {
  separator: number;
  quote: number;
  escape: number;
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

/** csv-parse options for the `csv.*` keys; shared with the schema generator. */
export function csvParseOptions(o: CsvOptions): Options {
  const nulls = o.nullFieldIndicator;
  const quotedEmptyIsNull = nulls === 'EMPTY_QUOTES' || nulls === 'BOTH';
  const bareEmptyIsNull = nulls === 'EMPTY_SEPARATORS' || nulls === 'BOTH';
  return {
    delimiter: String.fromCharCode(o.separator || 44),
    quote: String.fromCharCode(o.quote),
    escape: String.fromCharCode(o.escape),
    from_line: o.skipLines + 1,
    relax_column_count: true, // a short or long row is reported by us, with its line, not as a parser failure
    skip_empty_lines: true,
    bom: true,
    info: true,
    encoding: o.encoding,
    // Only pay for a cast callback when empty quoted and unquoted fields must be told apart.
    ...(nulls === 'NEITHER' ? {} : {
      cast: (value: string, ctx: { quoting: boolean }) => (value === '' && (ctx.quoting ? quotedEmptyIsNull : bareEmptyIsNull) ? null : value),
    }),
  };
}

/**
 * Streams a CSV (or TSV) file through csv-parse into Structs of the value schema. Columns map to
 * fields by header name when `csv.first.row.as.header`, otherwise by position in the schema.
 */
export class CsvRecordReader implements RecordReader {
  private readonly parser: Parser;
  private ended = false;
  private failure: Error | null = null;
  private offset = 0;
  private mapper: RowMapper | null = null;
  /** The line the last record ended on: a record the parser rejects starts on the next one. */
  private lastLine: number;
  done = false;

  constructor(
    path: string,
    private readonly opts: CsvOptions,
    private readonly schemas: StructSchemas | ((header: string[]) => StructSchemas),
    private readonly dates: DateParser,
    private readonly startAfter: number,
  ) {
    this.lastLine = opts.skipLines;
    const source = createReadStream(path, { highWaterMark: 1 << 16 });
    this.parser = parse(csvParseOptions(opts));
    source.on('error', (e) => this.parser.destroy(e));
    source.pipe(this.parser);
    this.parser.on('end', () => { this.ended = true; });
    this.parser.on('error', (e) => { this.failure = e; });
    if (!opts.firstRowAsHeader && typeof schemas !== 'function') this.mapper = new RowMapper(null, schemas, dates, opts);
  }

  async read(max: number): Promise<Item[]> {
    const out: Item[] = [];
    while (out.length < max && !this.done) {
      const r = this.parser.read() as { record: Array<string | null>; info: { lines: number } } | null;
      if (r === null) {
        if (this.failure) return this.fail(out, this.failure);
        if (this.ended) { this.done = true; break; }
        await this.moreData();
        continue;
      }
      const line = r.info.lines;
      this.lastLine = line;
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

  /** Resolves when the parser has records again, ended or failed. */
  private moreData(): Promise<void> {
    return new Promise((resolve) => {
      const p = this.parser;
      const done = () => { p.off('readable', done); p.off('end', done); p.off('error', done); p.off('close', done); resolve(); };
      p.on('readable', done); p.on('end', done); p.on('error', done); p.on('close', done);
    });
  }

  private fail(out: Item[], err: Error): Item[] {
    this.done = true;
    // csv-parse reports where it gave up (an unclosed quote runs on); the record began after the last good one.
    const line = this.lastLine + 1;
    const message = /^line \d+/.test(err.message) ? err.message : `line ${line}: ${err.message}`;
    out.push({ offset: this.offset + 1, line, error: new DataError(message, { cause: err }), fatal: true });
    return out;
  }

  async close(): Promise<void> {
    this.done = true;
    this.parser.destroy();
  }
}

/** Maps the cells of one row to value and key Structs; built once per file. */
class RowMapper {
  private readonly columns: Array<{ name: string; index: number; parse: CellParser }> = [];
  private readonly keyFields: string[];
  private readonly width: number;
  private readonly widthFrom: string;

  constructor(header: string[] | null, private readonly schemas: StructSchemas, dates: DateParser, opts: CsvOptions) {
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
