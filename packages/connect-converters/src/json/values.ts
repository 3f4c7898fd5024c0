import { DataError, Struct } from '@tributary/connect-api';

/**
 * A JSON number kept as its source text because a double would lose digits (long decimals read with
 * decimal.format=NUMERIC or into FLOAT64 beyond 17 digits).
 */
export class ExactNumber {
  constructor(readonly text: string) {}
}

/** A short name of a value's kind for error messages, in the spirit of Java's class names. */
export function nodeTypeOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof Uint8Array) return 'Uint8Array';
  if (v instanceof Struct) return 'Struct';
  if (v instanceof Date) return 'Date';
  if (v instanceof Map) return 'Map';
  if (Array.isArray(v)) return 'Array';
  return typeof v === 'object' ? 'Object' : typeof v;
}

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * The unscaled integer of a decimal value at `scale`. Accepts the SDK's decimal text and, leniently,
 * numbers and bigints. Digits beyond the scale are refused rather than rounded, as Kafka refuses a
 * BigDecimal whose scale differs from the schema's.
 */
export function decimalUnscaled(v: unknown, scale: number): bigint {
  const text = typeof v === 'string' ? v.trim() : typeof v === 'bigint' ? v.toString() : typeof v === 'number' && Number.isFinite(v) ? String(v) : v instanceof ExactNumber ? v.text : null;
  if (text === null) throw new DataError(`Invalid type for Decimal, expected BigDecimal but was ${nodeTypeOf(v)}`);
  const m = DECIMAL_TEXT.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new DataError(`Invalid type for Decimal, not a decimal number: ${text}`);
  const intPart = m[2] ?? '';
  let digits = intPart + (m[3] ?? '');
  const frac = digits.length - (intPart.length + Number(m[4] ?? 0));
  if (frac < scale) digits += '0'.repeat(scale - frac);
  else if (frac > scale) {
    const cut = digits.slice(digits.length - (frac - scale));
    if (/[1-9]/.test(cut)) throw new DataError('BigDecimal has mismatching scale value for given Decimal schema');
    digits = digits.slice(0, digits.length - (frac - scale));
  }
  const n = BigInt(digits === '' ? '0' : digits);
  return m[1] === '-' ? -n : n;
}

/** Minimal big-endian two's complement, as Java's `BigInteger.toByteArray()`. */
export function bigintToBytes(v: bigint): Uint8Array {
  const out: number[] = [];
  let x = v;
  for (;;) {
    const byte = Number(x & 0xffn);
    out.push(byte);
    x >>= 8n;
    const signBit = (byte & 0x80) !== 0;
    if ((x === 0n && !signBit) || (x === -1n && signBit)) break;
  }
  return Uint8Array.from(out.reverse());
}

export function bytesToBigint(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  if ((bytes[0]! & 0x80) !== 0) v -= 1n << BigInt(bytes.length * 8);
  return v;
}

/** Decimal text of an unscaled value at `scale`, keeping every digit of the scale ("12.30"). */
export function decimalText(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  let s = (neg ? -unscaled : unscaled).toString();
  if (scale > 0) {
    s = s.padStart(scale + 1, '0');
    s = `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`;
  } else if (scale < 0) {
    s += '0'.repeat(-scale);
  }
  return neg ? `-${s}` : s;
}
