import { DataError } from './errors.js';

/** Kafka Connect's schema types. Names are the upper-case Java enum names. */
export type SchemaType =
  | 'INT8'
  | 'INT16'
  | 'INT32'
  | 'INT64'
  | 'FLOAT32'
  | 'FLOAT64'
  | 'BOOLEAN'
  | 'STRING'
  | 'BYTES'
  | 'ARRAY'
  | 'MAP'
  | 'STRUCT';

export const PRIMITIVE_TYPES: readonly SchemaType[] = [
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FLOAT32',
  'FLOAT64',
  'BOOLEAN',
  'STRING',
  'BYTES',
];

/** A field of a STRUCT schema. */
export interface Field {
  readonly name: string;
  readonly index: number;
  readonly schema: Schema;
}

/**
 * An immutable schema, as in Kafka Connect. Values for each type:
 * INT8/16/32 and FLOAT32/64 → `number`; INT64 → `number` or `bigint` (bigint beyond 2^53);
 * BOOLEAN → `boolean`; STRING → `string`; BYTES → `Uint8Array`; ARRAY → `unknown[]`;
 * MAP → `Map<unknown, unknown>` (or a plain object for string keys); STRUCT → {@link Struct}.
 * Logical types: Decimal → decimal text (`"12.30"`), Date/Time/Timestamp → `Date`.
 */
export interface Schema {
  readonly type: SchemaType;
  readonly optional: boolean;
  readonly defaultValue?: unknown;
  readonly name?: string;
  readonly version?: number;
  readonly doc?: string;
  readonly parameters?: Readonly<Record<string, string>>;
  /** STRUCT only, in declaration order. */
  readonly fields?: readonly Field[];
  /** MAP only. */
  readonly keySchema?: Schema;
  /** ARRAY (items) and MAP (values). */
  readonly valueSchema?: Schema;
}

/** Fluent builder, mirroring Kafka's `SchemaBuilder`. */
export class SchemaBuilder {
  private s: { -readonly [K in keyof Schema]: Schema[K] };
  private readonly fieldList: Field[] = [];

  constructor(type: SchemaType) {
    this.s = { type, optional: false };
  }

  static int8(): SchemaBuilder {
    return new SchemaBuilder('INT8');
  }
  static int16(): SchemaBuilder {
    return new SchemaBuilder('INT16');
  }
  static int32(): SchemaBuilder {
    return new SchemaBuilder('INT32');
  }
  static int64(): SchemaBuilder {
    return new SchemaBuilder('INT64');
  }
  static float32(): SchemaBuilder {
    return new SchemaBuilder('FLOAT32');
  }
  static float64(): SchemaBuilder {
    return new SchemaBuilder('FLOAT64');
  }
  static bool(): SchemaBuilder {
    return new SchemaBuilder('BOOLEAN');
  }
  static string(): SchemaBuilder {
    return new SchemaBuilder('STRING');
  }
  static bytes(): SchemaBuilder {
    return new SchemaBuilder('BYTES');
  }
  static struct(): SchemaBuilder {
    return new SchemaBuilder('STRUCT');
  }
  static array(items: Schema): SchemaBuilder {
    const b = new SchemaBuilder('ARRAY');
    b.s.valueSchema = items;
    return b;
  }
  static map(keys: Schema, values: Schema): SchemaBuilder {
    const b = new SchemaBuilder('MAP');
    b.s.keySchema = keys;
    b.s.valueSchema = values;
    return b;
  }
  /** A builder seeded from an existing schema (fields included), to derive a changed copy. */
  static from(schema: Schema): SchemaBuilder {
    const b = new SchemaBuilder(schema.type);
    const { fields, ...rest } = schema;
    b.s = { ...rest };
    for (const f of fields ?? []) b.field(f.name, f.schema);
    return b;
  }

  optional(): this {
    this.s.optional = true;
    return this;
  }
  required(): this {
    this.s.optional = false;
    return this;
  }
  name(name: string): this {
    this.s.name = name;
    return this;
  }
  version(version: number): this {
    this.s.version = version;
    return this;
  }
  doc(doc: string): this {
    this.s.doc = doc;
    return this;
  }
  defaultValue(value: unknown): this {
    this.s.defaultValue = value;
    return this;
  }
  parameter(key: string, value: string): this {
    this.s.parameters = { ...(this.s.parameters ?? {}), [key]: value };
    return this;
  }
  parameters(params: Record<string, string>): this {
    this.s.parameters = { ...(this.s.parameters ?? {}), ...params };
    return this;
  }
  field(name: string, schema: Schema): this {
    if (this.s.type !== 'STRUCT') throw new DataError(`Cannot add field ${name} to a ${this.s.type} schema`);
    if (this.fieldList.some((f) => f.name === name)) throw new DataError(`Duplicate field name ${name}`);
    this.fieldList.push({ name, index: this.fieldList.length, schema });
    return this;
  }
  build(): Schema {
    const out: Schema = this.s.type === 'STRUCT' ? { ...this.s, fields: [...this.fieldList] } : { ...this.s };
    return Object.freeze(out);
  }
}

/** Ready-made primitive schemas, as Kafka's `Schema.INT32_SCHEMA`, `Schema.OPTIONAL_STRING_SCHEMA`, … */
export const Schemas = {
  INT8: SchemaBuilder.int8().build(),
  INT16: SchemaBuilder.int16().build(),
  INT32: SchemaBuilder.int32().build(),
  INT64: SchemaBuilder.int64().build(),
  FLOAT32: SchemaBuilder.float32().build(),
  FLOAT64: SchemaBuilder.float64().build(),
  BOOLEAN: SchemaBuilder.bool().build(),
  STRING: SchemaBuilder.string().build(),
  BYTES: SchemaBuilder.bytes().build(),
  OPTIONAL_INT8: SchemaBuilder.int8().optional().build(),
  OPTIONAL_INT16: SchemaBuilder.int16().optional().build(),
  OPTIONAL_INT32: SchemaBuilder.int32().optional().build(),
  OPTIONAL_INT64: SchemaBuilder.int64().optional().build(),
  OPTIONAL_FLOAT32: SchemaBuilder.float32().optional().build(),
  OPTIONAL_FLOAT64: SchemaBuilder.float64().optional().build(),
  OPTIONAL_BOOLEAN: SchemaBuilder.bool().optional().build(),
  OPTIONAL_STRING: SchemaBuilder.string().optional().build(),
  OPTIONAL_BYTES: SchemaBuilder.bytes().optional().build(),
} as const;

/** The field named `name` of a STRUCT schema, or undefined. */
export function schemaField(schema: Schema, name: string): Field | undefined {
  return schema.fields?.find((f) => f.name === name);
}
