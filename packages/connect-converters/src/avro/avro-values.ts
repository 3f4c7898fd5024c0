/**
 * Connect values ↔ the plain values avsc reads and writes, walked along the Connect schema (which
 * both sides have: the writer derives the Avro schema from it, the reader derives it from the Avro
 * schema). Logical types are converted here rather than through avsc's logical-type hooks so the
 * encoding is exactly Connect's (days, millis, unscaled two's-complement bytes).
 */
import { DataError, DateType, Decimal, Struct, TimeType, TimestampType, type Schema } from '@tributary/connect-api';

export function toAvroValue(schema: Schema, value: unknown, path = 'value'): unknown {
  if (value === null || value === undefined) {
    if (schema.defaultValue !== undefined) return toAvroValue(schema, schema.defaultValue, path);
    if (schema.optional) return null;
    throw new DataError(`Invalid value: null used for required field: "${path}", schema type: ${schema.type}`);
  }
  switch (schema.name) {
    case Decimal.LOGICAL_NAME:
      return Buffer.from(
        typeof value === 'string' ? Decimal.fromText(value, Decimal.scale(schema)) : asBytes(value, path),
      );
    case DateType.LOGICAL_NAME:
      return value instanceof Date ? DateType.fromLogical(value) : value;
    case TimeType.LOGICAL_NAME:
      return value instanceof Date ? TimeType.fromLogical(value) : value;
    case TimestampType.LOGICAL_NAME:
      return value instanceof Date ? value.getTime() : value;
  }
  switch (schema.type) {
    case 'BYTES':
      return Buffer.from(asBytes(value, path));
    case 'ARRAY': {
      if (!Array.isArray(value)) throw wrongType(schema, value, path);
      return value.map((v, i) => toAvroValue(schema.valueSchema!, v, `${path}[${i}]`));
    }
    case 'MAP': {
      const entries: Iterable<[unknown, unknown]> =
        value instanceof Map ? value.entries() : Object.entries(value as object);
      if (schema.keySchema!.type === 'STRING' && !schema.keySchema!.optional) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of entries) out[String(k)] = toAvroValue(schema.valueSchema!, v, `${path}.${String(k)}`);
        return out;
      }
      const out: Array<{ key: unknown; value: unknown }> = [];
      for (const [k, v] of entries) {
        out.push({
          key: toAvroValue(schema.keySchema!, k, `${path}.key`),
          value: toAvroValue(schema.valueSchema!, v, `${path}.value`),
        });
      }
      return out;
    }
    case 'STRUCT': {
      if (!(value instanceof Struct)) throw wrongType(schema, value, path);
      const out: Record<string, unknown> = {};
      for (const f of schema.fields!) out[f.name] = toAvroValue(f.schema, value.getWithoutDefault(f.name), f.name);
      return out;
    }
    default:
      return value; // numbers, strings, booleans: avsc checks their types
  }
}

export function fromAvroValue(schema: Schema, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (schema.name) {
    case Decimal.LOGICAL_NAME:
      return Decimal.toText(value as Uint8Array, Decimal.scale(schema));
    case DateType.LOGICAL_NAME:
      return DateType.toLogical(value as number);
    case TimeType.LOGICAL_NAME:
      return TimeType.toLogical(value as number);
    case TimestampType.LOGICAL_NAME:
      return TimestampType.toLogical(value as number);
  }
  switch (schema.type) {
    case 'BYTES':
      return new Uint8Array(value as Buffer);
    case 'ARRAY':
      return (value as unknown[]).map((v) => fromAvroValue(schema.valueSchema!, v));
    case 'MAP': {
      const out = new Map<unknown, unknown>();
      if (Array.isArray(value)) {
        for (const e of value as Array<{ key: unknown; value: unknown }>)
          out.set(fromAvroValue(schema.keySchema!, e.key), fromAvroValue(schema.valueSchema!, e.value));
      } else {
        for (const [k, v] of Object.entries(value as object)) out.set(k, fromAvroValue(schema.valueSchema!, v));
      }
      return out;
    }
    case 'STRUCT': {
      const s = new Struct(schema);
      const rec = value as Record<string, unknown>;
      for (const f of schema.fields!) s.put(f.name, fromAvroValue(f.schema, rec[f.name]));
      return s;
    }
    default:
      return value;
  }
}

function asBytes(value: unknown, path: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new DataError(`Invalid value for BYTES field "${path}": ${typeof value}`);
}

function wrongType(schema: Schema, value: unknown, path: string): DataError {
  return new DataError(`Invalid value for ${schema.type} field "${path}": ${value === null ? 'null' : typeof value}`);
}
