import cassandra from 'cassandra-driver';
import { DataError, Struct } from '@tributary/connect-api';
import { JsonWriter } from '@tributary/connect-converters';

const { types } = cassandra;
const T = types.dataTypes;

/**
 * Objects, arrays and Structs bound to a text column become JSON by the shared codec (Kafka's
 * JsonConverter rules), with decimals as JSON numbers and Dates as epoch milliseconds, which a reader of
 * the text can use as they are.
 */
const JSON_TEXT = new JsonWriter({ decimalNumeric: true, replaceNullWithDefault: true, schemalessDates: 'millis' });

/** A column type as the driver's metadata describes it. */
export interface CqlType {
  readonly code: number;
  readonly info?: unknown;
}

/** The CQL name of a type, e.g. `map<text, int>`, for messages. */
export function typeName(t: CqlType): string {
  try {
    return (types as unknown as { getDataTypeNameByCode(t: CqlType): string }).getDataTypeNameByCode(t);
  } catch {
    return `type 0x${t.code.toString(16)}`;
  }
}

/**
 * Converts one record value (Connect data: JSON-decoded objects, Structs, numbers, strings, bigint,
 * Uint8Array, Date) into what the driver encodes for column type `t`. Strings are parsed into numbers,
 * uuids, dates and so on, as DataStax's codecs do for JSON records. Throws a DataError naming the
 * column when the value does not fit, so one bad record is reported instead of failing a batch.
 */
export function toCql(value: unknown, t: CqlType, column: string): unknown {
  if (value === null || value === undefined) return null;
  const fail = (why?: string): never => {
    throw new DataError(
      `Cannot write ${describe(value)} to column ${column} of type ${typeName(t)}${why ? `: ${why}` : ''}.`,
    );
  };
  if (t.code === T.ascii || t.code === T.text || t.code === T.varchar) {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
    if (value instanceof Date) return value.toISOString();
    if (value instanceof Uint8Array) return fail('bytes are not text');
    return JSON_TEXT.write(value instanceof Struct ? value.schema : null, value);
  }
  if (value instanceof Struct) value = value.toJSON();
  try {
    switch (t.code) {
      case T.int:
      case T.smallint:
      case T.tinyint: {
        const n = integer(value);
        const bits = t.code === T.int ? 32 : t.code === T.smallint ? 16 : 8;
        if (n === null || n < -(2 ** (bits - 1)) || n >= 2 ** (bits - 1)) return fail(`not an integer of ${bits} bits`);
        return n;
      }
      case T.bigint:
      case T.counter: {
        if (typeof value === 'bigint') return types.Long.fromString(value.toString());
        if (typeof value === 'string' && /^[+-]?\d+$/.test(value.trim())) return types.Long.fromString(value.trim());
        const n = integer(value);
        return n === null ? fail('not an integer') : types.Long.fromNumber(n);
      }
      case T.varint:
        if (typeof value === 'bigint') return types.Integer.fromString(value.toString());
        if (
          (typeof value === 'string' && /^[+-]?\d+$/.test(value.trim())) ||
          (typeof value === 'number' && Number.isInteger(value))
        )
          return types.Integer.fromString(String(value).trim());
        return fail('not an integer');
      case T.float:
      case T.double: {
        const n =
          typeof value === 'number'
            ? value
            : typeof value === 'bigint'
              ? Number(value)
              : typeof value === 'string' && value.trim() !== ''
                ? Number(value)
                : NaN;
        return Number.isNaN(n) && value !== 'NaN' ? fail('not a number') : n;
      }
      case T.decimal:
        if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string')
          return types.BigDecimal.fromString(String(value).trim());
        return fail();
      case T.boolean:
        if (typeof value === 'boolean') return value;
        if (value === 'true' || value === 'false') return value === 'true';
        return fail('expected true or false');
      case T.timestamp: {
        const d =
          value instanceof Date
            ? value
            : typeof value === 'number'
              ? new Date(value)
              : typeof value === 'bigint'
                ? new Date(Number(value))
                : typeof value === 'string'
                  ? parseTimestamp(value)
                  : null;
        return d === null || Number.isNaN(d.getTime())
          ? fail('expected epoch milliseconds or an ISO-8601 date-time')
          : d;
      }
      case T.date:
        if (value instanceof Date) return types.LocalDate.fromDate(value);
        if (typeof value === 'number') return types.LocalDate.fromDate(new Date(value * 86_400_000)); // days since epoch, as Connect's Date
        if (typeof value === 'string') return types.LocalDate.fromString(value.trim());
        return fail();
      case T.time:
        if (value instanceof Date) return types.LocalTime.fromMilliseconds(value.getTime() % 86_400_000);
        if (typeof value === 'number') return types.LocalTime.fromMilliseconds(value); // ms since midnight, as Connect's Time
        if (typeof value === 'string') return types.LocalTime.fromString(value.trim());
        return fail();
      case T.uuid:
      case T.timeuuid: {
        if (
          typeof value !== 'string' ||
          !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value.trim())
        )
          return fail('not a UUID');
        if (t.code === T.timeuuid && value.trim()[14] !== '1') return fail('not a version-1 (time-based) UUID');
        return types.Uuid.fromString(value.trim());
      }
      case T.blob:
        if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
        if (typeof value === 'string') return Buffer.from(value, 'base64');
        return fail('expected bytes or base64 text');
      case T.inet:
        if (typeof value === 'string') return types.InetAddress.fromString(value.trim());
        return fail();
      case T.duration:
        if (typeof value === 'string') return types.Duration.fromString(value.trim());
        return fail();
      case T.list:
      case T.set: {
        const items = Array.isArray(value) ? value : value instanceof Set ? [...value] : fail('expected an array');
        return items.map((v, i) => toCql(v, t.info as CqlType, `${column}[${i}]`));
      }
      case T.map: {
        const [kt, vt] = t.info as [CqlType, CqlType];
        const entries =
          value instanceof Map
            ? [...value.entries()]
            : typeof value === 'object' && !Array.isArray(value)
              ? Object.entries(value as object)
              : fail('expected an object or map');
        const out: Record<string, unknown> = {};
        // The driver encodes plain objects as maps; keys go through their own type (a string key of an int map).
        const m = new Map<unknown, unknown>();
        for (const [k, v] of entries) m.set(toCql(k, kt, `${column} key`), toCql(v, vt, `${column}.${String(k)}`));
        for (const [k, v] of m) if (typeof k === 'string') out[k] = v;
        return Object.keys(out).length === m.size ? out : m;
      }
      default:
        // UDTs, tuples, vectors and custom types: hand the value to the driver's own encoder.
        return value;
    }
  } catch (e) {
    if (e instanceof DataError) throw e;
    return fail((e as Error).message);
  }
}

function integer(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null;
  if (typeof value === 'bigint')
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : null;
  if (typeof value === 'string' && /^[+-]?\d+$/.test(value.trim())) {
    const n = Number(value.trim());
    return Number.isSafeInteger(n) ? n : null;
  }
  return null;
}

function parseTimestamp(s: string): Date | null {
  const t = s.trim();
  if (/^[+-]?\d+$/.test(t)) return new Date(Number(t));
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? null : d;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  return `a ${typeof v}`;
}
