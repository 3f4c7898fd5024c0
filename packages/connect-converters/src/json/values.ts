import { DataError, Decimal, Struct } from '@tributary/connect-api';

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

/**
 * The unscaled integer of a decimal value at `scale`. Accepts the SDK's decimal text and, leniently,
 * numbers and bigints. Digits beyond the scale are refused rather than rounded, as Kafka refuses a
 * BigDecimal whose scale differs from the schema's.
 */
export function decimalUnscaled(v: unknown, scale: number): bigint {
  const text =
    typeof v === 'string'
      ? v.trim()
      : typeof v === 'bigint'
        ? v.toString()
        : typeof v === 'number' && Number.isFinite(v)
          ? String(v)
          : v instanceof ExactNumber
            ? v.text
            : null;
  if (text === null) throw new DataError(`Invalid type for Decimal, expected BigDecimal but was ${nodeTypeOf(v)}`);
  return Decimal.unscaled(text, scale);
}
