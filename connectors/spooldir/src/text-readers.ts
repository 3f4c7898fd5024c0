import { DataError, Struct, type Schema } from '@tributary/connect-api';
import type { DateParser } from './date-formats.js';
import { LineSplitter, TextChunks, WAITING, type Item, type RecordReader } from './record-reader.js';
import type { ListedFile } from './settled-file.js';
import { fromJsonValue } from './value-parser.js';

/** Each line of the file is a STRING value with no key (SpoolDirLineDelimitedSourceConnector). */
export class LineRecordReader implements RecordReader {
  private readonly chunks: TextChunks;
  private readonly lines: LineSplitter;
  done = false;

  constructor(
    file: ListedFile,
    encoding: BufferEncoding,
    private readonly startAfter: number,
  ) {
    this.chunks = new TextChunks(file, encoding);
    this.lines = new LineSplitter(this.chunks);
  }

  async read(max: number): Promise<Item[]> {
    const out: Item[] = [];
    while (out.length < max) {
      const l = await this.lines.next();
      if (l === WAITING) {
        if (out.length > 0) break;
        continue;
      }
      if (l === null) {
        this.done = true;
        break;
      }
      if (l.line <= this.startAfter) continue;
      out.push({ offset: l.line, line: l.line, key: null, value: l.text });
    }
    return out;
  }

  close(): Promise<void> {
    this.done = true;
    return this.chunks.close();
  }
}

/**
 * Splits a stream of concatenated or newline-delimited JSON values (as Jackson's MappingIterator
 * reads them) without parsing: tracks nesting and strings, so one value at a time is in memory.
 */
class JsonValueSplitter {
  private buf = '';
  private pos = 0;
  private start = -1;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private line = 1;
  private startLine = 1;

  constructor(private readonly chunks: TextChunks) {}

  async next(): Promise<{ text: string; line: number } | typeof WAITING | null> {
    for (;;) {
      const found = this.scan();
      if (found) return found;
      if (this.start >= 0) {
        this.buf = this.buf.slice(this.start);
        this.pos -= this.start;
        this.start = 0;
      } else {
        this.buf = '';
        this.pos = 0;
      }
      const chunk = await this.chunks.next();
      if (chunk === '') return WAITING;
      if (chunk === null) {
        if (this.start < 0) return null;
        const text = this.buf.slice(this.start).trim();
        this.start = -1;
        this.buf = '';
        this.pos = 0;
        if (this.depth > 0 || this.inString)
          throw new DataError(`line ${this.startLine}: the file ends inside a JSON value that starts here`);
        return { text, line: this.startLine };
      }
      this.buf += chunk;
    }
  }

  private scan(): { text: string; line: number } | null {
    const b = this.buf;
    while (this.pos < b.length) {
      const c = b.charCodeAt(this.pos);
      if (c === 10) this.line++;
      if (this.start < 0) {
        if (c === 32 || c === 9 || c === 10 || c === 13) {
          this.pos++;
          continue;
        }
        this.start = this.pos;
        this.startLine = this.line;
        this.depth = 0;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 92) this.escaped = true;
        else if (c === 34) this.inString = false;
      } else if (c === 34) this.inString = true;
      else if (c === 123 || c === 91) this.depth++;
      else if (c === 125 || c === 93) this.depth--;
      else if (this.depth === 0 && (c === 32 || c === 9 || c === 10 || c === 13)) {
        return this.take(this.pos); // end of a bare top-level scalar
      }
      this.pos++;
      if (this.depth === 0 && !this.inString && (c === 125 || c === 93 || (c === 34 && this.pos - 1 > this.start)))
        return this.take(this.pos);
    }
    return null;
  }

  private take(end: number): { text: string; line: number } {
    const text = this.buf.slice(this.start, end);
    this.start = -1;
    return { text, line: this.startLine };
  }
}

/** JSON values of a file, 1-based record numbers, with parse failures as bad rows. */
abstract class JsonReaderBase implements RecordReader {
  private readonly chunks: TextChunks;
  private readonly values: JsonValueSplitter;
  private offset = 0;
  done = false;

  constructor(
    file: ListedFile,
    encoding: BufferEncoding,
    private readonly startAfter: number,
  ) {
    this.chunks = new TextChunks(file, encoding);
    this.values = new JsonValueSplitter(this.chunks);
  }

  protected abstract toItem(offset: number, line: number, text: string): Item;

  async read(max: number): Promise<Item[]> {
    const out: Item[] = [];
    while (out.length < max) {
      let v: { text: string; line: number } | typeof WAITING | null;
      try {
        v = await this.values.next();
      } catch (e) {
        this.done = true;
        out.push({ offset: this.offset + 1, line: 0, error: e as Error, fatal: true });
        break;
      }
      if (v === WAITING) {
        if (out.length > 0) break;
        continue;
      }
      if (v === null) {
        this.done = true;
        break;
      }
      const offset = ++this.offset;
      if (offset <= this.startAfter) continue;
      out.push(this.toItem(offset, v.line, v.text));
    }
    return out;
  }

  close(): Promise<void> {
    this.done = true;
    return this.chunks.close();
  }
}

/** Each JSON value is a STRING value with no key (SpoolDirSchemaLessJsonSourceConnector). */
export class SchemalessJsonRecordReader extends JsonReaderBase {
  protected toItem(offset: number, line: number, text: string): Item {
    try {
      JSON.parse(text);
      return { offset, line, key: null, value: text };
    } catch (e) {
      return {
        offset,
        line,
        raw: text,
        error: new DataError(`line ${line}: not valid JSON (${(e as Error).message})`),
      };
    }
  }
}

/** Each JSON object becomes a Struct of the value schema (SpoolDirJsonSourceConnector). */
export class JsonRecordReader extends JsonReaderBase {
  constructor(
    file: ListedFile,
    encoding: BufferEncoding,
    startAfter: number,
    private schemas:
      | { value: Schema; key: Schema | null }
      | ((first: Record<string, unknown>) => { value: Schema; key: Schema | null }),
    private readonly dates: DateParser,
  ) {
    super(file, encoding, startAfter);
  }

  protected toItem(offset: number, line: number, text: string): Item {
    try {
      let node: unknown;
      try {
        node = JSON.parse(text);
      } catch (e) {
        throw new DataError(`not valid JSON (${(e as Error).message})`);
      }
      if (typeof node !== 'object' || node === null || Array.isArray(node))
        throw new DataError('expected a JSON object');
      if (typeof this.schemas === 'function') this.schemas = this.schemas(node as Record<string, unknown>);
      const { value: vs, key: ks } = this.schemas;
      const value = fromJsonValue(vs, node, this.dates, '$') as Struct;
      let key: Struct | null = null;
      if (ks) {
        key = new Struct(ks);
        for (const f of ks.fields!) key.put(f.name, value.get(f.name));
      }
      return { offset, line, key, value };
    } catch (e) {
      return { offset, line, raw: text, error: new DataError(`line ${line}: ${(e as Error).message}`, { cause: e }) };
    }
  }
}
