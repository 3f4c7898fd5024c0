import { DataError, DateType, Decimal, Struct, TimeType, TimestampType, type Schema } from '@tributary/connect-api';
import type { DateParser } from './date-formats.js';

/** Turns one cell's text into the value its field schema wants; throws a DataError saying why not. */
export type CellParser = (text: string) => unknown;

const INT_RE = /^[+-]?\d+$/;
const RANGES: Record<string, [number, number]> = {
  INT8: [-128, 127],
  INT16: [-32768, 32767],
  INT32: [-(2 ** 31), 2 ** 31 - 1],
};
const INT64_MIN = -(2n ** 63n),
  INT64_MAX = 2n ** 63n - 1n;

/**
 * Compiles the parser of one field once, so the per-row path is a plain function call. Empty text is
 * null for optional non-string fields (as connect-utils' parsers do) and an error for required ones.
 */
export function cellParser(schema: Schema, dates: DateParser): CellParser {
  const parse = typedParser(schema, dates);
  if (schema.type === 'STRING' && !schema.name) return parse;
  return (text) => {
    if (text === '') {
      if (schema.optional || schema.defaultValue !== undefined) return null;
      throw new DataError(`empty value for required ${describe(schema)} field`);
    }
    return parse(text);
  };
}

function typedParser(schema: Schema, dates: DateParser): CellParser {
  switch (schema.name) {
    case Decimal.LOGICAL_NAME: {
      const scale = Decimal.scale(schema);
      return (t) => {
        try {
          return Decimal.format(Decimal.unscaled(t, scale), scale);
        } catch (e) {
          throw new DataError(`"${t}" does not fit scale ${scale} of the Decimal field: ${(e as Error).message}`);
        }
      };
    }
    case TimestampType.LOGICAL_NAME:
      return (t) => new Date(dateOrThrow(dates, t, 'Timestamp'));
    case DateType.LOGICAL_NAME:
      return (t) => {
        const ms = dateOrThrow(dates, t, 'Date');
        return new Date(ms - (((ms % 86_400_000) + 86_400_000) % 86_400_000));
      };
    case TimeType.LOGICAL_NAME:
      return (t) => new Date(((dateOrThrow(dates, t, 'Time') % 86_400_000) + 86_400_000) % 86_400_000);
  }
  switch (schema.type) {
    case 'STRING':
      return (t) => t;
    case 'INT8':
    case 'INT16':
    case 'INT32': {
      const [lo, hi] = RANGES[schema.type]!;
      return (t) => {
        const s = t.trim();
        const n = INT_RE.test(s) ? Number(s) : NaN;
        if (!(n >= lo && n <= hi))
          throw new DataError(`"${t}" is not an ${schema.type} (whole number from ${lo} to ${hi})`);
        return n;
      };
    }
    case 'INT64':
      return (t) => {
        const s = t.trim();
        if (!INT_RE.test(s)) throw new DataError(`"${t}" is not an INT64 (whole number)`);
        const n = Number(s);
        if (Number.isSafeInteger(n)) return n;
        const b = BigInt(s);
        if (b < INT64_MIN || b > INT64_MAX) throw new DataError(`"${t}" is out of the INT64 range`);
        return b;
      };
    case 'FLOAT32':
    case 'FLOAT64':
      return (t) => {
        const s = t.trim();
        const n = s === '' ? NaN : Number(s);
        if (Number.isNaN(n) && !/^nan$/i.test(s)) throw new DataError(`"${t}" is not a ${schema.type} number`);
        return n;
      };
    case 'BOOLEAN':
      return (t) => {
        const s = t.trim().toLowerCase();
        if (s === 'true') return true;
        if (s === 'false') return false;
        throw new DataError(`"${t}" is not a BOOLEAN (true or false)`);
      };
    case 'BYTES':
      return (t) => {
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t.trim())) throw new DataError(`"${t}" is not base64 BYTES`);
        return new Uint8Array(Buffer.from(t.trim(), 'base64'));
      };
    default:
      return () => {
        throw new DataError(`${schema.type} fields cannot be read from text columns; use the JSON connector`);
      };
  }
}

function dateOrThrow(dates: DateParser, text: string, what: string): number {
  const ms = dates.parse(text.trim());
  if (ms === undefined)
    throw new DataError(
      `"${text}" does not match any of parser.timestamp.date.formats (${dates.formats.join(' | ')}) for a ${what}`,
    );
  return ms;
}

function describe(schema: Schema): string {
  return schema.name ? schema.name.replace(/^org\.apache\.kafka\.connect\.data\./, '') : schema.type;
}

/**
 * Converts one parsed JSON value to a Connect value of `schema` (JSON connector). Strings are
 * accepted wherever text parsing applies (dates, decimals, numbers in quotes).
 */
export function fromJsonValue(schema: Schema, v: unknown, dates: DateParser, path: string): unknown {
  if (v === null || v === undefined) {
    if (schema.optional || schema.defaultValue !== undefined) return null;
    throw new DataError(`"${path}" is missing or null but its schema is required`);
  }
  try {
    if (typeof v === 'string') {
      if (schema.type === 'STRING' && !schema.name) return v;
      return cellParser(schema, dates)(v);
    }
    switch (schema.type) {
      case 'STRUCT': {
        if (typeof v !== 'object' || Array.isArray(v)) throw new DataError('expected an object');
        const s = new Struct(schema);
        for (const f of schema.fields!)
          s.put(f.name, fromJsonValue(f.schema, (v as Record<string, unknown>)[f.name], dates, `${path}.${f.name}`));
        return s;
      }
      case 'ARRAY':
        if (!Array.isArray(v)) throw new DataError('expected an array');
        return v.map((x, i) => fromJsonValue(schema.valueSchema!, x, dates, `${path}[${i}]`));
      case 'MAP': {
        if (typeof v !== 'object' || Array.isArray(v)) throw new DataError('expected an object');
        return new Map(
          Object.entries(v as object).map(([k, x]) => [
            k,
            fromJsonValue(schema.valueSchema!, x, dates, `${path}.${k}`),
          ]),
        );
      }
      case 'BOOLEAN':
        if (typeof v !== 'boolean') throw new DataError('expected true or false');
        return v;
      case 'STRING':
        return typeof v === 'object' ? JSON.stringify(v) : String(v);
      default:
        if (typeof v !== 'number' && typeof v !== 'boolean') throw new DataError(`expected a ${schema.type} value`);
        return cellParser(schema, dates)(String(v));
    }
  } catch (e) {
    if (e instanceof DataError && e.message.startsWith('"')) throw e;
    throw new DataError(`"${path}": ${(e as Error).message}`);
  }
}
