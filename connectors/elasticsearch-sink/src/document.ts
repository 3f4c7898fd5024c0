import { DataError, Struct, type Schema } from '@tributary/connect-api';

const DECIMAL = 'org.apache.kafka.connect.data.Decimal';
const DATE = 'org.apache.kafka.connect.data.Date';
const TIME = 'org.apache.kafka.connect.data.Time';
const TIMESTAMP = 'org.apache.kafka.connect.data.Timestamp';
const DAY_MS = 86_400_000;

/**
 * Turns a Connect value into the JSON text of an Elasticsearch document, in the shape Confluent's
 * connector writes (its JsonConverter with schemas off), with these choices:
 * - Timestamp → epoch milliseconds and Time → milliseconds of the day (as Confluent; both read by a
 *   `date` field's default `epoch_millis` format); Date → `yyyy-MM-dd` text, because the days-since-
 *   epoch number Confluent writes is read by a `date` field as milliseconds (1970-01-01).
 * - Decimal → a JSON number with every digit of the decimal text (Confluent: a double; with
 *   schema.ignore, base64 bytes).
 * - INT64 bigints → exact JSON numbers; BYTES → base64 (what a `binary` field takes).
 * - Maps with string keys → objects when `compact`, otherwise (and for other keys) an array of
 *   `{"key","value"}` objects.
 * Schemaless values (plain objects, arrays) take the same rules by their JavaScript type.
 */
export function documentJson(schema: Schema | null | undefined, value: unknown, compact: boolean): string {
  return schema ? withSchema(schema, value, compact) : schemaless(value, compact);
}

function withSchema(schema: Schema, value: unknown, compact: boolean): string {
  if (value === null || value === undefined) return 'null';
  switch (schema.name) {
    case DECIMAL: return decimalJson(value);
    case TIMESTAMP: return value instanceof Date ? String(value.getTime()) : scalar(value);
    case TIME: return value instanceof Date ? String(((value.getTime() % DAY_MS) + DAY_MS) % DAY_MS) : scalar(value);
    case DATE: return value instanceof Date ? JSON.stringify(value.toISOString().slice(0, 10)) : scalar(value);
  }
  switch (schema.type) {
    case 'STRUCT': {
      if (!(value instanceof Struct)) return schemaless(value, compact);
      let out = '{';
      let first = true;
      for (const f of schema.fields ?? []) {
        out += `${first ? '' : ','}${JSON.stringify(f.name)}:${withSchema(f.schema, value.get(f.name), compact)}`;
        first = false;
      }
      return out + '}';
    }
    case 'ARRAY': {
      if (!Array.isArray(value)) return schemaless(value, compact);
      const item = schema.valueSchema;
      return `[${value.map((v) => (item ? withSchema(item, v, compact) : schemaless(v, compact))).join(',')}]`;
    }
    case 'MAP': {
      const entries = value instanceof Map ? [...value.entries()] : Object.entries(value as object);
      const ks = schema.keySchema, vs = schema.valueSchema;
      const val = (v: unknown) => (vs ? withSchema(vs, v, compact) : schemaless(v, compact));
      if (compact && (ks?.type === 'STRING' || entries.every(([k]) => typeof k === 'string'))) {
        return `{${entries.map(([k, v]) => `${JSON.stringify(String(k))}:${val(v)}`).join(',')}}`;
      }
      const key = (k: unknown) => (ks ? withSchema(ks, k, compact) : schemaless(k, compact));
      return `[${entries.map(([k, v]) => `{"key":${key(k)},"value":${val(v)}}`).join(',')}]`;
    }
    default:
      return scalar(value);
  }
}

function schemaless(value: unknown, compact: boolean): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value !== 'object') return scalar(value);
  if (value instanceof Struct) return withSchema(value.schema, value, compact);
  if (Array.isArray(value)) return `[${value.map((v) => schemaless(v, compact)).join(',')}]`;
  if (value instanceof Date) return String(value.getTime());
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'));
  if (value instanceof Map) {
    const entries = [...value.entries()];
    if (compact && entries.every(([k]) => typeof k === 'string')) {
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${schemaless(v, compact)}`).join(',')}}`;
    }
    return `[${entries.map(([k, v]) => `{"key":${schemaless(k, compact)},"value":${schemaless(v, compact)}}`).join(',')}]`;
  }
  // A plain object: most values of schemaless JSON are flat objects of primitives, which the
  // native serializer writes far faster than this walk; take that road when nothing needs care.
  const obj = value as Record<string, unknown>;
  let simple = true;
  for (const k in obj) {
    const v = obj[k];
    if ((typeof v === 'object' && v !== null) || typeof v === 'bigint' || (typeof v === 'number' && !Number.isFinite(v))) { simple = false; break; }
  }
  if (simple) return JSON.stringify(obj);
  let out = '{';
  let first = true;
  for (const k in obj) {
    if (obj[k] === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${schemaless(obj[k], compact)}`;
    first = false;
  }
  return out + '}';
}

function scalar(value: unknown): string {
  switch (typeof value) {
    case 'string': return JSON.stringify(value);
    case 'number': return Number.isFinite(value) ? String(value) : JSON.stringify(String(value));
    case 'bigint': return value.toString();
    case 'boolean': return value ? 'true' : 'false';
    default:
      if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'));
      if (value instanceof Date) return String(value.getTime());
      return schemaless(value, true);
  }
}

const DECIMAL_TEXT = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

function decimalJson(value: unknown): string {
  const text = typeof value === 'string' ? value.trim() : typeof value === 'number' || typeof value === 'bigint' ? String(value) : null;
  if (text === null || !DECIMAL_TEXT.test(text.replace(/^\+/, ''))) throw new DataError(`Decimal value ${String(value)} is not a decimal number`);
  return text.replace(/^\+/, '');
}
