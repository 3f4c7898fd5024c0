import type { Schema } from '@tributary/connect-api';

/** An Elasticsearch field mapping (the subset this connector writes). */
export type FieldMapping = Record<string, unknown>;

const LOGICAL_DATES = new Set([
  'org.apache.kafka.connect.data.Date',
  'org.apache.kafka.connect.data.Time',
  'org.apache.kafka.connect.data.Timestamp',
]);
const DECIMAL = 'org.apache.kafka.connect.data.Decimal';

const PRIMITIVES: Partial<Record<Schema['type'], string>> = {
  BOOLEAN: 'boolean',
  INT8: 'byte',
  INT16: 'short',
  INT32: 'integer',
  INT64: 'long',
  FLOAT32: 'float',
  FLOAT64: 'double',
  BYTES: 'binary',
};

/**
 * The mapping of an index, built from a record's value schema as Confluent's `Mapping` does: Connect
 * primitives to their ES numeric/boolean/binary types, strings to `text` with a `keyword` sub-field
 * (ignore_above 256, Elasticsearch's own dynamic default), Date/Time/Timestamp to `date`, Decimal to
 * `double`, structs to `properties`, arrays to their element's mapping. A schema default becomes
 * `null_value` where ES allows one. Null when the value is not a struct (or a map), since only
 * objects have properties to map.
 */
export function mappingFor(schema: Schema | null | undefined): { properties: Record<string, FieldMapping> } | null {
  if (!schema || schema.type !== 'STRUCT') return null;
  return { properties: propertiesOf(schema) };
}

function propertiesOf(schema: Schema): Record<string, FieldMapping> {
  const out: Record<string, FieldMapping> = {};
  for (const f of schema.fields ?? []) out[f.name] = fieldMapping(f.schema);
  return out;
}

export function fieldMapping(schema: Schema): FieldMapping {
  if (schema.name && LOGICAL_DATES.has(schema.name)) return withNullValue({ type: 'date' }, schema, dateDefault);
  if (schema.name === DECIMAL) return withNullValue({ type: 'double' }, schema, (v) => Number(v));
  switch (schema.type) {
    case 'STRING':
      return { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } };
    case 'STRUCT':
      return { properties: propertiesOf(schema) };
    case 'ARRAY':
      return schema.valueSchema ? fieldMapping(schema.valueSchema) : { type: 'object' };
    case 'MAP':
      // Compact maps become objects whose keys are data, so their fields are left to dynamic mapping.
      return { type: 'object' };
    case 'BYTES':
      return { type: 'binary' };
    default:
      return withNullValue({ type: PRIMITIVES[schema.type]! }, schema, (v) => (typeof v === 'bigint' ? Number(v) : v));
  }
}

function withNullValue(m: FieldMapping, schema: Schema, convert: (v: unknown) => unknown): FieldMapping {
  if (schema.defaultValue === undefined || schema.defaultValue === null) return m;
  return { ...m, null_value: convert(schema.defaultValue) };
}

function dateDefault(v: unknown): unknown {
  return v instanceof Date ? v.getTime() : v;
}
