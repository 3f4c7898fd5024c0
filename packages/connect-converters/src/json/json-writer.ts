import { DataError, DateType, Decimal, Struct, TimeType, TimestampType, type Schema } from '@tributary/connect-api';
import { javaBigDecimal, javaDouble, javaFloat, jsonQuote, needsNoEscape, toBase64 } from './java-text.js';
import { decimalUnscaled, nodeTypeOf } from './values.js';

/** Writes one value of a fixed schema as JSON text. */
export type ValueWriter = (value: unknown) => string;

const TYPE_NAMES: Record<Schema['type'], string> = {
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  FLOAT32: 'float',
  FLOAT64: 'double',
  BOOLEAN: 'boolean',
  STRING: 'string',
  BYTES: 'bytes',
  ARRAY: 'array',
  MAP: 'map',
  STRUCT: 'struct',
};

/**
 * How Connect data becomes JSON text. The defaults are Kafka's JsonConverter; the other choices exist for
 * sinks whose readers need another rule (each sink's README says why it departs).
 */
export interface WriterOptions {
  /** Decimals as JSON numbers (`decimal.format=NUMERIC`) instead of base64 of the unscaled bytes. */
  readonly decimalNumeric: boolean;
  /** A null in a field with a default writes the default (`replace.null.with.default`). */
  readonly replaceNullWithDefault: boolean;
  /** Date values: `days` since the epoch (Kafka) or `iso` text `yyyy-MM-dd`. */
  readonly dates?: 'days' | 'iso';
  /** Maps written as arrays: `pairs` `[[k,v],…]` (Kafka) or `entries` `[{"key":k,"value":v},…]`. */
  readonly mapArrays?: 'pairs' | 'entries';
  /** Maps with STRING keys as JSON objects (Kafka: always); when false every map is an array. */
  readonly stringKeyMapsAsObjects?: boolean;
  /** A Date without a schema: refused as Kafka does, or written as epoch milliseconds. */
  readonly schemalessDates?: 'error' | 'millis';
}

/**
 * Builds JSON text the way Kafka's JsonConverter does, straight into strings. Each schema object gets
 * its schema text and a compiled value writer once (schemas are immutable, so a WeakMap is a safe
 * cache), which is what keeps a million records of the same schema cheap.
 */
export class JsonWriter {
  private readonly schemaTexts = new WeakMap<Schema, string>();
  private readonly writers = new WeakMap<Schema, ValueWriter>();
  private readonly isoDates: boolean;
  private readonly entryObjects: boolean;
  private readonly mapObjects: boolean;
  private readonly dateMillis: boolean;

  constructor(private readonly options: WriterOptions) {
    this.isoDates = options.dates === 'iso';
    this.entryObjects = options.mapArrays === 'entries';
    this.mapObjects = options.stringKeyMapsAsObjects !== false;
    this.dateMillis = options.schemalessDates === 'millis';
  }

  /**
   * The schema as Kafka's JSON schema node: type, items/keys/values/fields, optional, name, version, doc, parameters,
   * default.
   */
  schemaText(schema: Schema): string {
    let text = this.schemaTexts.get(schema);
    if (text === undefined) {
      text = this.buildSchemaText(schema);
      this.schemaTexts.set(schema, text);
    }
    return text;
  }

  /** The payload for `value` under `schema` (null schema: inferred from the value, as schemaless). */
  write(schema: Schema | null | undefined, value: unknown): string {
    return schema ? this.writerFor(schema)(value) : this.writeSchemaless(value);
  }

  writerFor(schema: Schema): ValueWriter {
    let w = this.writers.get(schema);
    if (w === undefined) {
      w = this.withNulls(schema, this.compile(schema));
      this.writers.set(schema, w);
    }
    return w;
  }

  private buildSchemaText(s: Schema): string {
    let out = `{"type":"${TYPE_NAMES[s.type]}"`;
    if (s.type === 'ARRAY') out += `,"items":${this.schemaText(s.valueSchema!)}`;
    else if (s.type === 'MAP')
      out += `,"keys":${this.schemaText(s.keySchema!)},"values":${this.schemaText(s.valueSchema!)}`;
    else if (s.type === 'STRUCT') {
      const fields = s.fields!.map((f) => `${this.schemaText(f.schema).slice(0, -1)},"field":${jsonQuote(f.name)}}`);
      out += `,"fields":[${fields.join(',')}]`;
    }
    out += `,"optional":${s.optional}`;
    if (s.name != null) out += `,"name":${jsonQuote(s.name)}`;
    if (s.version != null) out += `,"version":${s.version}`;
    if (s.doc != null) out += `,"doc":${jsonQuote(s.doc)}`;
    if (s.parameters != null) {
      const params = Object.entries(s.parameters).map(([k, v]) => `${jsonQuote(k)}:${jsonQuote(v)}`);
      out += `,"parameters":{${params.join(',')}}`;
    }
    if (s.defaultValue != null) out += `,"default":${this.writerFor(s)(s.defaultValue)}`;
    return `${out}}`;
  }

  private withNulls(schema: Schema, write: ValueWriter): ValueWriter {
    const fallback = schema.defaultValue;
    const useDefault = fallback != null && this.options.replaceNullWithDefault;
    const optional = schema.optional;
    return (value) => {
      if (value != null) return write(value);
      if (useDefault) return write(fallback);
      if (optional) return 'null';
      throw new DataError('Conversion error: null value for field that is required and has no default value');
    };
  }

  private compile(schema: Schema): ValueWriter {
    const logical = this.compileLogical(schema);
    if (logical) return logical;
    switch (schema.type) {
      case 'INT8':
      case 'INT16':
      case 'INT32':
        return (v) => integer(v, schema);
      case 'INT64':
        return (v) => (typeof v === 'bigint' ? v.toString() : integer(v, schema));
      case 'FLOAT32':
        return (v) => javaFloat(number(v, schema));
      case 'FLOAT64':
        return (v) => javaDouble(number(v, schema));
      case 'BOOLEAN':
        return (v) => {
          if (typeof v !== 'boolean') throw invalidType(schema, v);
          return v ? 'true' : 'false';
        };
      case 'STRING':
        return (v) => {
          if (typeof v !== 'string') throw invalidType(schema, v);
          return jsonQuote(v);
        };
      case 'BYTES':
        return (v) => {
          if (!(v instanceof Uint8Array)) throw new DataError(`Invalid type for bytes type: ${nodeTypeOf(v)}`);
          return `"${toBase64(v)}"`;
        };
      case 'ARRAY': {
        const item = this.writerFor(schema.valueSchema!);
        return (v) => {
          if (!Array.isArray(v)) throw invalidType(schema, v);
          let out = '[';
          for (let i = 0; i < v.length; i++) out += (i === 0 ? '' : ',') + item(v[i]);
          return `${out}]`;
        };
      }
      case 'MAP':
        return this.compileMap(schema);
      case 'STRUCT':
        return this.compileStruct(schema);
    }
  }

  private compileMap(schema: Schema): ValueWriter {
    const key = this.writerFor(schema.keySchema!);
    const val = this.writerFor(schema.valueSchema!);
    const objectMode = schema.keySchema!.type === 'STRING' && this.mapObjects;
    const entryObjects = this.entryObjects;
    return (v) => {
      if (objectMode && isPlainObject(v)) {
        // Same order as Object.entries (what the Map-or-object path below would give), without the pairs.
        const keys = Object.keys(v);
        let out = '{';
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i]!;
          out += `${i === 0 ? '' : ','}${jsonQuote(k)}:${val((v as Record<string, unknown>)[k])}`;
        }
        return `${out}}`;
      }
      const entries = mapEntries(v, schema);
      let out = objectMode ? '{' : '[';
      let first = true;
      for (const [k, x] of entries) {
        if (!first) out += ',';
        first = false;
        // Jackson's ObjectNode keys are the key's text; a string key writes as itself.
        if (objectMode) out += `${jsonQuote(String(k))}:${val(x)}`;
        else out += entryObjects ? `{"key":${key(k)},"value":${val(x)}}` : `[${key(k)},${val(x)}]`;
      }
      return out + (objectMode ? '}' : ']');
    };
  }

  /**
   * The struct writer is the hot path (a source writes one per record), so it reads fields by position
   * and writes the common kinds (strings, integers, timestamps, nulls of optional fields) inline:
   * one call site per field kind instead of two closures per field. Anything else, and any value of an
   * unexpected type, goes through the field's compiled writer, which gives the same bytes and errors.
   */
  private compileStruct(schema: Schema): ValueWriter {
    const n = schema.fields!.length;
    const prefixes: string[] = [];
    /** The prefix with the opening quote of a string value: one concatenation less per string. */
    const quoted: string[] = [];
    const kinds: FieldKind[] = [];
    const writers: ValueWriter[] = [];
    /** The text of a null in the field when that is plainly `null` (optional, no default to use instead). */
    const nulls: Array<string | undefined> = [];
    schema.fields!.forEach((f, i) => {
      prefixes.push((i === 0 ? '{' : ',') + jsonQuote(f.name) + ':');
      quoted.push(`${prefixes[i]!}"`);
      kinds.push(fieldKind(f.schema));
      writers.push(this.writerFor(f.schema));
      const usesDefault = f.schema.defaultValue != null && this.options.replaceNullWithDefault;
      nulls.push(f.schema.optional && !usesDefault ? 'null' : undefined);
    });
    return (v) => {
      if (!(v instanceof Struct)) throw invalidType(schema, v);
      if (v.schema !== schema && this.schemaText(v.schema) !== this.schemaText(schema))
        throw new DataError('Mismatching schema.');
      if (n === 0) return '{}';
      let out = '';
      for (let i = 0; i < n; i++) {
        const x = v.getAt(i, false);
        const kind = kinds[i];
        if (x === null) {
          const text = nulls[i];
          if (text !== undefined) {
            out += prefixes[i]! + text;
            continue;
          }
        } else if (kind === FieldKind.String) {
          if (typeof x === 'string') {
            out += needsNoEscape(x) ? quoted[i]! + x + '"' : prefixes[i]! + jsonQuote(x);
            continue;
          }
        } else if (kind === FieldKind.Integer) {
          if (typeof x === 'number' && Number.isInteger(x)) {
            out += prefixes[i]! + x;
            continue;
          }
        } else if (kind === FieldKind.Timestamp) {
          if (x instanceof Date) {
            out += prefixes[i]! + x.getTime();
            continue;
          }
        }
        out += prefixes[i]! + writers[i]!(x);
      }
      return `${out}}`;
    };
  }

  private compileLogical(schema: Schema): ValueWriter | undefined {
    switch (schema.name) {
      case Decimal.LOGICAL_NAME: {
        const scale = Decimal.scale(schema);
        const numeric = this.options.decimalNumeric;
        return (v) => {
          const unscaled = decimalUnscaled(v, scale);
          if (numeric) return javaBigDecimal(unscaled, scale);
          return `"${toBase64(Decimal.toBytes(unscaled))}"`;
        };
      }
      case DateType.LOGICAL_NAME: {
        const iso = this.isoDates;
        return (v) => {
          if (!(v instanceof Date))
            throw new DataError(`Invalid type for Date, expected Date but was ${nodeTypeOf(v)}`);
          return iso ? `"${isoDate(DateType.fromLogical(v))}"` : String(DateType.fromLogical(v));
        };
      }
      case TimeType.LOGICAL_NAME:
        return (v) => {
          if (!(v instanceof Date))
            throw new DataError(`Invalid type for Time, expected Date but was ${nodeTypeOf(v)}`);
          return String(TimeType.fromLogical(v));
        };
      case TimestampType.LOGICAL_NAME:
        return (v) => {
          if (!(v instanceof Date))
            throw new DataError(`Invalid type for Timestamp, expected Date but was ${nodeTypeOf(v)}`);
          return String(v.getTime());
        };
      default:
        return undefined;
    }
  }

  /**
   * A value without a schema: its type is inferred from the JavaScript value, as Kafka infers it from the Java class.
   */
  writeSchemaless(v: unknown): string {
    // Most schemaless values are what JSON.parse returned; when JSON.stringify writes them exactly as
    // the walk below would (checked by a cheaper walk), let it: it is several times faster.
    if (typeof v === 'object' && v !== null && stringifyAgrees(v, 0)) {
      const text = JSON.stringify(v);
      if (text.indexOf('\\u') < 0 && !SURROGATE.test(text)) return text;
    }
    return this.schemaless(v);
  }

  private schemaless(v: unknown): string {
    if (v == null) return 'null';
    switch (typeof v) {
      case 'string':
        return jsonQuote(v);
      case 'boolean':
        return v ? 'true' : 'false';
      case 'bigint':
        return v.toString();
      case 'number':
        return Number.isInteger(v) && Math.abs(v) < 1e21 ? String(v) : javaDouble(v);
      default:
        break;
    }
    if (v instanceof Uint8Array) return `"${toBase64(v)}"`;
    if (Array.isArray(v)) {
      let out = '[';
      for (let i = 0; i < v.length; i++) out += (i === 0 ? '' : ',') + this.schemaless(v[i]);
      return `${out}]`;
    }
    if (v instanceof Struct) return this.write(v.schema, v);
    if (v instanceof Date) {
      if (this.dateMillis) return String(v.getTime());
      throw new DataError('Java class class java.util.Date does not have corresponding schema type.');
    }
    if (v instanceof Map) {
      let objects = this.mapObjects;
      if (objects)
        for (const k of v.keys())
          if (typeof k !== 'string') {
            objects = false;
            break;
          }
      let out = objects ? '{' : '[';
      let first = true;
      for (const [k, x] of v) {
        if (!first) out += ',';
        first = false;
        if (objects) out += `${jsonQuote(k as string)}:${this.schemaless(x)}`;
        else
          out += this.entryObjects
            ? `{"key":${this.schemaless(k)},"value":${this.schemaless(x)}}`
            : `[${this.schemaless(k)},${this.schemaless(x)}]`;
      }
      return out + (objects ? '}' : ']');
    }
    if (typeof v === 'object') {
      let out = '{';
      let first = true;
      for (const k of Object.keys(v)) {
        out += `${first ? '' : ','}${jsonQuote(k)}:${this.schemaless((v as Record<string, unknown>)[k])}`;
        first = false;
      }
      return `${out}}`;
    }
    throw new DataError(`Couldn't convert ${String(v)} to JSON.`);
  }
}

/**
 * In JSON.stringify's output, a sign that it wrote a string differently from Jackson is a \u escape (JS
 * writes controls without a short escape in lower-case hex, and lone surrogates) or a surrogate (Jackson
 * escapes each one, JS writes a pair as it is). An escaped backslash before a `u` looks the same, which
 * only costs the slower path. Two plain searches are several times faster than one pattern for both.
 */
const SURROGATE = /[\ud800-\udfff]/;

/**
 * Whether JSON.stringify writes `v` as the schemaless walk would, strings aside (its output is checked
 * for those): only plain objects and arrays of strings, booleans, nulls, integers below 1e21 and other
 * numbers that JS and Java print alike (finite, 1e-3 <= |x| < 1e7).
 */
function stringifyAgrees(v: object, depth: number): boolean {
  if (depth > 64) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!valueAgrees(v[i], depth)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const k in v) if (!valueAgrees((v as Record<string, unknown>)[k], depth)) return false;
  return true;
}

function valueAgrees(x: unknown, depth: number): boolean {
  switch (typeof x) {
    case 'string':
    case 'boolean':
      return true;
    case 'number': {
      if (Number.isInteger(x)) return x < 1e21 && x > -1e21;
      const a = x < 0 ? -x : x;
      return a >= 1e-3 && a < 1e7;
    }
    case 'object':
      return x === null || stringifyAgrees(x, depth + 1);
    default:
      return false;
  }
}

/** `yyyy-MM-dd` of a day number (days since 1970-01-01), years beyond 9999 with a sign as ISO 8601 extends them. */
function isoDate(days: number): string {
  const text = new Date(days * 86_400_000).toISOString();
  return text.slice(0, text.length - 14);
}

function integer(v: unknown, schema: Schema): string {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalidType(schema, v);
  return String(v);
}

function number(v: unknown, schema: Schema): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  throw invalidType(schema, v);
}

/** Kinds of struct fields the struct writer handles inline. */
const FieldKind = { Other: 0, String: 1, Integer: 2, Timestamp: 3 } as const;
type FieldKind = (typeof FieldKind)[keyof typeof FieldKind];

/** How the struct writer may write a field of `schema` inline (what `compile` would do for it). */
function fieldKind(schema: Schema): FieldKind {
  switch (schema.name) {
    case TimestampType.LOGICAL_NAME:
      return FieldKind.Timestamp;
    case Decimal.LOGICAL_NAME:
    case DateType.LOGICAL_NAME:
    case TimeType.LOGICAL_NAME:
      return FieldKind.Other;
    default:
      break;
  }
  switch (schema.type) {
    case 'STRING':
      return FieldKind.String;
    case 'INT8':
    case 'INT16':
    case 'INT32':
    case 'INT64':
      return FieldKind.Integer;
    default:
      return FieldKind.Other;
  }
}

/** An object mapEntries would read with Object.entries. */
function isPlainObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !(v instanceof Map) && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function mapEntries(v: unknown, schema: Schema): Iterable<[unknown, unknown]> {
  if (v instanceof Map) return v.entries();
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)) return Object.entries(v);
  throw invalidType(schema, v);
}

function invalidType(schema: Schema, v: unknown): DataError {
  return new DataError(`Invalid type for ${schema.type}: ${nodeTypeOf(v)}`);
}
