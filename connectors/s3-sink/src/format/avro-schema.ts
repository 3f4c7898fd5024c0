import {
  DataError, DateType, Decimal, Struct, TimeType, TimestampType, type Schema,
} from '@tributary/connect-api';

/** An Avro schema as JSON (the shape avsc and the container header take). */
export type AvroSchema = string | Record<string, unknown> | AvroSchema[];

const NAMESPACE = 'io.confluent.connect.avro';

/**
 * The Avro schema for a Connect schema, following Confluent's AvroData: records keep the Connect
 * name (or `ConnectDefault`, `ConnectDefault2`, … when unnamed), optional types become
 * `["null", T]` with a null default, and logical types keep their Avro logical annotations.
 */
export function toAvroSchema(schema: Schema): AvroSchema {
  let unnamed = 0;
  const names = new Set<string>();
  const recordName = (s: Schema): string => {
    let n = s.name ?? `${NAMESPACE}.ConnectDefault${unnamed++ === 0 ? '' : unnamed}`;
    while (names.has(n)) n = `${n}_${unnamed++}`;
    names.add(n);
    return n;
  };
  const convert = (s: Schema): AvroSchema => {
    const base = nonOptional(s);
    return s.optional ? ['null', base] : base;
  };
  const nonOptional = (s: Schema): AvroSchema => {
    switch (s.name) {
      case Decimal.LOGICAL_NAME:
        return { type: 'bytes', logicalType: 'decimal', precision: Number(s.parameters?.['connect.decimal.precision'] ?? 64), scale: Decimal.scale(s) };
      case DateType.LOGICAL_NAME: return { type: 'int', logicalType: 'date' };
      case TimeType.LOGICAL_NAME: return { type: 'int', logicalType: 'time-millis' };
      case TimestampType.LOGICAL_NAME: return { type: 'long', logicalType: 'timestamp-millis' };
    }
    switch (s.type) {
      case 'INT8': return { type: 'int', 'connect.type': 'int8' };
      case 'INT16': return { type: 'int', 'connect.type': 'int16' };
      case 'INT32': return 'int';
      case 'INT64': return 'long';
      case 'FLOAT32': return 'float';
      case 'FLOAT64': return 'double';
      case 'BOOLEAN': return 'boolean';
      case 'STRING': return 'string';
      case 'BYTES': return 'bytes';
      case 'ARRAY': return { type: 'array', items: convert(s.valueSchema!) };
      case 'MAP':
        if (s.keySchema!.type === 'STRING' && !s.keySchema!.optional) return { type: 'map', values: convert(s.valueSchema!) };
        return { type: 'array', items: { type: 'record', name: recordName({ type: 'STRUCT', optional: false, name: `${NAMESPACE}.MapEntry` }), fields: [
          { name: 'key', type: convert(s.keySchema!) }, { name: 'value', type: convert(s.valueSchema!) }] } };
      case 'STRUCT':
        return {
          type: 'record', name: recordName(s),
          fields: (s.fields ?? []).map((f) => (f.schema.optional ? { name: f.name, type: convert(f.schema), default: null } : { name: f.name, type: convert(f.schema) })),
        };
    }
  };
  return convert(schema);
}

/** A Connect value in the shape avsc encodes for {@link toAvroSchema}'s schema. */
export function toAvroValue(value: unknown, s: Schema, path = 'value'): unknown {
  if (value === null || value === undefined) {
    if (s.optional) return null;
    throw new DataError(`${path} is null but its schema is not optional`);
  }
  switch (s.name) {
    case Decimal.LOGICAL_NAME: return Buffer.from(Decimal.fromText(String(value), Decimal.scale(s)));
    case DateType.LOGICAL_NAME: return value instanceof Date ? DateType.fromLogical(value) : value;
    case TimeType.LOGICAL_NAME: return value instanceof Date ? TimeType.fromLogical(value) : value;
    case TimestampType.LOGICAL_NAME: return value instanceof Date ? value.getTime() : Number(value);
  }
  switch (s.type) {
    case 'INT64': return typeof value === 'bigint' ? Number(value) : value;
    case 'BYTES': return Buffer.from(value as Uint8Array);
    case 'ARRAY': return (value as unknown[]).map((v, i) => toAvroValue(v, s.valueSchema!, `${path}[${i}]`));
    case 'MAP': {
      const entries: [unknown, unknown][] = value instanceof Map ? [...value.entries()] : Object.entries(value as object);
      if (s.keySchema!.type === 'STRING' && !s.keySchema!.optional) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of entries) out[String(k)] = toAvroValue(v, s.valueSchema!, `${path}.${String(k)}`);
        return out;
      }
      return entries.map(([k, v]) => ({ key: toAvroValue(k, s.keySchema!, `${path}.key`), value: toAvroValue(v, s.valueSchema!, `${path}.value`) }));
    }
    case 'STRUCT': {
      if (!(value instanceof Struct)) throw new DataError(`${path} should be a Struct for its STRUCT schema`);
      const out: Record<string, unknown> = {};
      for (const f of s.fields ?? []) out[f.name] = toAvroValue(value.get(f.name), f.schema, `${path}.${f.name}`);
      return out;
    }
    default: return value;
  }
}
