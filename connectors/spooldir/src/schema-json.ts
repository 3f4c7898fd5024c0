import { DataError, SchemaBuilder, type Schema, type SchemaType } from '@tributary/connect-api';

/**
 * The JSON form of a Connect schema used by `key.schema` and `value.schema`, as connect-utils'
 * `SchemaSerializationModule` writes it: `type` in capitals, `isOptional`, `fieldSchemas` (ordered),
 * `valueSchema`/`keySchema`, and logical types as `name` + base type. Kept byte-compatible so the
 * schemas of existing Java configs and of `tributary spooldir schema` are interchangeable.
 */
export interface SchemaJson {
  name?: string;
  doc?: string;
  type: SchemaType;
  isOptional?: boolean;
  version?: number;
  parameters?: Record<string, string>;
  defaultValue?: unknown;
  fieldSchemas?: Record<string, SchemaJson>;
  valueSchema?: SchemaJson;
  keySchema?: SchemaJson;
}

const TYPES = new Set<string>([
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FLOAT32',
  'FLOAT64',
  'BOOLEAN',
  'STRING',
  'BYTES',
  'ARRAY',
  'MAP',
  'STRUCT',
]);

/** Parses a schema string; throws a DataError that says which part is wrong. */
export function parseSchemaJson(text: string): Schema {
  let node: unknown;
  try {
    node = JSON.parse(text);
  } catch (e) {
    throw new DataError(
      `not valid JSON (${(e as Error).message}); give a schema such as {"type":"STRUCT","isOptional":false,"fieldSchemas":{...}}`,
    );
  }
  return fromJson(node, 'schema');
}

function fromJson(node: unknown, path: string): Schema {
  if (typeof node !== 'object' || node === null || Array.isArray(node))
    throw new DataError(`${path} must be a JSON object`);
  const n = node as Record<string, unknown>;
  const type = typeof n.type === 'string' ? n.type.toUpperCase() : '';
  if (!TYPES.has(type))
    throw new DataError(`${path}.type must be one of ${[...TYPES].join(', ')} (got ${JSON.stringify(n.type)})`);
  let b: SchemaBuilder;
  if (type === 'ARRAY') {
    if (n.valueSchema === undefined) throw new DataError(`${path}: an ARRAY needs "valueSchema"`);
    b = SchemaBuilder.array(fromJson(n.valueSchema, `${path}.valueSchema`));
  } else if (type === 'MAP') {
    if (n.keySchema === undefined || n.valueSchema === undefined)
      throw new DataError(`${path}: a MAP needs "keySchema" and "valueSchema"`);
    b = SchemaBuilder.map(fromJson(n.keySchema, `${path}.keySchema`), fromJson(n.valueSchema, `${path}.valueSchema`));
  } else {
    b = new SchemaBuilder(type as SchemaType);
  }
  if (type === 'STRUCT') {
    const fields = n.fieldSchemas ?? {};
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields))
      throw new DataError(`${path}.fieldSchemas must be an object of field name → schema`);
    for (const [name, f] of Object.entries(fields)) b.field(name, fromJson(f, `${path}.fieldSchemas.${name}`));
  }
  if (n.isOptional === true || n.optional === true) b.optional();
  if (typeof n.name === 'string') b.name(n.name);
  if (typeof n.doc === 'string') b.doc(n.doc);
  if (typeof n.version === 'number') b.version(n.version);
  if (n.parameters && typeof n.parameters === 'object')
    b.parameters(Object.fromEntries(Object.entries(n.parameters).map(([k, v]) => [k, String(v)])));
  if (n.defaultValue !== undefined && n.defaultValue !== null) b.defaultValue(n.defaultValue);
  return b.build();
}

/** The connect-utils JSON form of `schema`, property order as the Java serializer writes it. */
export function schemaToJson(schema: Schema): SchemaJson {
  const out: SchemaJson = {} as SchemaJson;
  if (schema.name !== undefined) out.name = schema.name;
  if (schema.doc !== undefined) out.doc = schema.doc;
  out.type = schema.type;
  if (schema.version !== undefined) out.version = schema.version;
  if (schema.parameters !== undefined) out.parameters = { ...schema.parameters };
  out.isOptional = schema.optional;
  if (schema.defaultValue !== undefined) out.defaultValue = schema.defaultValue;
  if (schema.type === 'STRUCT')
    out.fieldSchemas = Object.fromEntries((schema.fields ?? []).map((f) => [f.name, schemaToJson(f.schema)]));
  if (schema.keySchema) out.keySchema = schemaToJson(schema.keySchema);
  if (schema.valueSchema) out.valueSchema = schemaToJson(schema.valueSchema);
  return out;
}

/** A key schema holding the named fields of `value`, as the Java connector copies key fields from the value. */
export function keySchemaFor(value: Schema, fields: readonly string[], name: string): Schema {
  const b = SchemaBuilder.struct().name(name);
  for (const f of fields) {
    const field = value.fields?.find((x) => x.name === f);
    if (!field)
      throw new DataError(
        `key field "${f}" is not a field of the value schema (fields: ${(value.fields ?? []).map((x) => x.name).join(', ')})`,
      );
    b.field(f, field.schema);
  }
  return b.build();
}
