import { DataError } from './errors.js';
import { SchemaBuilder, type Schema } from './schema.js';

/** Kafka Connect's logical types: the same names, base types and encodings. */
export const Decimal = {
  LOGICAL_NAME: 'org.apache.kafka.connect.data.Decimal',
  SCALE_FIELD: 'scale',
  builder(scale: number): SchemaBuilder {
    return SchemaBuilder.bytes().name(Decimal.LOGICAL_NAME).version(1).parameter('scale', String(scale));
  },
  schema(scale: number): Schema {
    return Decimal.builder(scale).build();
  },
  scale(schema: Schema): number {
    const raw = schema.parameters?.scale;
    if (raw === undefined) throw new DataError('Invalid Decimal schema: scale parameter not found.');
    return Number(raw);
  },
  /** Decimal text → unscaled big-endian two's-complement bytes at `scale`. */
  fromText(text: string, scale: number): Uint8Array {
    return bigintToBytes(unscaled(text, scale));
  },
  /** Unscaled two's-complement bytes → decimal text at `scale`. */
  toText(bytes: Uint8Array, scale: number): string {
    return formatUnscaled(bytesToBigint(bytes), scale);
  },
  /** Decimal text (exponent allowed) → its unscaled integer at `scale`; more digits than the scale are refused. */
  unscaled: (text: string, scale: number): bigint => unscaled(text, scale),
  /** Unscaled integer → decimal text keeping every digit of the scale ("12.30"). */
  format: (unscaledValue: bigint, scale: number): string => formatUnscaled(unscaledValue, scale),
  /** Unscaled integer → minimal big-endian two's complement, as Java's `BigInteger.toByteArray()`. */
  toBytes: (unscaledValue: bigint): Uint8Array => bigintToBytes(unscaledValue),
  /** Big-endian two's complement → unscaled integer. */
  fromBytes: (bytes: Uint8Array): bigint => bytesToBigint(bytes),
};

export const DateType = {
  LOGICAL_NAME: 'org.apache.kafka.connect.data.Date',
  builder(): SchemaBuilder {
    return SchemaBuilder.int32().name(DateType.LOGICAL_NAME).version(1);
  },
  SCHEMA: SchemaBuilder.int32().name('org.apache.kafka.connect.data.Date').version(1).build(),
  /** Days since the epoch. */
  fromLogical(d: Date): number {
    const ms = d.getTime();
    if (ms % 86_400_000 !== 0)
      throw new DataError('Kafka Connect Date type should not have any time fields set to non-zero values.');
    return ms / 86_400_000;
  },
  toLogical(days: number): Date {
    return new Date(days * 86_400_000);
  },
};

export const TimeType = {
  LOGICAL_NAME: 'org.apache.kafka.connect.data.Time',
  builder(): SchemaBuilder {
    return SchemaBuilder.int32().name(TimeType.LOGICAL_NAME).version(1);
  },
  SCHEMA: SchemaBuilder.int32().name('org.apache.kafka.connect.data.Time').version(1).build(),
  /** Milliseconds since midnight. */
  fromLogical(d: Date): number {
    const ms = d.getTime();
    // As Kafka's Time: 24:00:00 (exactly one day) is allowed, PostgreSQL can store it.
    if (ms < 0 || ms > 86_400_000)
      throw new DataError('Kafka Connect Time type should not have any date fields set to non-zero values.');
    return ms;
  },
  toLogical(ms: number): Date {
    return new Date(ms);
  },
};

export const TimestampType = {
  LOGICAL_NAME: 'org.apache.kafka.connect.data.Timestamp',
  builder(): SchemaBuilder {
    return SchemaBuilder.int64().name(TimestampType.LOGICAL_NAME).version(1);
  },
  SCHEMA: SchemaBuilder.int64().name('org.apache.kafka.connect.data.Timestamp').version(1).build(),
  fromLogical(d: Date): number {
    return d.getTime();
  },
  toLogical(ms: number | bigint): Date {
    return new Date(Number(ms));
  },
};

function unscaled(text: string, scale: number): bigint {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === ''))
    throw new DataError(`Invalid type for Decimal, not a decimal number: ${text}`);
  const exp = Number(m[4] ?? 0);
  let digits = (m[2] ?? '') + (m[3] ?? '');
  const pointAt = (m[2] ?? '').length + exp; // digits before the point
  const wantFrac = scale;
  const haveFrac = digits.length - pointAt;
  if (haveFrac < wantFrac) digits += '0'.repeat(wantFrac - haveFrac);
  else if (haveFrac > wantFrac) {
    const cut = digits.slice(digits.length - (haveFrac - wantFrac));
    if (/[1-9]/.test(cut)) throw new DataError('BigDecimal has mismatching scale value for given Decimal schema');
    digits = digits.slice(0, digits.length - (haveFrac - wantFrac));
  }
  const v = BigInt(digits === '' ? '0' : digits);
  return m[1] === '-' ? -v : v;
}

function formatUnscaled(v: bigint, scale: number): string {
  const neg = v < 0n;
  let s = (neg ? -v : v).toString();
  if (scale > 0) {
    s = s.padStart(scale + 1, '0');
    s = `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`;
  } else if (scale < 0) {
    s += '0'.repeat(-scale);
  }
  return neg ? `-${s}` : s;
}

function bigintToBytes(v: bigint): Uint8Array {
  // Minimal two's-complement big-endian, as Java's BigInteger.toByteArray().
  const out: number[] = [];
  let x = v;
  for (;;) {
    const byte = Number(x & 0xffn);
    out.unshift(byte);
    x >>= 8n;
    const signBit = (byte & 0x80) !== 0;
    if ((x === 0n && !signBit) || (x === -1n && signBit)) break;
  }
  return Uint8Array.from(out);
}

function bytesToBigint(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  if ((bytes[0]! & 0x80) !== 0) v -= 1n << BigInt(bytes.length * 8);
  return v;
}
