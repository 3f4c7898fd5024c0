import { constants, createGzip, type Gzip } from 'node:zlib';
import { once } from 'node:events';
import type { SinkRecord } from '@tributary/connect-api';
import { toJsonValue } from './connect-json.js';
import type { ByteOut, Format, RecordWriter } from './format.js';

/** Encoded text waiting for flush(); beyond this it is handed over early to bound memory. */
const PENDING_LIMIT = 256 * 1024;
/** Uncompressed bytes that may wait for the gzip thread per object. */
const QUEUE_LIMIT = 512 * 1024;

/**
 * The byte stream of one object, plain or gzipped. gzip runs as one stream over the whole object with
 * no intermediate flushes, so its output depends only on the bytes fed in, not on their chunking.
 */
class ObjectStream {
  private readonly gz: Gzip | null;

  constructor(private readonly out: ByteOut, gzipLevel: number | null) {
    this.gz = gzipLevel === null ? null : createGzip({ level: gzipLevel < 0 ? constants.Z_DEFAULT_COMPRESSION : gzipLevel });
    this.gz?.on('data', (c: Buffer) => out(c));
  }

  async write(data: Buffer): Promise<void> {
    if (data.length === 0) return;
    if (!this.gz) { this.out(data); return; }
    // zlib compresses on the thread pool; waiting for 'drain' after every chunk left the event loop
    // idle half the time. Let up to QUEUE_LIMIT bytes queue per object before waiting.
    if (!this.gz.write(data) && this.gz.writableLength > QUEUE_LIMIT) await once(this.gz, 'drain');
  }

  async end(): Promise<void> {
    if (!this.gz) return;
    const ended = once(this.gz, 'end');
    this.gz.end();
    await ended;
  }
}

/** Lines of text (JSON) or raw bytes plus a separator (ByteArray), optionally gzipped. */
class LineWriter implements RecordWriter {
  // Text is gathered as one string and encoded once per flush: far cheaper than a Buffer per record.
  private text = '';
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly stream: ObjectStream;

  constructor(out: ByteOut, gzipLevel: number | null, private readonly encode: (r: SinkRecord) => string | Buffer) {
    this.stream = new ObjectStream(out, gzipLevel);
  }

  async write(record: SinkRecord): Promise<void> {
    const b = this.encode(record);
    if (typeof b === 'string') {
      this.text += b;
      if (this.text.length >= PENDING_LIMIT) await this.flush();
      return;
    }
    this.pending.push(b);
    this.pendingBytes += b.length;
    if (this.pendingBytes >= PENDING_LIMIT) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.text !== '') {
      const data = Buffer.from(this.text);
      this.text = '';
      await this.stream.write(data);
    }
    if (this.pendingBytes === 0) return;
    const data = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    await this.stream.write(data);
  }

  async finish(): Promise<void> {
    await this.flush();
    await this.stream.end();
  }
}

/** JsonFormat: one JSON value per line, as JsonConverter with schemas disabled writes it. */
export function jsonFormat(gzipLevel: number | null, decimalNumeric: boolean): Format {
  return {
    extension: gzipLevel === null ? '.json' : '.json.gz',
    schemaBound: false,
    writer: (out) => new LineWriter(out, gzipLevel, (r) => `${JSON.stringify(toJsonValue(r.value, r.valueSchema, decimalNumeric))}\n`),
  };
}

/** ByteArrayFormat: the value's bytes (strings as UTF-8) followed by the separator. */
export function byteArrayFormat(gzipLevel: number | null, extension: string, separator: string): Format {
  const sep = Buffer.from(separator);
  return {
    extension: extension + (gzipLevel === null ? '' : '.gz'),
    schemaBound: false,
    writer: (out) => new LineWriter(out, gzipLevel, (r) => {
      const v = r.value;
      const bytes = v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));
      return sep.length === 0 ? Buffer.from(bytes) : Buffer.concat([bytes, sep]);
    }),
  };
}
