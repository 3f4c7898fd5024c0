import {
  DataError,
  DateType,
  Decimal,
  SchemaBuilder,
  Struct,
  TimeType,
  TimestampType,
  type Schema,
} from '@tributary/connect-api';
import { fromBase64 } from './java-text.js';
import { decimalUnscaled, ExactNumber } from './values.js';

/** Turns one parsed JSON value into the Connect value of a fixed schema. */
export type ValueReader = (node: unknown) => unknown;

const SCHEMA_TYPES: Record<string, () => SchemaBuilder> = {
  boolean: SchemaBuilder.bool,
  int8: SchemaBuilder.int8,
  int16: SchemaBuilder.int16,
  int32: SchemaBuilder.int32,
  int64: SchemaBuilder.int64,
  float: SchemaBuilder.float32,
  double: SchemaBuilder.float64,
  bytes: SchemaBuilder.bytes,
  string: SchemaBuilder.string,
};

/** Jackson's node type names, which Kafka's messages print. */
export function jsonNodeType(node: unknown): string {
  if (node === null || node === undefined) return 'NULL';
  if (Array.isArray(node)) return 'ARRAY';
  switch (typeof node) {
    case 'string':
      return 'STRING';
    case 'boolean':
      return 'BOOLEAN';
    case 'number':
    case 'bigint':
      return 'NUMBER';
    default:
      return node instanceof ExactNumber ? 'NUMBER' : 'OBJECT';
  }
}

/**
 * Reads Kafka's JSON schema nodes and payloads, with Kafka's checks and messages. Readers are compiled
 * once per schema object; the converter caches schemas by their JSON text, so each distinct schema is
 * parsed once and its Structs share one Schema instance.
 */
export class JsonReader {
  private readonly readers = new WeakMap<Schema, ValueReader>();

  constructor(private readonly replaceNullWithDefault: boolean) {}

  asConnectSchema(node: unknown): Schema | null {
    if (node === null) return null;
    if (typeof node !== 'object' || Array.isArray(node)) throw new DataError("Schema must contain 'type' field");
    const n = node as Record<string, unknown>;
    const type = n.type;
    if (typeof type !== 'string') throw new DataError("Schema must contain 'type' field");
    let builder: SchemaBuilder;
    if (type in SCHEMA_TYPES) builder = SCHEMA_TYPES[type]!();
    else if (type === 'array') {
      if (n.items == null) throw new DataError('Array schema did not specify the element type');
      builder = SchemaBuilder.array(this.asConnectSchema(n.items)!);
    } else if (type === 'map') {
      if (n.keys === undefined) throw new DataError('Map schema did not specify the key type');
      if (n.values === undefined) throw new DataError('Map schema did not specify the value type');
      builder = SchemaBuilder.map(this.asConnectSchema(n.keys)!, this.asConnectSchema(n.values)!);
    } else if (type === 'struct') {
      builder = SchemaBuilder.struct();
      if (!Array.isArray(n.fields)) throw new DataError('Struct schema\'s "fields" argument is not an array.');
      for (const field of n.fields as unknown[]) {
        const name = (field as Record<string, unknown> | null)?.field;
        if (typeof name !== 'string') throw new DataError("Struct schema's field name not specified properly");
        builder.field(name, this.asConnectSchema(field)!);
      }
    } else {
      throw new DataError(`Unknown schema type: ${type}`);
    }
    if (n.optional === true) builder.optional();
    if (typeof n.name === 'string') builder.name(n.name);
    if (typeof n.version === 'number' && Number.isInteger(n.version)) builder.version(n.version);
    if (typeof n.doc === 'string') builder.doc(n.doc);
    if (typeof n.parameters === 'object' && n.parameters !== null && !Array.isArray(n.parameters)) {
      for (const [k, v] of Object.entries(n.parameters)) {
        if (typeof v !== 'string') throw new DataError('Schema parameters must have string values.');
        builder.parameter(k, v);
      }
    }
    if (n.default === undefined) return builder.build();
    const bare = builder.build();
    return SchemaBuilder.from(bare).defaultValue(this.readerFor(bare)(n.default)).build();
  }

  readerFor(schema: Schema): ValueReader {
    let r = this.readers.get(schema);
    if (r === undefined) {
      r = this.withNulls(schema, this.compileLogical(schema) ?? this.compile(schema));
      this.readers.set(schema, r);
    }
    return r;
  }

  private withNulls(schema: Schema, read: ValueReader): ValueReader {
    const fallback = schema.defaultValue;
    const useDefault = fallback != null && this.replaceNullWithDefault;
    const optional = schema.optional;
    return (node) => {
      if (node != null) return read(node);
      if (useDefault) return fallback;
      if (optional) return null;
      throw new DataError(`Invalid null value for required ${schema.type} field`);
    };
  }

  private compile(schema: Schema): ValueReader {
    switch (schema.type) {
      case 'INT8':
      case 'INT16':
      case 'INT32':
        return (n) => Math.trunc(toNumber(n, schema));
      case 'INT64':
        return (n) => {
          if (typeof n === 'bigint') return Number.isSafeInteger(Number(n)) ? Number(n) : n;
          if (n instanceof ExactNumber) return BigInt(n.text.replace(/\..*$/, ''));
          return Math.trunc(toNumber(n, schema));
        };
      case 'FLOAT32':
        return (n) => Math.fround(toNumber(n, schema));
      case 'FLOAT64':
        return (n) => toNumber(n, schema);
      case 'BOOLEAN':
        return (n) => {
          if (typeof n !== 'boolean') throw mismatch(schema, n);
          return n;
        };
      case 'STRING':
        return (n) => {
          if (typeof n !== 'string') throw mismatch(schema, n);
          return n;
        };
      case 'BYTES':
        return (n) => {
          const b = typeof n === 'string' ? fromBase64(n) : null;
          if (b === null) throw new DataError('Invalid bytes field');
          return b;
        };
      case 'ARRAY': {
        const item = this.readerFor(schema.valueSchema!);
        return (n) => {
          if (!Array.isArray(n)) throw mismatch(schema, n);
          return n.map(item);
        };
      }
      case 'MAP':
        return this.compileMap(schema);
      case 'STRUCT':
        return this.compileStruct(schema);
    }
  }

  private compileMap(schema: Schema): ValueReader {
    const readKey = this.readerFor(schema.keySchema!);
    const readValue = this.readerFor(schema.valueSchema!);
    if (schema.keySchema!.type === 'STRING') {
      return (n) => {
        if (jsonNodeType(n) !== 'OBJECT')
          throw new DataError(
            `Maps with string fields should be encoded as JSON objects, but found ${jsonNodeType(n)}`,
          );
        const out = new Map<unknown, unknown>();
        for (const [k, v] of Object.entries(n as object)) out.set(k, readValue(v));
        return out;
      };
    }
    return (n) => {
      if (!Array.isArray(n))
        throw new DataError(
          `Maps with non-string fields should be encoded as JSON array of tuples, but found ${jsonNodeType(n)}`,
        );
      const out = new Map<unknown, unknown>();
      for (const entry of n) {
        if (!Array.isArray(entry))
          throw new DataError(`Found invalid map entry instead of array tuple: ${jsonNodeType(entry)}`);
        if (entry.length !== 2)
          throw new DataError(`Found invalid map entry, expected length 2 but found :${entry.length}`);
        out.set(readKey(entry[0]), readValue(entry[1]));
      }
      return out;
    };
  }

  private compileStruct(schema: Schema): ValueReader {
    const fields = schema.fields!.map((f) => ({ name: f.name, read: this.readerFor(f.schema) }));
    return (n) => {
      if (jsonNodeType(n) !== 'OBJECT')
        throw new DataError(`Structs should be encoded as JSON objects, but found ${jsonNodeType(n)}`);
      const obj = n as Record<string, unknown>;
      const out = new Struct(schema);
      for (const f of fields) {
        const v = f.read(obj[f.name]);
        if (v !== null) out.put(f.name, v);
      }
      return out;
    };
  }

  private compileLogical(schema: Schema): ValueReader | undefined {
    switch (schema.name) {
      case Decimal.LOGICAL_NAME: {
        const scale = Decimal.scale(schema);
        return (n) => {
          if (typeof n === 'number' || typeof n === 'bigint' || n instanceof ExactNumber) {
            return Decimal.format(decimalUnscaled(n, scale), scale);
          }
          if (typeof n === 'string') {
            const bytes = fromBase64(n);
            if (bytes === null) throw new DataError('Invalid bytes for Decimal field');
            return Decimal.toText(bytes, scale);
          }
          throw new DataError(
            `Invalid type for Decimal, underlying representation should be numeric or bytes but was ${jsonNodeType(n)}`,
          );
        };
      }
      case DateType.LOGICAL_NAME:
        return (n) => {
          if (typeof n !== 'number' || !Number.isInteger(n))
            throw new DataError(
              `Invalid type for Date, underlying representation should be integer but was ${jsonNodeType(n)}`,
            );
          return DateType.toLogical(n);
        };
      case TimeType.LOGICAL_NAME:
        return (n) => {
          if (typeof n !== 'number' || !Number.isInteger(n))
            throw new DataError(
              `Invalid type for Time, underlying representation should be integer but was ${jsonNodeType(n)}`,
            );
          return TimeType.toLogical(n);
        };
      case TimestampType.LOGICAL_NAME:
        return (n) => {
          if ((typeof n !== 'number' || !Number.isInteger(n)) && typeof n !== 'bigint') {
            throw new DataError(
              `Invalid type for Timestamp, underlying representation should be integral but was ${jsonNodeType(n)}`,
            );
          }
          return TimestampType.toLogical(n);
        };
      default:
        return undefined;
    }
  }
}

/** A schemaless payload: objects stay plain objects (string-keyed maps), numbers kept exact when they must be. */
export function readSchemaless(node: unknown): unknown {
  if (node instanceof ExactNumber) return Number(node.text);
  if (Array.isArray(node)) return node.some(needsFix) ? node.map(readSchemaless) : node;
  if (typeof node === 'object' && node !== null) {
    const obj = node as Record<string, unknown>;
    for (const k of Object.keys(obj)) if (needsFix(obj[k])) obj[k] = readSchemaless(obj[k]);
  }
  return node;
}

function needsFix(v: unknown): boolean {
  return typeof v === 'object' && v !== null;
}

function toNumber(n: unknown, schema: Schema): number {
  if (typeof n === 'number') return n;
  if (typeof n === 'bigint') return Number(n);
  if (n instanceof ExactNumber) return Number(n.text);
  // Our writer (like Jackson) quotes the non-finite doubles.
  if (n === 'NaN') return NaN;
  if (n === 'Infinity') return Infinity;
  if (n === '-Infinity') return -Infinity;
  throw mismatch(schema, n);
}

function mismatch(schema: Schema, n: unknown): DataError {
  return new DataError(`Invalid value for ${schema.type} field: found JSON ${jsonNodeType(n)}`);
}
