import {
  DataError,
  DateType,
  Decimal,
  SchemaBuilder,
  Schemas,
  Struct,
  TimeType,
  TimestampType,
  type Schema,
  type SchemaAndValue,
} from '@tributary/connect-api';
import { javaDouble, javaFloat, toBase64 } from './json/java-text.js';

/**
 * Kafka's `Values.convertToString` and `Values.parseString`, the text forms SimpleHeaderConverter uses:
 * values are written as plain text (strings bare, containers JSON-like), and text is read back as the
 * narrowest type it looks like, as Kafka infers it.
 */

export function valueToString(schema: Schema | null | undefined, value: unknown, embedded = false): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return embedded ? `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : value;
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'number') {
    if (schema?.type === 'FLOAT64') return javaDouble(value);
    if (schema?.type === 'FLOAT32') return javaFloat(value);
    return Number.isInteger(value) || !Number.isFinite(value) ? String(value) : javaDouble(value);
  }
  if (value instanceof Uint8Array) return embedded ? `"${toBase64(value)}"` : toBase64(value);
  if (value instanceof Date) return formatDate(schema, value);
  if (Array.isArray(value)) return `[${value.map((v) => valueToString(schema?.valueSchema, v, true)).join(',')}]`;
  if (value instanceof Struct) {
    const parts = value.schema.fields!.map(
      (f) => `${valueToString(null, f.name, true)}:${valueToString(f.schema, value.get(f.name), true)}`,
    );
    return `{${parts.join(',')}}`;
  }
  if (value instanceof Map || typeof value === 'object') {
    const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
    const parts = entries.map(
      ([k, v]) => `${valueToString(schema?.keySchema, k, true)}:${valueToString(schema?.valueSchema, v, true)}`,
    );
    return `{${parts.join(',')}}`;
  }
  throw new DataError(`Unable to convert ${String(value)} to string`);
}

/** Kafka picks the form from the logical type, or (schemaless) from whether the date or time part is zero. */
function formatDate(schema: Schema | null | undefined, d: Date): string {
  const iso = d.toISOString();
  const name = schema?.name;
  const ms = d.getTime();
  if (name === DateType.LOGICAL_NAME || (name === undefined && ms % 86_400_000 === 0)) return iso.slice(0, 10);
  if (name === TimeType.LOGICAL_NAME || (name === undefined && ms >= 0 && ms < 86_400_000)) return iso.slice(11);
  return iso;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function parseString(text: string): SchemaAndValue {
  if (text === '') return { schema: Schemas.STRING, value: '' };
  if (text === 'null') return { schema: null, value: null };
  if (text === 'true' || text === 'false') return { schema: Schemas.BOOLEAN, value: text === 'true' };
  if (NUMBER.test(text)) return parseNumber(text);
  const first = text[0];
  if (first === '[' || first === '{') {
    const parsed = parseContainer(text);
    if (parsed) return parsed;
  }
  if (DATE.test(text)) return logicalDate(DateType.SCHEMA, `${text}T00:00:00.000Z`, text);
  if (TIME.test(text)) return logicalDate(TimeType.SCHEMA, `1970-01-01T${text}`, text);
  if (TIMESTAMP.test(text)) return logicalDate(TimestampType.SCHEMA, text, text);
  return { schema: Schemas.STRING, value: text };
}

function logicalDate(schema: Schema, iso: string, text: string): SchemaAndValue {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? { schema: Schemas.STRING, value: text } : { schema, value: d };
}

/**
 * Kafka's order: a whole number ("1.0" and "1e3" included) within a long takes the narrowest integer
 * type; otherwise a number written with a non-zero scale is float32 if that is finite, else float64;
 * what is left (a whole number beyond a long) is a Decimal.
 */
function parseNumber(text: string): SchemaAndValue {
  const m = /^([+-]?)(\d*)\.?(\d*)(?:[eE]([+-]?\d+))?$/.exec(text)!;
  const neg = m[1] === '-';
  const digits = ((m[2] ?? '') + (m[3] ?? '')).replace(/^0+(?=\d)/, '') || '0';
  const scale = (m[3] ?? '').length - Number(m[4] ?? 0);
  const whole = wholeValue(neg, digits, scale);
  if (whole !== null && whole >= -(2n ** 63n) && whole < 2n ** 63n) {
    if (whole >= -128n && whole <= 127n) return { schema: Schemas.INT8, value: Number(whole) };
    if (whole >= -32768n && whole <= 32767n) return { schema: Schemas.INT16, value: Number(whole) };
    if (whole >= -(2n ** 31n) && whole < 2n ** 31n) return { schema: Schemas.INT32, value: Number(whole) };
    return { schema: Schemas.INT64, value: Number.isSafeInteger(Number(whole)) ? Number(whole) : whole };
  }
  const x = Number(text);
  if (scale !== 0 && Number.isFinite(Math.fround(x))) return { schema: Schemas.FLOAT32, value: x };
  if (scale !== 0 && Number.isFinite(x)) return { schema: Schemas.FLOAT64, value: x };
  return { schema: Decimal.schema(scale), value: whole !== null && scale === 0 ? whole.toString() : text };
}

function wholeValue(neg: boolean, digits: string, scale: number): bigint | null {
  let d = digits;
  if (scale > 0) {
    const frac = d.slice(Math.max(0, d.length - scale));
    if (/[1-9]/.test(frac)) return null;
    d = d.slice(0, Math.max(0, d.length - scale)) || '0';
  }
  const n = BigInt(d) * 10n ** BigInt(Math.max(0, -scale));
  return neg ? -n : n;
}

/** JSON-like arrays and maps; anything that does not parse stays a string, as in Kafka. */
function parseContainer(text: string): SchemaAndValue | undefined {
  let node: unknown;
  try {
    node = (JSON.parse as (t: string, r: (k: string, v: unknown, c: { source?: string }) => unknown) => unknown)(
      text,
      (_k, v, c) => (typeof v === 'number' && c.source !== undefined ? new NumberText(c.source) : v),
    );
  } catch {
    return undefined;
  }
  return infer(node);
}

class NumberText {
  constructor(readonly text: string) {}
}

function infer(node: unknown): SchemaAndValue {
  if (node === null) return { schema: null, value: null };
  if (node instanceof NumberText) return parseNumber(node.text);
  if (typeof node === 'string') return { schema: Schemas.STRING, value: node };
  if (typeof node === 'boolean') return { schema: Schemas.BOOLEAN, value: node };
  if (Array.isArray(node)) {
    const items = node.map(infer);
    const common = commonSchema(items.map((i) => i.schema));
    return {
      schema: common ? SchemaBuilder.array(common).build() : new SchemaBuilder('ARRAY').build(),
      value: items.map((i) => i.value),
    };
  }
  const entries = Object.entries(node as object).map(([k, v]) => [k, infer(v)] as const);
  const common = commonSchema(entries.map(([, v]) => v.schema));
  const schema = common ? SchemaBuilder.map(Schemas.STRING, common).build() : new SchemaBuilder('MAP').build();
  return { schema, value: new Map(entries.map(([k, v]) => [k, v.value])) };
}

/** One schema when every non-null element has the same type and name, as Kafka's detector requires. */
function commonSchema(schemas: (Schema | null)[]): Schema | null {
  let common: Schema | null = null;
  for (const s of schemas) {
    if (s === null) continue;
    if (common === null) common = s;
    else if (common.type !== s.type || common.name !== s.name || common.type === 'ARRAY' || common.type === 'MAP')
      return null;
  }
  return common;
}
