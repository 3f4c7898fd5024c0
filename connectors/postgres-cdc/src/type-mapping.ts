import { DataError, Decimal, SchemaBuilder, Struct, type Schema } from '@tributary/connect-api';
import {
  bitsFromText,
  byteaFromText,
  clampInt64,
  epochDays,
  hstoreEntries,
  hstoreJson,
  intervalIso,
  intervalMicros,
  parseArray,
  pointFromText,
  timeMicros,
  timestampMicros,
  toFloat,
  toInt64,
  zonedTime,
  zonedTimestamp,
} from './text-values.js';

export { byteaFromText, parseArray } from './text-values.js';

/**
 * Debezium's PostgreSQL type mapping (PostgresValueConverter), from text values. pgoutput sends every
 * value as text and the snapshot reads with text parsers too, so one converter serves both and the
 * `pg` module's global type parsers never touch a value.
 */

export type DecimalMode = 'precise' | 'double' | 'string';
export type TimeMode = 'adaptive' | 'adaptive_time_microseconds' | 'connect';
export type BinaryMode = 'bytes' | 'base64' | 'base64-url-safe' | 'hex';

export interface MappingOptions {
  readonly decimalMode: DecimalMode;
  readonly timeMode: TimeMode;
  readonly binaryMode?: BinaryMode;
  readonly intervalMode?: 'numeric' | 'string';
  readonly hstoreMode?: 'json' | 'map';
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
  /** The domain's type modifier (pg_type.typtypmod, e.g. numeric(8,2)); -1 when none. */
  readonly baseTypMod?: number;
  readonly enumLabels?: readonly string[];
}

/** A column ready to convert: its Connect schema and a text → Connect value function. */
export interface ColumnMapping {
  readonly name: string;
  readonly schema: Schema;
  readonly convert: (text: string) => unknown;
  /**
   * An unchanged TOASTed value has no representation in this column: Debezium writes null instead of the
   * placeholder (bytea as base64 or base64-url-safe text; as hex it writes the placeholder itself).
   */
  readonly noPlaceholder?: boolean;
}

// Built-in type OIDs (pg_type.h).
export const OID = {
  bool: 16,
  bytea: 17,
  char: 18,
  name: 19,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  oid: 26,
  json: 114,
  xml: 142,
  point: 600,
  float4: 700,
  float8: 701,
  money: 790,
  macaddr: 829,
  inet: 869,
  cidr: 650,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  timetz: 1266,
  bit: 1560,
  varbit: 1562,
  numeric: 1700,
  uuid: 2950,
  jsonb: 3802,
  int2vector: 22,
  oidvector: 30,
} as const;

const STRING_OIDS = new Set<number>([
  OID.char,
  OID.name,
  OID.text,
  OID.bpchar,
  OID.varchar,
  OID.macaddr,
  OID.inet,
  OID.cidr,
  3904,
  3906,
  3908,
  3910,
  3912,
  3926,
  774 /* macaddr8 */,
]);

/** Date ±infinity as Debezium writes them when it reads through JDBC (snapshots, and array elements always). */
const JDBC_DATE_INFINITY: Readonly<Record<string, number>> = { infinity: -622191234, '-infinity': -625821272 };

/** Element types whose arrays Debezium leaves out: money, name, interval, varbit, xml, point. */
const UNMAPPED_ARRAY_ELEMENTS = new Set<number>([790, 19, 1186, 1562, 142, 600]);

/** Built-in array type OID → element OID. Arrays of other types are resolved through the catalog. */
export const ARRAY_ELEMENT: Readonly<Record<number, number>> = {
  1000: OID.bool,
  1001: OID.bytea,
  1005: OID.int2,
  1007: OID.int4,
  1016: OID.int8,
  1009: OID.text,
  1014: OID.bpchar,
  1015: OID.varchar,
  1021: OID.float4,
  1022: OID.float8,
  1231: OID.numeric,
  2951: OID.uuid,
  199: OID.json,
  3807: OID.jsonb,
  1182: OID.date,
  1183: OID.time,
  1115: OID.timestamp,
  1185: OID.timestamptz,
  1187: OID.interval,
  1270: OID.timetz,
  1041: OID.inet,
  651: OID.cidr,
  1028: OID.oid,
};

/**
 * The mapping of one column, or null when Debezium would drop it (unknown type, as with
 * `include.unknown.datatypes=false`). `lookup` returns catalog information for non-built-in OIDs.
 */
export function mapColumn(
  name: string,
  typeOid: number,
  typeMod: number,
  optional: boolean,
  opts: MappingOptions,
  lookup: (oid: number) => TypeInfo | undefined,
  defaultExpr: string | null = null,
): ColumnMapping | null {
  const m = scalar(typeOid, typeMod, opts, lookup);
  if (m) {
    // Column defaults go into the schema as Debezium puts them (never for struct-valued types here); the
    // default also stands in for a NOT NULL column PostgreSQL did not send (a delete's `before`).
    const dflt = defaultExpr === null || m.struct ? undefined : defaultValue(typeOid, defaultExpr, m.convert);
    const schema = withOptional(dflt === undefined ? m.builder : m.builder.defaultValue(dflt), optional);
    const noPlaceholder =
      typeOid === OID.bytea && (opts.binaryMode === 'base64' || opts.binaryMode === 'base64-url-safe');
    return {
      name,
      schema,
      convert: m.struct ? structOf(schema, m.convert) : m.convert,
      ...(noPlaceholder ? { noPlaceholder } : {}),
    };
  }
  if (typeOid === OID.int2vector || typeOid === OID.oidvector) {
    const el = typeOid === OID.int2vector ? SchemaBuilder.int16().build() : SchemaBuilder.int64().build();
    return {
      name,
      schema: withOptional(SchemaBuilder.array(el), optional),
      convert: (t) => (t === '' ? [] : t.split(' ').map(el.type === 'INT16' ? Number : toInt64)),
    };
  }
  return arrayColumn(name, typeOid, typeMod, optional, opts, lookup);
}

/** An array column as Debezium maps it, or null when it leaves it out. */
function arrayColumn(
  name: string,
  typeOid: number,
  typeMod: number,
  optional: boolean,
  opts: MappingOptions,
  lookup: (oid: number) => TypeInfo | undefined,
): ColumnMapping | null {
  // Array types are named `_<element>` in the catalog; other types with an element (point, box, name) are not arrays.
  const info = lookup(typeOid);
  const elementOid = ARRAY_ELEMENT[typeOid] ?? (info?.name.startsWith('_') ? info.elementOid : 0);
  // Debezium has no converter for arrays of these element types, nor for arrays of domains.
  if (!elementOid || UNMAPPED_ARRAY_ELEMENTS.has(elementOid) || lookup(elementOid)?.kind === 'd') return null;
  // time[] in time.precision.mode=connect: Debezium declares MicroTime elements and fails every value (null).
  if (elementOid === OID.time && opts.timeMode === 'connect') {
    return {
      name,
      schema: withOptional(
        SchemaBuilder.array(SchemaBuilder.int64().name('io.debezium.time.MicroTime').version(1).optional().build()),
        optional,
      ),
      convert: () => null,
    };
  }
  // bit(n)[] gets the schema of a bit(n) column and never a value.
  if (elementOid === OID.bit) {
    const b =
      typeMod === 1
        ? SchemaBuilder.bool()
        : SchemaBuilder.bytes().name('io.debezium.data.Bits').version(1).parameter('length', String(typeMod));
    return { name, schema: b.optional().build(), convert: () => null };
  }
  // The column's typmod applies to the elements (numeric(12,3)[] holds Decimals of scale 3).
  const el = scalar(elementOid, typeMod, opts, lookup);
  if (!el) return null;
  // Enum elements are required in Debezium's schema: an array holding a NULL has no valid value (null).
  const isEnum = lookup(elementOid)?.kind === 'e';
  const elSchema = isEnum ? el.builder.build() : el.builder.optional().build();
  const elConvert = elSchema.type === 'STRUCT' ? structOf(elSchema, el.convert) : el.convert;
  const b = SchemaBuilder.array(elSchema);
  return {
    name,
    schema: withOptional(b, optional),
    convert: (t) => {
      const items = parseArray(t);
      if (isEnum && items.includes(null)) return null;
      // Debezium reads these arrays through JDBC: a NaN or infinite numeric element fails the whole array
      // (null), and time 24:00:00 becomes 00:00:00.
      if (elementOid === OID.numeric && items.some((v) => v !== null && SPECIAL_NUMERIC.has(v))) return null;
      if (elementOid === OID.time)
        return items.map((v) => (v === null ? null : elConvert(v.startsWith('24:') ? '00:00:00' : v)));
      if (elementOid === OID.date)
        return items.map((v) => (v === null ? null : (JDBC_DATE_INFINITY[v] ?? elConvert(v))));
      return items.map((v) => (v === null ? null : elConvert(v)));
    },
  };
}

/**
 * A column default as Debezium's PostgresDefaultValueConverter reads it from the catalog text
 * (`pg_get_expr(adbin)`): only literals of these types, some only in their bare form (int4, numeric),
 * others also as `'literal'::type`. Anything else (functions, casts it cannot parse, other types) has
 * no default in the schema.
 */
function defaultValue(oid: number, expr: string, convert: (t: string) => unknown): unknown {
  const quoted = (v: string) => (v.includes("'") ? (/'(.*?)'/.exec(v)?.[1] ?? '') : v);
  const integer = (t: string) => (/^[+-]?\d+$/.test(t) ? convert(t.replace(/^\+/, '')) : undefined);
  const float = (t: string) =>
    /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(NaN|Infinity)$/.test(t) ? convert(t) : undefined;
  switch (oid) {
    case OID.bool:
      return quoted(expr).toLowerCase() === 'true';
    case OID.bpchar:
    case OID.varchar:
    case OID.text:
    case OID.json:
    case OID.jsonb:
    case OID.xml:
      return convert(quoted(expr));
    case OID.bit:
    case OID.varbit:
      return convert(quoted(expr));
    case OID.int2:
    case OID.int8:
      return integer(quoted(expr));
    case OID.int4:
      return integer(expr);
    case OID.numeric:
      return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(expr) ? convert(expr) : undefined;
    case OID.float4:
    case OID.float8:
      return float(quoted(expr));
    default:
      return undefined;
  }
}

/** Struct-valued types convert to a plain object first; the Struct must carry the column's final schema. */
function structOf(schema: Schema, convert: (t: string) => unknown): (t: string) => unknown {
  return (t) => {
    const o = convert(t) as Record<string, unknown> | null;
    if (o === null) return null;
    const s = new Struct(schema);
    for (const [k, v] of Object.entries(o)) s.put(k, v);
    return s;
  };
}

function withOptional(b: SchemaBuilder, optional: boolean): Schema {
  return (optional ? b.optional() : b).build();
}

interface Scalar {
  builder: SchemaBuilder;
  convert: (text: string) => unknown;
  struct?: boolean;
}

function scalar(
  oid: number,
  typeMod: number,
  opts: MappingOptions,
  lookup: (oid: number) => TypeInfo | undefined,
): Scalar | null {
  const str = (name?: string): Scalar => ({
    builder: name ? SchemaBuilder.string().name(name).version(1) : SchemaBuilder.string(),
    convert: (t) => t,
  });
  switch (oid) {
    case OID.bool:
      return { builder: SchemaBuilder.bool(), convert: (t) => t === 't' || t === 'true' };
    case OID.int2:
      return { builder: SchemaBuilder.int16(), convert: Number };
    case OID.int4:
      return { builder: SchemaBuilder.int32(), convert: Number };
    case OID.int8:
    case OID.oid:
      return { builder: SchemaBuilder.int64(), convert: toInt64 };
    case OID.float4:
      return { builder: SchemaBuilder.float32(), convert: toFloat };
    case OID.float8:
      return { builder: SchemaBuilder.float64(), convert: toFloat };
    case OID.numeric:
      return numeric(typeMod, opts);
    case OID.money:
      if (opts.decimalMode === 'double')
        return { builder: SchemaBuilder.float64(), convert: (t) => Number(moneyText(t)) };
      if (opts.decimalMode === 'string') return { builder: SchemaBuilder.string(), convert: moneyText };
      return { builder: Decimal.builder(2), convert: (t) => fixScale(moneyText(t), 2) };
    case OID.uuid:
      return str('io.debezium.data.Uuid');
    case OID.json:
    case OID.jsonb:
      return str('io.debezium.data.Json');
    case OID.xml:
      return str('io.debezium.data.Xml');
    case OID.bytea:
      return binary(opts.binaryMode ?? 'bytes');
    case OID.date:
      if (opts.timeMode === 'connect')
        return {
          builder: SchemaBuilder.int32().name('org.apache.kafka.connect.data.Date').version(1),
          convert: (t) => jsDate(epochDays(t) * 86_400_000, t),
        };
      return { builder: SchemaBuilder.int32().name('io.debezium.time.Date').version(1), convert: epochDays };
    case OID.time: {
      const micro =
        opts.timeMode === 'adaptive_time_microseconds' ||
        (opts.timeMode === 'adaptive' && (typeMod < 0 || typeMod > 3));
      if (opts.timeMode === 'connect')
        return {
          builder: SchemaBuilder.int32().name('org.apache.kafka.connect.data.Time').version(1),
          convert: (t) => jsDate(Number(timeMicros(t) / 1000n), t),
        };
      return micro
        ? {
            builder: SchemaBuilder.int64().name('io.debezium.time.MicroTime').version(1),
            convert: (t) => toInt64(timeMicros(t).toString()),
          }
        : {
            builder: SchemaBuilder.int32().name('io.debezium.time.Time').version(1),
            convert: (t) => Number(timeMicros(t) / 1000n),
          };
    }
    case OID.timestamp: {
      if (opts.timeMode === 'connect')
        return {
          builder: SchemaBuilder.int64().name('org.apache.kafka.connect.data.Timestamp').version(1),
          convert: (t) => jsDate(Number(floorDiv(timestampMicros(t), 1000n)), t),
        };
      return typeMod >= 0 && typeMod <= 3
        ? {
            builder: SchemaBuilder.int64().name('io.debezium.time.Timestamp').version(1),
            convert: (t) => toInt64(floorDiv(timestampMicros(t), 1000n).toString()),
          }
        : {
            builder: SchemaBuilder.int64().name('io.debezium.time.MicroTimestamp').version(1),
            convert: (t) => toInt64(timestampMicros(t).toString()),
          };
    }
    case OID.timestamptz: {
      // Debezium prints exactly the column's fractional digits (6 when unconstrained), none at precision 0.
      const digits = typeMod < 0 ? 6 : typeMod;
      return {
        builder: SchemaBuilder.string().name('io.debezium.time.ZonedTimestamp').version(1),
        convert: (t) => zonedTimestamp(t, digits),
      };
    }
    case OID.timetz:
      return { builder: SchemaBuilder.string().name('io.debezium.time.ZonedTime').version(1), convert: zonedTime };
    case OID.interval:
      if (opts.intervalMode === 'string')
        return { builder: SchemaBuilder.string().name('io.debezium.time.Interval').version(1), convert: intervalIso };
      return {
        builder: SchemaBuilder.int64().name('io.debezium.time.MicroDuration').version(1),
        convert: (t) => toInt64(clampInt64(intervalMicros(t)).toString()),
      };
    case OID.bit:
    case OID.varbit:
      // bit(1) and varbit(1) are booleans; an unbounded varbit has Java's Integer.MAX_VALUE as its length.
      // An empty varbit(1) has no boolean: Debezium writes null.
      if (typeMod === 1) return { builder: SchemaBuilder.bool(), convert: (t) => (t === '' ? null : t === '1') };
      return {
        builder: SchemaBuilder.bytes()
          .name('io.debezium.data.Bits')
          .version(1)
          .parameter('length', String(typeMod < 0 ? 2147483647 : typeMod)),
        convert: bitsFromText,
      };
    case OID.point: {
      const b = SchemaBuilder.struct()
        .name('io.debezium.data.geometry.Point')
        .version(1)
        .doc('Geometry (POINT)')
        .field('x', SchemaBuilder.float64().build())
        .field('y', SchemaBuilder.float64().build())
        .field('wkb', SchemaBuilder.bytes().optional().build())
        .field('srid', SchemaBuilder.int32().optional().build());
      return { builder: b, struct: true, convert: (t) => ({ ...pointFromText(t), srid: null }) };
    }
  }
  if (STRING_OIDS.has(oid)) return str();
  const info = lookup(oid);
  if (!info) return null;
  if (info.kind === 'e') {
    return {
      builder: SchemaBuilder.string()
        .name('io.debezium.data.Enum')
        .version(1)
        .parameter('allowed', (info.enumLabels ?? []).join(',')),
      convert: (t) => t,
    };
  }
  // A domain has its own type modifier (a domain over numeric(8,2)); the column's is -1.
  if (info.kind === 'd' && info.baseOid)
    return scalar(info.baseOid, typeMod >= 0 ? typeMod : (info.baseTypMod ?? -1), opts, lookup);
  if (info.name === 'ltree') return str('io.debezium.data.Ltree');
  if (info.name === 'hstore') {
    if (opts.hstoreMode === 'map') {
      return {
        builder: SchemaBuilder.map(SchemaBuilder.string().build(), SchemaBuilder.string().optional().build()),
        convert: (t) => new Map(hstoreEntries(t)),
      };
    }
    return { builder: SchemaBuilder.string().name('io.debezium.data.Json').version(1), convert: hstoreJson };
  }
  if (info.name === 'citext' || info.name === 'isbn' || info.kind === 'r') return str();
  return null;
}

/**
 * Connect's Date/Time/Timestamp values are JavaScript Dates, which reach ±8.64e15 ms: beyond that (infinity,
 * year 294276) the value cannot be represented and the row goes through errors.tolerance.
 */
function jsDate(ms: number, text: string): Date {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime()))
    throw new DataError(`${text} is beyond the range of Kafka Connect temporal values here (±8.64e15 ms)`);
  return d;
}

/** bytea per binary.handling.mode: bytes, or a string in base64, base64url or hex. */
function binary(mode: BinaryMode): Scalar {
  if (mode === 'bytes') return { builder: SchemaBuilder.bytes(), convert: byteaFromText };
  // base64-url-safe keeps its '=' padding, as Java's URL encoder does.
  const encode =
    mode === 'hex'
      ? (b: Buffer) => b.toString('hex')
      : mode === 'base64'
        ? (b: Buffer) => b.toString('base64')
        : (b: Buffer) => b.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
  return { builder: SchemaBuilder.string(), convert: (t) => encode(Buffer.from(byteaFromText(t))) };
}

function numeric(typeMod: number, opts: MappingOptions): Scalar {
  if (opts.decimalMode === 'double') return { builder: SchemaBuilder.float64(), convert: toFloat };
  if (opts.decimalMode === 'string')
    return { builder: SchemaBuilder.string(), convert: (t) => SPECIAL_NUMERIC_TEXT[t] ?? t };
  if (typeMod < 0) {
    // Unconstrained numeric: Debezium's VariableScaleDecimal {scale, value}.
    const b = SchemaBuilder.struct()
      .name('io.debezium.data.VariableScaleDecimal')
      .version(1)
      .doc('Variable scaled decimal')
      .field('scale', SchemaBuilder.int32().build())
      .field('value', SchemaBuilder.bytes().build());
    return {
      builder: b,
      struct: true,
      convert: (t) => {
        if (SPECIAL_NUMERIC.has(t)) return null;
        // Debezium strips trailing zeros (12.5000 has scale 1; 100 keeps scale 0).
        const stripped = t.includes('.') ? t.replace(/0+$/, '').replace(/\.$/, '') : t;
        const scale = stripped.includes('.') ? stripped.length - stripped.indexOf('.') - 1 : 0;
        return { scale, value: Decimal.fromText(stripped, scale) };
      },
    };
  }
  const precision = ((typeMod - 4) >> 16) & 0xffff;
  const scale = (typeMod - 4) & 0xffff;
  return {
    builder: Decimal.builder(scale).parameter('connect.decimal.precision', String(precision)),
    convert: (t) => (SPECIAL_NUMERIC.has(t) ? null : fixScale(t, scale)),
  };
}

/** NaN and ±Infinity have no Decimal form: Debezium writes null for them in precise mode. */
const SPECIAL_NUMERIC = new Set(['NaN', 'Infinity', '-Infinity']);

/** Division rounding down, as java.time does for instants before 1970 (-1 µs is -1 ms). */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** Debezium's names for the special numerics in decimal.handling.mode=string. */
const SPECIAL_NUMERIC_TEXT: Readonly<Record<string, string>> = {
  NaN: 'NAN',
  Infinity: 'POSITIVE_INFINITY',
  '-Infinity': 'NEGATIVE_INFINITY',
};

/** Decimal text at exactly `scale` digits (the Connect Decimal value form). */
function fixScale(t: string, scale: number): string {
  return Decimal.toText(Decimal.fromText(t, scale), scale);
}

function moneyText(t: string): string {
  const neg = t.includes('-') || t.startsWith('(');
  const digits = t.replace(/[^0-9.]/g, '');
  return neg ? `-${digits}` : digits;
}
