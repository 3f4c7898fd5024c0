import { createHash } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import type avro from 'avsc';
import { DataError, type Schema, type SinkRecord } from '@tributary/connect-api';
import { avroType, toAvroSchema, toAvroValue } from '@tributary/connect-converters';
import type { ByteOut, Format, RecordWriter } from './format.js';

/** A block is cut once its encoded records reach this size (by bytes, never by time). */
const BLOCK_BYTES = 64 * 1024;

/**
 * Writes an Avro object container file by hand rather than through avsc's stream encoder, for two
 * reasons: the sync marker is derived from the object key (avsc picks a random one), so a replay
 * writes byte-identical objects; and blocks are cut by size alone, never by batch boundaries.
 */
class AvroContainerWriter implements RecordWriter {
  private readonly type: avro.Type;
  private readonly sync: Buffer;
  private block: Buffer[] = [];
  private blockBytes = 0;
  private blockCount = 0;
  private ready: Buffer[] = [];
  pendingBytes = 0;

  constructor(
    private readonly out: ByteOut,
    objectKey: string,
    private readonly schema: Schema,
    private readonly codec: 'null' | 'deflate',
  ) {
    const avroSchema = toAvroSchema(schema);
    this.type = avroType(avroSchema);
    this.sync = createHash('md5').update(objectKey).digest();
    const meta = new Map<string, Buffer>([
      ['avro.schema', Buffer.from(JSON.stringify(avroSchema))],
      ['avro.codec', Buffer.from(codec)],
    ]);
    const head: Buffer[] = [Buffer.from('Obj\x01', 'latin1'), long(meta.size)];
    for (const [k, v] of meta) head.push(long(Buffer.byteLength(k)), Buffer.from(k), long(v.length), v);
    head.push(long(0), this.sync);
    this.ready.push(Buffer.concat(head));
  }

  write(record: SinkRecord): void {
    let b: Buffer;
    try {
      b = this.type.toBuffer(toAvroValue(this.schema, record.value));
    } catch (err) {
      throw err instanceof DataError
        ? err
        : new DataError(`Record does not fit its Avro schema: ${(err as Error).message}`, { cause: err });
    }
    this.block.push(b);
    this.blockBytes += b.length;
    this.blockCount++;
    if (this.blockBytes >= BLOCK_BYTES) this.cutBlock();
  }

  async flush(): Promise<void> {
    for (const b of this.ready) this.out(b);
    this.ready = [];
    this.pendingBytes = 0;
  }

  async finish(): Promise<void> {
    this.cutBlock();
    await this.flush();
  }

  private cutBlock(): void {
    if (this.blockCount === 0) return;
    let data = Buffer.concat(this.block, this.blockBytes);
    if (this.codec === 'deflate') data = deflateRawSync(data);
    this.ready.push(long(this.blockCount), long(data.length), data, this.sync);
    this.pendingBytes += data.length;
    this.block = [];
    this.blockBytes = 0;
    this.blockCount = 0;
  }
}

/** Avro's zig-zag varint long. */
function long(n: number): Buffer {
  let z = BigInt(n) >= 0n ? BigInt(n) << 1n : (-BigInt(n) << 1n) - 1n;
  const bytes: number[] = [];
  do {
    let b = Number(z & 0x7fn);
    z >>= 7n;
    if (z > 0n) b |= 0x80;
    bytes.push(b);
  } while (z > 0n);
  return Buffer.from(bytes);
}

/** AvroFormat: container files with one writer schema each (derived from the Connect schema). */
export function avroFormat(codec: 'null' | 'deflate'): Format {
  return {
    extension: '.avro',
    schemaBound: true,
    writer: (out, key, schema) => {
      if (!schema)
        throw new DataError(
          'AvroFormat needs records with a value schema (e.g. JsonConverter with schemas.enable=true, or Avro).',
        );
      return new AvroContainerWriter(out, key, schema, codec);
    },
  };
}
