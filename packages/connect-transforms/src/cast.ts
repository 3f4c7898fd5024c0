import {
  ConfigDef,
  ConfigError,
  DataError,
  DateType,
  Decimal,
  SchemaBuilder,
  Struct,
  TimeType,
  TimestampType,
  type ConnectRecord,
  type Schema,
  type SchemaType,
  type Transformation,
} from '@tributary/connect-api';
import { parseConfig, REPLACE_NULL_WITH_DEFAULT } from './util/config.js';
import { formatDateValue, javaDouble, javaFloat } from './util/java-values.js';
import { operandSchema, operandValue, withOperand, type Operand } from './util/operand.js';
import { className, copyMap, mapGet, mapSet, requireMap, requireStruct } from './util/requirements.js';
import { PerSchema, SchemaCache } from './util/schema-cache.js';
import { copySchemaBasics, fieldValue } from './util/schema-util.js';

const PURPOSE = 'cast types';
const INPUT_TYPES: SchemaType[] = [
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
const OUTPUT_TYPES: SchemaType[] = ['INT8', 'INT16', 'INT32', 'INT64', 'FLOAT32', 'FLOAT64', 'BOOLEAN', 'STRING'];
const ALL_TYPES = new Set<string>([...INPUT_TYPES, 'ARRAY', 'MAP', 'STRUCT']);

/** `f1:int32,f2:string` or a single bare type for the whole value; the empty key marks the whole value. */
function parseSpec(mappings: string[]): Map<string | null, SchemaType> {
  if (mappings.length === 0) throw new ConfigError('Must specify at least one field to cast.');
  const casts = new Map<string | null, SchemaType>();
  let whole = false;
  for (const mapping of mappings) {
    const parts = mapping.split(':');
    if (parts.length > 2) throw new ConfigError([{ key: 'renames', message: `Invalid rename mapping: ${mapping}` }]);
    const typeText = parts[parts.length - 1]!.trim();
    const type = typeText.toUpperCase();
    if (!ALL_TYPES.has(type)) throw new ConfigError(`Invalid type found in casting spec: ${typeText}`);
    if (!OUTPUT_TYPES.includes(type as SchemaType)) {
      throw new ConfigError(
        `Cast transformation does not support casting to ${type}; supported types are [${OUTPUT_TYPES.join(', ')}]`,
      );
    }
    if (parts.length === 1) {
      casts.set(null, type as SchemaType);
      whole = true;
    } else casts.set(parts[0]!.trim(), type as SchemaType);
  }
  if (whole && mappings.length > 1) {
    throw new ConfigError(
      'Cast transformations that specify a type to cast the entire value to may ony specify a single cast in their spec',
    );
  }
  return casts;
}

const CONFIG = new ConfigDef()
  .define({
    name: 'spec',
    type: 'LIST',
    importance: 'HIGH',
    validator: (v) => {
      try {
        parseSpec(v as string[]);
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    },
    documentation:
      'List of fields and the type to cast them to of the form field1:type,field2:type to cast fields of Maps or Structs. A single type to cast the entire value. Valid types are int8, int16, int32, int64, float32, float64, boolean, and string. Note that binary fields can only be cast to string.',
  })
  .define(REPLACE_NULL_WITH_DEFAULT);

/** Kafka's `Cast`: casts top-level fields, or the whole key/value, between numbers, boolean and string. */
export class Cast implements Transformation {
  private casts = new Map<string | null, SchemaType>();
  private whole: SchemaType | undefined;
  private replaceNullWithDefault = true;
  private readonly schemas = new SchemaCache();
  /** The cast of each field by position, per input schema (no name lookups per record). */
  private readonly targets = new PerSchema<Array<SchemaType | undefined>>();

  constructor(private readonly operand: Operand) {}

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    const c = parseConfig(CONFIG, props);
    this.casts = parseSpec(c.list('spec'));
    this.whole = this.casts.get(null);
    this.replaceNullWithDefault = c.bool('replace.null.with.default');
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    const value = operandValue(record, this.operand);
    if (value === null || value === undefined) return record;
    const schema = operandSchema(record, this.operand);
    if (schema === null) {
      if (this.whole) return withOperand(record, this.operand, null, castValue(null, value, this.whole));
      const map = requireMap(value, PURPOSE);
      const updated = copyMap(map);
      for (const [field, type] of this.casts)
        mapSet(updated, field!, castValue(null, mapGet(map, field!) ?? null, type));
      return withOperand(record, this.operand, null, updated);
    }
    const updatedSchema = this.schemas.get(schema, (s) => this.deriveSchema(s));
    if (this.whole) return withOperand(record, this.operand, updatedSchema, castValue(schema, value, this.whole));
    const struct = requireStruct(value, PURPOSE);
    const updated = new Struct(updatedSchema);
    const fields = struct.schema.fields!;
    if (struct.schema !== schema) {
      // a Struct of another schema than the record says: by name, checked
      for (const f of fields) {
        const v = fieldValue(struct, f.name, this.replaceNullWithDefault);
        const target = this.casts.get(f.name);
        updated.put(f.name, target ? castValue(f.schema, v, target) : v);
      }
      return withOperand(record, this.operand, updatedSchema, updated);
    }
    const targets = this.targets.get(struct.schema, () => fields.map((f) => this.casts.get(f.name)));
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      const v = struct.getAt(i, this.replaceNullWithDefault);
      const target = targets[i];
      // castValue produces exactly the target type, so its result is trusted too.
      if (target) updated.putTrustedAt(i, castValue(f.schema, v, target));
      else updated.putTrustedAt(i, v); // same position and field schema object as the input's
    }
    return withOperand(record, this.operand, updatedSchema, updated);
  }

  private deriveSchema(schema: Schema): Schema {
    let b: SchemaBuilder;
    if (this.whole) {
      b = copySchemaBasics(schema, new SchemaBuilder(this.whole));
    } else {
      b = copySchemaBasics(schema, SchemaBuilder.struct());
      for (const f of schema.fields!) {
        const target = this.casts.get(f.name);
        if (!target) {
          b.field(f.name, f.schema);
          continue;
        }
        const fb = new SchemaBuilder(target);
        if (f.schema.optional) fb.optional();
        if (f.schema.defaultValue != null) fb.defaultValue(castValue(f.schema, f.schema.defaultValue, target));
        b.field(f.name, fb.build());
      }
    }
    if (schema.optional) b.optional();
    if (schema.defaultValue != null) b.defaultValue(castValue(schema, schema.defaultValue, this.whole ?? 'STRUCT'));
    return b.build();
  }
}

function inferType(v: unknown): SchemaType | null {
  switch (typeof v) {
    case 'number':
      return Number.isInteger(v) ? 'INT64' : 'FLOAT64';
    case 'bigint':
      return 'INT64';
    case 'boolean':
      return 'BOOLEAN';
    case 'string':
      return 'STRING';
    default:
      break;
  }
  if (v instanceof Uint8Array) return 'BYTES';
  if (v instanceof Struct) return 'STRUCT';
  if (Array.isArray(v)) return 'ARRAY';
  if (v instanceof Map || (typeof v === 'object' && v !== null && !(v instanceof Date))) return 'MAP';
  return null;
}

/** Cast one value; a Struct default under a struct cast passes through unchanged. */
export function castValue(schema: Schema | null, value: unknown, target: SchemaType): unknown {
  if (value === null || value === undefined) return null;
  if (target === 'STRUCT') return value;
  const from = schema ? schema.type : inferType(value);
  if (from === null)
    throw new DataError(
      `Cast transformation was passed a value of type ${className(value)} which is not supported by Connect's data API`,
    );
  if (!INPUT_TYPES.includes(from)) {
    throw new DataError(
      `Cast transformation does not support casting from ${from}; supported types are [${INPUT_TYPES.join(', ')}]`,
    );
  }
  let v = value;
  if (schema?.name && target !== 'STRING' && v instanceof Date) {
    if (schema.name === DateType.LOGICAL_NAME) v = DateType.fromLogical(v);
    else if (schema.name === TimeType.LOGICAL_NAME) v = TimeType.fromLogical(v);
    else if (schema.name === TimestampType.LOGICAL_NAME) v = v.getTime();
  }
  if (schema?.name === Decimal.LOGICAL_NAME && target !== 'STRING' && typeof v === 'string') v = Number(v);
  try {
    return castTo(v, target, schema);
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(`Value (${String(value)}) was out of range for requested data type`, { cause: e });
  }
}

const INT_TEXT = /^[+-]?\d+$/;

function unexpectedType(v: unknown): DataError {
  return new DataError(`Unexpected type in Cast transformation: ${className(v)}`);
}

function castTo(v: unknown, target: SchemaType, schema: Schema | null): unknown {
  switch (target) {
    case 'INT8':
    case 'INT16':
    case 'INT32': {
      const bits = target === 'INT8' ? 8 : target === 'INT16' ? 16 : 32;
      if (typeof v === 'string') {
        const n = Number(v);
        if (!INT_TEXT.test(v) || n < -(2 ** (bits - 1)) || n >= 2 ** (bits - 1))
          throw new Error(`For input string: "${v}"`);
        return n;
      }
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (typeof v === 'number' || typeof v === 'bigint') return narrow(toInt32(v, isFloating(v, schema)), bits);
      throw unexpectedType(v);
    }
    case 'INT64': {
      if (typeof v === 'string') {
        if (!INT_TEXT.test(v)) throw new Error(`For input string: "${v}"`);
        const n = BigInt(v);
        if (n < -(2n ** 63n) || n >= 2n ** 63n) throw new Error(`For input string: "${v}"`);
        return Number.isSafeInteger(Number(n)) ? Number(n) : n;
      }
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (typeof v === 'bigint')
        return Number.isSafeInteger(Number(BigInt.asIntN(64, v))) ? Number(BigInt.asIntN(64, v)) : BigInt.asIntN(64, v);
      if (typeof v === 'number')
        return Number.isNaN(v) ? 0 : Math.trunc(Math.max(-(2 ** 63), Math.min(2 ** 63 - 1, v)));
      throw unexpectedType(v);
    }
    case 'FLOAT32':
    case 'FLOAT64': {
      let n: number;
      if (typeof v === 'string') {
        n = Number(v.trim());
        if (v.trim() === '' || (Number.isNaN(n) && v.trim() !== 'NaN')) throw new Error(`For input string: "${v}"`);
      } else if (typeof v === 'boolean') n = v ? 1 : 0;
      else if (typeof v === 'number' || typeof v === 'bigint') n = Number(v);
      else throw unexpectedType(v);
      return target === 'FLOAT32' ? Math.fround(n) : n;
    }
    case 'BOOLEAN':
      if (typeof v === 'string') return v.toLowerCase() === 'true';
      if (typeof v === 'boolean') return v;
      if (typeof v === 'number' || typeof v === 'bigint') return Math.trunc(Number(v)) !== 0;
      throw unexpectedType(v);
    case 'STRING':
      return castToString(v, schema);
    default:
      throw new DataError(`${target} is not supported in the Cast transformation.`);
  }
}

/** Java's `toString()` of the value, dates in Kafka's ISO forms and bytes in base64. */
function castToString(v: unknown, schema: Schema | null): string {
  if (v instanceof Date) return formatDateValue(v, schema);
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  if (typeof v === 'number') {
    if (schema?.type === 'FLOAT32') return javaFloat(v);
    if (schema?.type === 'FLOAT64' || (!schema && !Number.isInteger(v))) return javaDouble(v);
    return String(v);
  }
  if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  throw new DataError(`Unexpected type in Cast transformation: ${className(v)}`);
}

function isFloating(v: unknown, schema: Schema | null): boolean {
  return schema
    ? schema.type === 'FLOAT32' || schema.type === 'FLOAT64' || schema.name === Decimal.LOGICAL_NAME
    : typeof v === 'number' && !Number.isInteger(v);
}

/**
 * Java's conversions to int: from a double, NaN is 0, out-of-range saturates and fractions truncate;
 * from a long, the low 32 bits are kept.
 */
function toInt32(v: number | bigint, floating: boolean): number {
  if (typeof v === 'bigint') return Number(BigInt.asIntN(32, v));
  if (Number.isNaN(v)) return 0;
  if (floating) return Math.trunc(Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, v)));
  return Number(BigInt.asIntN(32, BigInt(Math.trunc(v))));
}

function narrow(n: number, bits: number): number {
  return bits === 32 ? n : (n << (32 - bits)) >> (32 - bits);
}
