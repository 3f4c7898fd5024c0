import {
  DateType,
  Decimal,
  SchemaBuilder,
  Schemas,
  TimeType,
  TimestampType,
  type Schema,
  type SchemaAndValue,
} from '@tributary/connect-api';

/**
 * The bits of Java's text forms the transforms need: `Double.toString`/`Float.toString` (Cast to
 * string) and Kafka's `Values` (InsertHeader's literal parsing, Date text). The converters package has
 * the byte-exact originals; these are kept small because transforms depend on the SDK only.
 */

export function javaDouble(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(x);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(x);
    return s.includes('.') ? s : `${s}.0`;
  }
  return scientific(x.toExponential());
}

export function javaFloat(value: number): string {
  const x = Math.fround(value);
  if (!Number.isFinite(x) || x === 0) return javaDouble(x);
  let text = x.toExponential(8);
  for (let p = 0; p < 9; p++) {
    const candidate = x.toExponential(p);
    if (Math.fround(Number(candidate)) === x) {
      text = candidate;
      break;
    }
  }
  const abs = Math.abs(x);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(Number(text));
    return s.includes('.') ? s : `${s}.0`;
  }
  return scientific(text);
}

function scientific(expText: string): string {
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(expText)!;
  const frac = (m[3] ?? '').replace(/0+$/, '') || '0';
  return `${m[1]}${m[2]}.${frac}E${Number(m[4])}`;
}

/** Kafka's `Values.dateFormatFor`: a date, a time or a timestamp, by which part of the instant is zero. */
export function formatDateValue(d: Date, schema?: Schema | null): string {
  const iso = d.toISOString();
  const ms = d.getTime();
  const name = schema?.name;
  if (
    name === DateType.LOGICAL_NAME ||
    (name !== TimeType.LOGICAL_NAME && name !== TimestampType.LOGICAL_NAME && ms % 86_400_000 === 0)
  )
    return iso.slice(0, 10);
  if (name === TimeType.LOGICAL_NAME || (name !== TimestampType.LOGICAL_NAME && ms >= 0 && ms < 86_400_000))
    return iso.slice(11);
  return iso;
}

const NUMBER = /^([+-]?)(\d*)\.?(\d*)(?:[eE]([+-]?\d+))?$/;

/**
 * Kafka's `Values.parseString` for literals: null, booleans, the narrowest number type, dates, JSON-ish containers,
 * else text.
 */
export function parseLiteral(text: string): SchemaAndValue {
  if (text === '') return { schema: Schemas.STRING, value: '' };
  if (text === 'null') return { schema: null, value: null };
  if (text === 'true' || text === 'false') return { schema: Schemas.BOOLEAN, value: text === 'true' };
  const num = NUMBER.exec(text);
  if (num && /\d/.test(text)) return parseNumber(text, num);
  if (text[0] === '[' || text[0] === '{') {
    try {
      return infer(JSON.parse(text));
    } catch {
      // not a container after all: falls through to text
    }
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return { schema: DateType.SCHEMA, value: new Date(`${text}T00:00:00Z`) };
  if (/^\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(text))
    return { schema: TimeType.SCHEMA, value: new Date(`1970-01-01T${text}`) };
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(text))
    return { schema: TimestampType.SCHEMA, value: new Date(text) };
  return { schema: Schemas.STRING, value: text };
}

function parseNumber(text: string, m: RegExpExecArray): SchemaAndValue {
  const digits = (m[2] ?? '') + (m[3] ?? '') || '0';
  const scale = (m[3] ?? '').length - Number(m[4] ?? 0);
  let whole: bigint | null = null;
  if (scale <= 0) whole = BigInt(digits) * 10n ** BigInt(-scale);
  else if (!/[1-9]/.test(digits.slice(-scale))) whole = BigInt(digits.slice(0, -scale) || '0');
  if (whole !== null && m[1] === '-') whole = -whole;
  if (whole !== null && whole >= -(2n ** 63n) && whole < 2n ** 63n) {
    const n = Number(whole);
    if (whole >= -128n && whole <= 127n) return { schema: Schemas.INT8, value: n };
    if (whole >= -32768n && whole <= 32767n) return { schema: Schemas.INT16, value: n };
    if (whole >= -(2n ** 31n) && whole < 2n ** 31n) return { schema: Schemas.INT32, value: n };
    return { schema: Schemas.INT64, value: Number.isSafeInteger(n) ? n : whole };
  }
  const x = Number(text);
  if (scale !== 0 && Number.isFinite(Math.fround(x))) return { schema: Schemas.FLOAT32, value: x };
  if (scale !== 0 && Number.isFinite(x)) return { schema: Schemas.FLOAT64, value: x };
  return { schema: Decimal.schema(scale), value: text };
}

function infer(node: unknown): SchemaAndValue {
  if (node === null) return { schema: null, value: null };
  if (typeof node === 'number') return parseLiteral(String(node));
  if (typeof node === 'string') return { schema: Schemas.STRING, value: node };
  if (typeof node === 'boolean') return { schema: Schemas.BOOLEAN, value: node };
  const parts = Array.isArray(node) ? node.map(infer) : Object.values(node as object).map(infer);
  const types = new Set(parts.filter((p) => p.schema !== null).map((p) => `${p.schema!.type}/${p.schema!.name ?? ''}`));
  const common = types.size === 1 ? parts.find((p) => p.schema !== null)!.schema : null;
  if (Array.isArray(node)) {
    return {
      schema: common ? SchemaBuilder.array(common).build() : new SchemaBuilder('ARRAY').build(),
      value: parts.map((p) => p.value),
    };
  }
  const keys = Object.keys(node as object);
  return {
    schema: common ? SchemaBuilder.map(Schemas.STRING, common).build() : new SchemaBuilder('MAP').build(),
    value: new Map(keys.map((k, i) => [k, parts[i]!.value])),
  };
}
