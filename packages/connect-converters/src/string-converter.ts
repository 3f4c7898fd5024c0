import {
  ConfigDef,
  Schemas,
  Struct,
  type Converter,
  type HeaderConverter,
  type Schema,
  type SchemaAndValue,
} from '@tributary/connect-api';
import { asBuffer, converterTypeKey } from './common.js';

const CONFIG = new ConfigDef()
  .define({
    name: 'converter.encoding',
    type: 'STRING',
    default: 'UTF-8',
    importance: 'HIGH',
    documentation: 'The name of the Java character set to use for encoding strings as byte arrays.',
  })
  .define(converterTypeKey());

type Codec = { encode(s: string): Uint8Array; decode(b: Uint8Array): string };

/** Java charset names (as users write them in Kafka configs) mapped onto what Node can encode. */
function codecFor(javaName: string): Codec {
  const n = javaName.toLowerCase().replace(/[-_]/g, '');
  const node = (enc: BufferEncoding): Codec => ({
    encode: (s) => Buffer.from(s, enc),
    decode: (b) => asBuffer(b).toString(enc),
  });
  switch (n) {
    case 'utf8':
      return node('utf8');
    case 'iso88591':
    case 'latin1':
      return node('latin1');
    case 'usascii':
    case 'ascii':
      return node('ascii');
    case 'utf16le':
      return node('utf16le');
    case 'utf16be':
    case 'utf16': {
      // Java's "UTF-16" writes a big-endian byte order mark; reading honours either mark.
      const bom = n === 'utf16';
      return {
        encode: (s) => {
          const le = Buffer.from(s, 'utf16le');
          const out = Buffer.alloc(le.length + (bom ? 2 : 0));
          if (bom) {
            out[0] = 0xfe;
            out[1] = 0xff;
          }
          for (let i = 0; i < le.length; i += 2) {
            out[out.length - le.length + i] = le[i + 1]!;
            out[out.length - le.length + i + 1] = le[i]!;
          }
          return out;
        },
        decode: (b) => {
          let buf = Buffer.from(asBuffer(b));
          if (buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString('utf16le');
          if (buf[0] === 0xfe && buf[1] === 0xff) buf = buf.subarray(2);
          return buf.swap16().toString('utf16le');
        },
      };
    }
    default:
      throw new Error(`Invalid value ${javaName} for configuration converter.encoding: unsupported character set`);
  }
}

/** Kafka's `org.apache.kafka.connect.storage.StringConverter`: any value as its text; reads an optional string. */
export class StringConverter implements Converter, HeaderConverter {
  private codec = codecFor('UTF-8');

  config(): ConfigDef {
    return CONFIG;
  }

  configure(config: Record<string, string>, _isKey = false): void {
    this.codec = codecFor(CONFIG.parse(config).string('converter.encoding'));
  }

  fromConnectData(_topic: string, _schema: Schema | null | undefined, value: unknown): Uint8Array | null {
    return value === null || value === undefined ? null : this.codec.encode(textOf(value));
  }

  toConnectData(_topic: string, bytes: Uint8Array | null): SchemaAndValue {
    return {
      schema: Schemas.OPTIONAL_STRING,
      value: bytes === null || bytes === undefined ? null : this.codec.decode(bytes),
    };
  }

  fromConnectHeader(
    topic: string,
    _headerKey: string,
    schema: Schema | null | undefined,
    value: unknown,
  ): Uint8Array | null {
    return this.fromConnectData(topic, schema, value);
  }

  toConnectHeader(topic: string, _headerKey: string, bytes: Uint8Array | null): SchemaAndValue {
    return this.toConnectData(topic, bytes);
  }
}

/** The closest thing to Java's `toString()` for Connect values. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Struct) {
    return `Struct{${value.schema
      .fields!.filter((f) => value.get(f.name) !== null)
      .map((f) => `${f.name}=${textOf(value.get(f.name))}`)
      .join(',')}}`;
  }
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (value instanceof Map) return `{${[...value.entries()].map(([k, v]) => `${textOf(k)}=${textOf(v)}`).join(', ')}}`;
  if (Array.isArray(value)) return `[${value.map(textOf).join(', ')}]`;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}
