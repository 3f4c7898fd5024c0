import { DateType, Decimal, Struct, TimeType, TimestampType, type Schema } from '@tributary/connect-api';

const rawJSON = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

/**
 * A Connect value as the plain JSON that JsonConverter with schemas.enable=false writes: bytes and
 * (by default) decimals as base64, Date as days, Time and Timestamp as milliseconds, maps with
 * non-string keys as [key, value] pairs. INT64 beyond 2^53 stays exact (raw JSON number).
 */
export function toJsonValue(value: unknown, schema: Schema | null | undefined, decimalNumeric: boolean): unknown {
  if (value === null || value === undefined) return null;
  if (schema) {
    switch (schema.name) {
      case Decimal.LOGICAL_NAME: {
        const text = typeof value === 'string' ? value : String(value);
        return decimalNumeric ? rawJSON(text) : Buffer.from(Decimal.fromText(text, Decimal.scale(schema))).toString('base64');
      }
      case DateType.LOGICAL_NAME: return value instanceof Date ? DateType.fromLogical(value) : value;
      case TimeType.LOGICAL_NAME: return value instanceof Date ? TimeType.fromLogical(value) : value;
      case TimestampType.LOGICAL_NAME: return value instanceof Date ? value.getTime() : value;
    }
    switch (schema.type) {
      case 'STRUCT': {
        const s = value as Struct;
        const out: Record<string, unknown> = {};
        for (const f of schema.fields ?? []) out[f.name] = toJsonValue(s.get(f.name), f.schema, decimalNumeric);
        return out;
      }
      case 'ARRAY': return (value as unknown[]).map((v) => toJsonValue(v, schema.valueSchema, decimalNumeric));
      case 'MAP': return mapToJson(value, schema.keySchema, schema.valueSchema, decimalNumeric);
      default: return primitive(value);
    }
  }
  if (value instanceof Struct) return toJsonValue(value, value.schema, decimalNumeric);
  if (Array.isArray(value)) return value.map((v) => toJsonValue(v, null, decimalNumeric));
  if (value instanceof Map) return mapToJson(value, null, null, decimalNumeric);
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'object' && !(value instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJsonValue(v, null, decimalNumeric);
    return out;
  }
  return primitive(value);
}

/**
 * Whether JSON.stringify writes this schemaless value exactly as {@link toJsonValue} would convert it:
 * only strings, numbers, booleans, null, arrays and plain objects of them (what JSON.parse returns).
 * Checking is much cheaper than the copy toJsonValue makes. Anything else (undefined, bigint, bytes,
 * Date, Map, Struct, class instances) takes the conversion.
 */
export function isPlainJson(value: unknown, depth = 0): boolean {
  switch (typeof value) {
    case 'string': case 'number': case 'boolean': return true;
    case 'object': break;
    default: return false;
  }
  if (value === null) return true;
  if (depth > 64) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i], depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const k in value) if (!isPlainJson((value as Record<string, unknown>)[k], depth + 1)) return false;
  return true;
}

function primitive(value: unknown): unknown {
  if (typeof value === 'bigint') return rawJSON(value.toString());
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (value instanceof Date) return value.getTime();
  return value;
}

function mapToJson(value: unknown, ks: Schema | null | undefined, vs: Schema | null | undefined, num: boolean): unknown {
  const entries: [unknown, unknown][] = value instanceof Map ? [...value.entries()] : Object.entries(value as object);
  if (entries.every(([k]) => typeof k === 'string')) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) out[k as string] = toJsonValue(v, vs, num);
    return out;
  }
  return entries.map(([k, v]) => [toJsonValue(k, ks, num), toJsonValue(v, vs, num)]);
}
