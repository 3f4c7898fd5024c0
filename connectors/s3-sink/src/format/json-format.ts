import { constants, createGzip, type Gzip } from 'node:zlib';
import { once } from 'node:events';
import type { SinkRecord } from '@tributary/connect-api';
import { JsonWriter } from '@tributary/connect-converters';
import type { ByteOut, Format, RecordWriter } from './format.js';

/**
 * Encoded bytes one object gathers before they are handed on (to gzip or to the upload buffer) as one
 * piece. gzip on the thread pool costs a round trip per write, so writes of a few records each made
 * the compressor, not the work, the bottleneck; 64 KiB pieces amortize it.
 */
const CHUNK_BYTES = 64 * 1024;
/** First buffer of an object: objects that get few records stay small (many may be open). */
const FIRST_BYTES = 4 * 1024;
/**
 * Uncompressed bytes that may wait for the gzip threads across all objects of a task. Bounds memory
 * however many objects are open, while keeping the thread pool busy.
 */
const GZIP_IN_FLIGHT_BYTES = 4 * 1024 * 1024;

/**
 * Reuses the CHUNK_BYTES buffers gzip has consumed. Records are encoded straight into these buffers
 * (their strings die young, in V8's young generation), and recycling keeps tens of MB of buffers
 * from waiting for a full GC.
 */
class ChunkPool {
  private readonly free: Buffer[] = [];

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES);
  }

  give(b: Buffer): void {
    if (b.length === CHUNK_BYTES && this.free.length * CHUNK_BYTES < GZIP_IN_FLIGHT_BYTES) this.free.push(b);
  }
}

/** Bytes handed to zlib and not yet consumed by it, shared by the objects of one task. */
class InFlight {
  private used = 0;
  private waiters: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async acquire(n: number): Promise<void> {
    while (this.used > 0 && this.used + n > this.limit)
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.used += n;
  }

  release(n: number): void {
    this.used -= n;
    const waiting = this.waiters;
    this.waiters = [];
    for (const wake of waiting) wake();
  }
}

/**
 * The byte stream of one object, plain or gzipped. gzip runs as one stream over the whole object with
 * no intermediate flushes, so its output depends only on the bytes fed in, not on their chunking. It
 * compresses on libuv's thread pool, so many objects compress in parallel with the event loop.
 */
class ObjectStream {
  private readonly gz: Gzip | null;

  constructor(
    private readonly out: ByteOut,
    gzipLevel: number | null,
    private readonly inFlight: InFlight | null,
  ) {
    this.gz =
      gzipLevel === null ? null : createGzip({ level: gzipLevel < 0 ? constants.Z_DEFAULT_COMPRESSION : gzipLevel });
    this.gz?.on('data', (c: Buffer) => out(c));
  }

  get compressed(): boolean {
    return this.gz !== null;
  }

  /** Plain output keeps `data`; gzip calls `consumed` once zlib no longer needs it. */
  async write(data: Buffer, consumed?: () => void): Promise<void> {
    if (data.length === 0) return;
    if (!this.gz) {
      this.out(data);
      return;
    }
    const n = data.length;
    await this.inFlight!.acquire(n);
    // The callback runs once zlib consumed the chunk; the stream's own highWaterMark is not used.
    this.gz.write(data, () => {
      this.inFlight!.release(n);
      consumed?.();
    });
  }

  async end(): Promise<void> {
    if (!this.gz) return;
    const ended = once(this.gz, 'end');
    this.gz.end();
    await ended;
  }
}

/** Shared by the objects of one task. */
interface Shared {
  readonly inFlight: InFlight | null;
  readonly pool: ChunkPool;
}

/**
 * Lines of text (JSON) or raw bytes, each followed by a separator, optionally gzipped. Each record is
 * encoded into the object's current buffer right away; full buffers are handed on.
 */
class LineWriter implements RecordWriter {
  private buf: Buffer | null = null;
  private used = 0;
  /** Size of the next buffer: objects start small and move to CHUNK_BYTES once they fill one. */
  private capacity = FIRST_BYTES;
  private readonly stream: ObjectStream;

  constructor(
    out: ByteOut,
    gzipLevel: number | null,
    private readonly shared: Shared,
    private readonly encode: (r: SinkRecord) => string | Uint8Array,
    private readonly sep: Buffer,
  ) {
    this.stream = new ObjectStream(out, gzipLevel, shared.inFlight);
  }

  get pendingBytes(): number {
    return this.used;
  }

  write(record: SinkRecord): Promise<void> | undefined {
    const v = this.encode(record);
    const buf = this.buf;
    // A UTF-16 unit takes at most 3 bytes in UTF-8; count exactly only near the end of a buffer.
    if (buf && buf.length - this.used >= (typeof v === 'string' ? v.length * 3 : v.length) + this.sep.length) {
      this.used = this.encodeInto(buf, this.used, v);
      return undefined;
    }
    return this.writeSlow(v, (typeof v === 'string' ? Buffer.byteLength(v) : v.length) + this.sep.length);
  }

  /** No buffer yet, or the record may not fit: hand on, grow or start a buffer as needed. */
  private async writeSlow(v: string | Uint8Array, need: number): Promise<void> {
    if (this.buf && this.buf.length - this.used >= need) {
      this.used = this.encodeInto(this.buf, this.used, v);
      return;
    }
    if (this.used > 0 && this.used + need > CHUNK_BYTES) await this.flush();
    if (need > CHUNK_BYTES) {
      // A record larger than a buffer goes on by itself.
      const own = Buffer.allocUnsafeSlow(need);
      this.encodeInto(own, 0, v);
      await this.stream.write(own);
      return;
    }
    const old = this.buf;
    if (!old || old.length - this.used < need) {
      const size = Math.min(CHUNK_BYTES, Math.max(this.capacity, 2 * (old?.length ?? 0), this.used + need));
      const fresh = size === CHUNK_BYTES ? this.shared.pool.take() : Buffer.allocUnsafeSlow(size);
      if (old && this.used > 0) old.copy(fresh, 0, 0, this.used);
      this.buf = fresh;
      this.capacity = size;
    }
    this.used = this.encodeInto(this.buf!, this.used, v);
  }

  private encodeInto(buf: Buffer, at: number, v: string | Uint8Array): number {
    let n = at;
    if (typeof v === 'string') n += buf.write(v, n);
    else {
      buf.set(v, n);
      n += v.length;
    }
    if (this.sep.length === 1) buf[n++] = this.sep[0]!;
    else n += this.sep.copy(buf, n);
    return n;
  }

  /** Hands the encoded bytes on. Output never depends on when this is called. */
  async flush(): Promise<void> {
    const buf = this.buf;
    if (!buf || this.used === 0) return;
    const data = buf.subarray(0, this.used);
    this.used = 0;
    if (!this.stream.compressed) {
      // The upload keeps these bytes: copy a part-filled buffer rather than pin all of it.
      if (data.length < buf.length) return this.stream.write(Buffer.from(data));
      this.buf = null;
      return this.stream.write(data);
    }
    // zlib reads the buffer on its thread; it is recycled once consumed.
    this.buf = null;
    await this.stream.write(data, () => this.shared.pool.give(buf));
  }

  async finish(): Promise<void> {
    await this.flush();
    this.buf = null;
    await this.stream.end();
  }
}

/**
 * JsonFormat: one JSON value per line, byte for byte what Kafka's JsonConverter (schemas.enable=false)
 * writes, as Confluent's JsonFormat does. The one rule beyond Kafka's: a Date without a schema (which
 * only a transform can make) is written as epoch milliseconds rather than refused.
 */
export function jsonFormat(gzipLevel: number | null, decimalNumeric: boolean): Format {
  const shared = sharedState(gzipLevel);
  const newline = Buffer.from('\n');
  const writer = new JsonWriter({ decimalNumeric, replaceNullWithDefault: true, schemalessDates: 'millis' });
  const line = (r: SinkRecord): string => writer.write(r.valueSchema, r.value);
  return {
    extension: gzipLevel === null ? '.json' : '.json.gz',
    schemaBound: false,
    writer: (out) => new LineWriter(out, gzipLevel, shared, line, newline),
  };
}

function sharedState(gzipLevel: number | null): Shared {
  return { inFlight: gzipLevel === null ? null : new InFlight(GZIP_IN_FLIGHT_BYTES), pool: new ChunkPool() };
}

/** ByteArrayFormat: the value's bytes (strings as UTF-8) followed by the separator. */
export function byteArrayFormat(gzipLevel: number | null, extension: string, separator: string): Format {
  const sep = Buffer.from(separator);
  const shared = sharedState(gzipLevel);
  return {
    extension: extension + (gzipLevel === null ? '' : '.gz'),
    schemaBound: false,
    writer: (out) =>
      new LineWriter(
        out,
        gzipLevel,
        shared,
        (r) => {
          const v = r.value;
          return v instanceof Uint8Array ? v : typeof v === 'string' ? v : JSON.stringify(v);
        },
        sep,
      ),
  };
}
