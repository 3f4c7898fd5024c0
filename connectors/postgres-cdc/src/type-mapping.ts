import { Decimal, DataError, SchemaBuilder, Struct, type Schema } from '@tributary/connect-api';

/**
 * Debezium's PostgreSQL type mapping (PostgresValueConverter), from text values. pgoutput sends every
 * value as text and the snapshot reads with text parsers too, so one converter serves both and the
 * `pg` module's global type parsers never touch a value.
 */

export type DecimalMode = 'precise' | 'double' | 'string';
export type TimeMode = 'adaptive' | 'adaptive_time_microseconds' | 'connect';

export interface MappingOptions {
  readonly decimalMode: DecimalMode;
  readonly timeMode: TimeMode;
}

/** What the catalog says about a type that is not built in (enums, arrays of them, domains). */
export interface TypeInfo {
  readonly oid: number;
  readonly name: string;
  /** pg_type.typtype: b base, e enum, d domain, r range, c composite. */
  readonly kind: string;
  /** Element type for arrays (0 otherwise). */
  readonly elementOid: number;
  /** Base type for domains (0 otherwise). */
  readonly baseOid: number;
  readonly enumLabels?: readonly string[];
}

/** A column ready to convert: its Connect schema and a text → Connect value function. */
export interface ColumnMapping {
  readonly name: string;
  readonly schema: Schema;
  readonly convert: (text: string) => unknown;
}

// Built-in type OIDs (pg_type.h).
export const OID = {
  bool: 16, bytea: 17, char: 18, name: 19, int8: 20, int2: 21, int4: 23, text: 25, oid: 26, json: 114, xml: 142,
  point: 600, float4: 700, float8: 701, money: 790, macaddr: 829, inet: 869, cidr: 650, bpchar: 1042, varchar: 1043,
  date: 1082, time: 1083, timestamp: 1114, timestamptz: 1184, interval: 1186, timetz: 1266, bit: 1560, varbit: 1562,
  numeric: 1700, uuid: 2950, jsonb: 3802, citext: -1,
} as const;

const STRING_OIDS = new Set<number>([OID.char, OID.name, OID.text, OID.bpchar, OID.varchar, OID.macaddr, OID.inet, OID.cidr,
  3904, 3906, 3908, 3910, 3912, 3926, 774 /* macaddr8 */, 1033 /* aclitem */]);

/** Built-in array type OID → element OID. Arrays of other types are resolved through the catalog. */
export const ARRAY_ELEMENT: Readonly<Record<number, number>> = {
  1000: OID.bool, 1001: OID.bytea, 1005: OID.int2, 1007: OID.int4, 1016: OID.int8, 1009: OID.text, 1014: OID.bpchar,
  1015: OID.varchar, 1021: OID.float4, 1022: OID.float8, 1231: OID.numeric, 2951: OID.uuid, 199: OID.json, 3807: OID.jsonb,
  1182: OID.date, 1183: OID.time, 1115: OID.timestamp, 1185: OID.timestamptz, 1187: OID.interval, 1270: OID.timetz,
  1041: OID.inet, 651: OID.cidr, 1028: OID.oid,
};

/**
 * The mapping of one column, or null when Debezium would drop it (unknown type, as with
 * `include.unknown.datatypes=false`). `lookup` returns catalog information for non-built-in OIDs.
 */
export function mapColumn(name: string, typeOid: number, typeMod: number, optional: boolean, opts: MappingOptions,
  lookup: (oid: number) => TypeInfo | undefined, defaultExpr: string | null = null): ColumnMapping | null {
  const m = scalar(typeOid, typeMod, opts, lookup);
  if (m) {
    // Column defaults go into the schema as Debezium puts them (never for struct-valued types here); the
    // default also stands in for a NOT NULL column PostgreSQL did not send (a delete's `before`).
    const dflt = defaultExpr === null || m.struct ? undefined : defaultValue(typeOid, defaultExpr, m.convert);
    const schema = withOptional(dflt === undefined ? m.builder : m.builder.defaultValue(dflt), optional);
    return { name, schema, convert: m.struct ? structOf(schema, m.convert) : m.convert };
  }
  const elementOid = ARRAY_ELEMENT[typeOid] ?? lookup(typeOid)?.elementOid ?? 0;
  if (elementOid) {
    const el = scalar(elementOid, -1, opts, lookup);
    if (!el) return null;
    const elSchema = el.builder.optional().build();
    const elConvert = elSchema.type === 'STRUCT' ? structOf(elSchema, el.convert) : el.convert;
    const b = SchemaBuilder.array(elSchema);
    return { name, schema: withOptional(b, optional), convert: (t) => parseArray(t).map((v) => (v === null ? null : elConvert(v))) };
  }
  return null;
}

/**
 * A column default as Debezium's PostgresDefaultValueConverter reads it from the catalog text
 * (`pg_get_expr(adbin)`): only literals of these types, some only in their bare form (int4, numeric),
 * others also as `'literal'::type`. Anything else (functions, casts it cannot parse, other types) has
 * no default in the schema.
 */
function defaultValue(oid: number, expr: string, convert: (t: string) => unknown): unknown {
  const quoted = (v: string) => (v.includes("'") ? /'(.*?)'/.exec(v)?.[1] ?? '' : v);
  const integer = (t: string) => (/^[+-]?\d+$/.test(t) ? convert(t.replace(/^\+/, '')) : undefined);
  const float = (t: string) => (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(NaN|Infinity)$/.test(t) ? convert(t) : undefined);
  switch (oid) {
    case OID.bool: return quoted(expr).toLowerCase() === 'true';
    case OID.bpchar: case OID.varchar: case OID.text: case OID.json: case OID.jsonb: case OID.xml: return convert(quoted(expr));
    case OID.bit: case OID.varbit: return convert(quoted(expr));
    case OID.int2: case OID.int8: return integer(quoted(expr));
    case OID.int4: return integer(expr);
    case OID.numeric: return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(expr) ? convert(expr) : undefined;
    case OID.float4: case OID.float8: return float(quoted(expr));
    default: return undefined;
  }
}

/** Struct-valued types convert to a plain object first; the Struct must carry the column's final schema. */
function structOf(schema: Schema, convert: (t: string) => unknown): (t: string) => unknown {
  return (t) => {
    const o = convert(t) as Record<string, unknown>;
    const s = new Struct(schema);
    for (const [k, v] of Object.entries(o)) s.put(k, v);
    return s;
  };
}

function withOptional(b: SchemaBuilder, optional: boolean): Schema {
  return (optional ? b.optional() : b).build();
}

interface Scalar { builder: SchemaBuilder; convert: (text: string) => unknown; struct?: boolean }

function scalar(oid: number, typeMod: number, opts: MappingOptions, lookup: (oid: number) => TypeInfo | undefined): Scalar | null {
  const str = (name?: string): Scalar => ({ builder: name ? SchemaBuilder.string().name(name).version(1) : SchemaBuilder.string(), convert: (t) => t });
  switch (oid) {
    case OID.bool: return { builder: SchemaBuilder.bool(), convert: (t) => t === 't' || t === 'true' };
    case OID.int2: return { builder: SchemaBuilder.int16(), convert: Number };
    case OID.int4: return { builder: SchemaBuilder.int32(), convert: Number };
    case OID.int8: case OID.oid: return { builder: SchemaBuilder.int64(), convert: toInt64 };
    case OID.float4: return { builder: SchemaBuilder.float32(), convert: toFloat };
    case OID.float8: return { builder: SchemaBuilder.float64(), convert: toFloat };
    case OID.numeric: return numeric(typeMod, opts);
    case OID.money:
      if (opts.decimalMode === 'double') return { builder: SchemaBuilder.float64(), convert: (t) => Number(moneyText(t)) };
      if (opts.decimalMode === 'string') return { builder: SchemaBuilder.string(), convert: moneyText };
      return { builder: Decimal.builder(2), convert: (t) => fixScale(moneyText(t), 2) };
    case OID.uuid: return str('io.debezium.data.Uuid');
    case OID.json: case OID.jsonb: return str('io.debezium.data.Json');
    case OID.xml: return str('io.debezium.data.Xml');
    case OID.bytea: return { builder: SchemaBuilder.bytes(), convert: byteaFromText };
    case OID.date: return { builder: SchemaBuilder.int32().name('io.debezium.time.Date').version(1), convert: epochDays };
    case OID.time: {
      const micro = opts.timeMode === 'adaptive_time_microseconds' || (opts.timeMode === 'adaptive' && (typeMod < 0 || typeMod > 3));
      if (opts.timeMode === 'connect') return { builder: SchemaBuilder.int32().name('org.apache.kafka.connect.data.Time').version(1), convert: (t) => new Date(Number(timeMicros(t) / 1000n)) };
      return micro
        ? { builder: SchemaBuilder.int64().name('io.debezium.time.MicroTime').version(1), convert: (t) => toInt64(timeMicros(t).toString()) }
        : { builder: SchemaBuilder.int32().name('io.debezium.time.Time').version(1), convert: (t) => Number(timeMicros(t) / 1000n) };
    }
    case OID.timestamp: {
      if (opts.timeMode === 'connect') return { builder: SchemaBuilder.int64().name('org.apache.kafka.connect.data.Timestamp').version(1), convert: (t) => new Date(Number(timestampMicros(t) / 1000n)) };
      return typeMod >= 0 && typeMod <= 3
        ? { builder: SchemaBuilder.int64().name('io.debezium.time.Timestamp').version(1), convert: (t) => toInt64((timestampMicros(t) / 1000n).toString()) }
        : { builder: SchemaBuilder.int64().name('io.debezium.time.MicroTimestamp').version(1), convert: (t) => toInt64(timestampMicros(t).toString()) };
    }
    case OID.timestamptz: {
      // Debezium prints exactly the column's fractional digits (6 when unconstrained), none at precision 0.
      const digits = typeMod < 0 ? 6 : typeMod;
      return { builder: SchemaBuilder.string().name('io.debezium.time.ZonedTimestamp').version(1), convert: (t) => zonedTimestamp(t, digits) };
    }
    case OID.timetz: return { builder: SchemaBuilder.string().name('io.debezium.time.ZonedTime').version(1), convert: zonedTime };
    case OID.interval: return { builder: SchemaBuilder.int64().name('io.debezium.time.MicroDuration').version(1), convert: (t) => toInt64(intervalMicros(t).toString()) };
    case OID.bit: case OID.varbit:
      if (oid === OID.bit && typeMod === 1) return { builder: SchemaBuilder.bool(), convert: (t) => t === '1' };
      return { builder: SchemaBuilder.bytes().name('io.debezium.data.Bits').version(1).parameter('length', String(Math.max(typeMod, 1))), convert: bitsFromText };
  }
  if (STRING_OIDS.has(oid)) return str();
  const info = lookup(oid);
  if (!info) return null;
  if (info.kind === 'e') {
    return { builder: SchemaBuilder.string().name('io.debezium.data.Enum').version(1).parameter('allowed', (info.enumLabels ?? []).join(',')), convert: (t) => t };
  }
  if (info.kind === 'd' && info.baseOid) return scalar(info.baseOid, typeMod, opts, lookup);
  if (info.name === 'citext' || info.name === 'ltree' || info.name === 'hstore' || info.kind === 'r') return str();
  return null;
}

function numeric(typeMod: number, opts: MappingOptions): Scalar {
  if (opts.decimalMode === 'double') return { builder: SchemaBuilder.float64(), convert: toFloat };
  if (opts.decimalMode === 'string') return { builder: SchemaBuilder.string(), convert: (t) => (t === 'NaN' ? 'NAN' : t) };
  if (typeMod < 0) {
    // Unconstrained numeric: Debezium's VariableScaleDecimal {scale, value}.
    const b = SchemaBuilder.struct().name('io.debezium.data.VariableScaleDecimal').version(1).doc('Variable scaled decimal')
      .field('scale', SchemaBuilder.int32().build()).field('value', SchemaBuilder.bytes().build());
    return {
      builder: b,
      struct: true,
      convert: (t) => {
        if (t === 'NaN') throw new DataError('numeric NaN cannot be represented in precise mode; set decimal.handling.mode to double or string');
        const scale = t.includes('.') ? t.length - t.indexOf('.') - 1 : 0;
        return { scale, value: Decimal.fromText(t, scale) };
      },
    };
  }
  const precision = ((typeMod - 4) >> 16) & 0xffff;
  const scale = (typeMod - 4) & 0xffff;
  return {
    builder: Decimal.builder(scale).parameter('connect.decimal.precision', String(precision)),
    convert: (t) => {
      if (t === 'NaN') throw new DataError('numeric NaN cannot be represented in precise mode; set decimal.handling.mode to double or string');
      return fixScale(t, scale);
    },
  };
}

/** Decimal text at exactly `scale` digits (the Connect Decimal value form). */
function fixScale(t: string, scale: number): string {
  return Decimal.toText(Decimal.fromText(t, scale), scale);
}

function moneyText(t: string): string {
  const neg = t.includes('-') || t.startsWith('(');
  const digits = t.replace(/[^0-9.]/g, '');
  return neg ? `-${digits}` : digits;
}

function toInt64(t: string): number | bigint {
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : BigInt(t);
}

function toFloat(t: string): number {
  if (t === 'Infinity') return Infinity;
  if (t === '-Infinity') return -Infinity;
  return Number(t);
}

export function byteaFromText(t: string): Uint8Array {
  if (t.startsWith('\\x')) return Buffer.from(t.slice(2), 'hex');
  // Escape format (bytea_output=escape); the connections set hex, this is a fallback.
  const out: number[] = [];
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '\\') {
      if (t[i + 1] === '\\') { out.push(92); i++; } else { out.push(parseInt(t.slice(i + 1, i + 4), 8)); i += 3; }
    } else out.push(t.charCodeAt(i));
  }
  return Uint8Array.from(out);
}

function bitsFromText(t: string): Uint8Array {
  // Debezium: little-endian bytes of the bit string's value.
  let v = t === '' ? 0n : BigInt(`0b${t}`);
  const out: number[] = [];
  const n = Math.max(1, Math.ceil(t.length / 8));
  for (let i = 0; i < n; i++) { out.push(Number(v & 0xffn)); v >>= 8n; }
  return Uint8Array.from(out);
}

const DAY_US = 86_400_000_000n;

function epochDays(t: string): number {
  if (t === 'infinity' || t === '-infinity') throw new DataError(`date ${t} cannot be represented as io.debezium.time.Date`);
  const { y, mo, d } = ymd(t);
  return utcDayMs(y, mo, d) / 86_400_000;
}

function ymd(t: string): { y: number; mo: number; d: number } {
  const bc = t.endsWith(' BC');
  const m = /^(\d+)-(\d\d)-(\d\d)/.exec(t);
  if (!m) throw new DataError(`Unexpected date text ${t}`);
  const y = Number(m[1]);
  return { y: bc ? 1 - y : y, mo: Number(m[2]), d: Number(m[3]) };
}

/** Milliseconds at 00:00 UTC of a proleptic Gregorian date (years 0-99 included, unlike Date.UTC). */
function utcDayMs(y: number, mo: number, d: number): number {
  const dt = new Date(0);
  dt.setUTCFullYear(y, mo - 1, d);
  return dt.getTime();
}

/** `HH:MM:SS[.ffffff]` → microseconds since midnight (24:00:00 is allowed by PostgreSQL). */
function timeMicros(t: string): bigint {
  const m = /^(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?/.exec(t);
  if (!m) throw new DataError(`Unexpected time text ${t}`);
  return ((BigInt(m[1]!) * 60n + BigInt(m[2]!)) * 60n + BigInt(m[3]!)) * 1_000_000n + BigInt((m[4] ?? '').padEnd(6, '0'));
}

/** Wall-clock timestamp text (treated as UTC, as Debezium does) → µs since the epoch. */
function timestampMicros(t: string): bigint {
  // Debezium's sentinels for ±infinity.
  if (t === 'infinity') return 9223372036825200000n;
  if (t === '-infinity') return -9223372036832400000n;
  const { y, mo, d } = ymd(t);
  const day = BigInt(utcDayMs(y, mo, d)) * 1000n;
  const time = t.indexOf(' ') > 0 ? timeMicros(t.slice(t.indexOf(' ') + 1)) : 0n;
  return day + time;
}

/**
 * timestamptz text (session TimeZone=UTC) → ISO-8601 UTC as Debezium's ZonedTimestamp: `digits`
 * fractional digits, or java.time's ISO form (trailing zeros cut) when `digits` is 0.
 */
function zonedTimestamp(t: string, digits: number): string {
  if (t === 'infinity' || t === '-infinity') return t;
  const us = timestampMicros(t.replace(/[+-]\d\d(:\d\d)?$/, '')) - offsetMicros(t);
  const ms = Number(us / 1000n - (us % 1000n < 0n ? 1n : 0n));
  const frac = ((us % 1_000_000n) + 1_000_000n) % 1_000_000n;
  const iso = new Date(ms).toISOString().slice(0, 19);
  return `${iso}${digits > 0 ? `.${frac.toString().padStart(6, '0').padEnd(digits, '0').slice(0, digits)}` : fraction(frac)}Z`;
}

function zonedTime(t: string): string {
  const us = timeMicros(t) - offsetMicros(t);
  const day = ((us % DAY_US) + DAY_US) % DAY_US;
  const s = day / 1_000_000n;
  const hh = String(s / 3600n).padStart(2, '0'), mm = String((s / 60n) % 60n).padStart(2, '0'), ss = String(s % 60n).padStart(2, '0');
  return `${hh}:${mm}:${ss}${fraction(day % 1_000_000n)}Z`;
}

/** Fraction of a second as java.time's ISO formatter prints it: omitted when zero, else trailing zeros cut. */
function fraction(us: bigint): string {
  return us === 0n ? '' : `.${us.toString().padStart(6, '0').replace(/0+$/, '')}`;
}

function offsetMicros(t: string): bigint {
  const m = /([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?$/.exec(t);
  if (!m || !/\d\d:\d\d:\d\d/.test(t)) return 0n;
  const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return BigInt(m[1] === '-' ? -secs : secs) * 1_000_000n;
}

/** ISO-8601 interval text (IntervalStyle=iso_8601) → µs, with Debezium's average month (30.4375 days). */
function intervalMicros(t: string): bigint {
  const m = /^P(?:(-?\d+)Y)?(?:(-?\d+)M)?(?:(-?\d+)D)?(?:T(?:(-?\d+)H)?(?:(-?\d+)M)?(?:(-?[\d.]+)S)?)?$/.exec(t);
  if (!m) throw new DataError(`Unexpected interval text ${t}`);
  const n = (i: number) => Number(m[i] ?? 0);
  const days = n(1) * 365.25 + n(2) * 30.4375 + n(3);
  const secs = n(4) * 3600 + n(5) * 60 + n(6);
  return BigInt(Math.round(days * 86_400_000_000)) + BigInt(Math.round(secs * 1_000_000));
}

/** PostgreSQL array text `{a,"b c",NULL}` (one dimension) → element texts, null for NULL. */
export function parseArray(t: string): Array<string | null> {
  const out: Array<string | null> = [];
  let i = t.indexOf('{') + 1;
  if (t[i] === '}') return out;
  while (i < t.length) {
    let v: string | null;
    if (t[i] === '"') {
      let s = '';
      for (i++; t[i] !== '"'; i++) s += t[i] === '\\' ? t[++i] : t[i];
      i++;
      v = s;
    } else {
      let j = i;
      while (t[j] !== ',' && t[j] !== '}') j++;
      const raw = t.slice(i, j);
      v = raw === 'NULL' ? null : raw;
      i = j;
    }
    out.push(v);
    if (t[i] === '}') break;
    i++;
  }
  return out;
}
