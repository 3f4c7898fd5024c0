/**
 * Connect schema ↔ Avro schema, as Confluent's `AvroData` maps them (with `connect.meta.data=true`,
 * enhanced schema support off), so schemas registered by Tributary look like the ones Kafka Connect
 * registers and schemas registered by Kafka Connect read back into the same Connect schemas.
 */
import {
  DataError,
  DateType,
  Decimal,
  SchemaBuilder,
  TimeType,
  TimestampType,
  type Schema,
} from '@tributary/connect-api';

/** An Avro schema in its JSON form (what the registry stores). */
export type AvroSchema = string | AvroSchema[] | { [key: string]: unknown };

export const NAMESPACE = 'io.confluent.connect.avro';
export const DEFAULT_RECORD_NAME = 'ConnectDefault';
export const MAP_ENTRY_NAME = 'MapEntry';
/** Connect parameter Confluent uses to carry a Decimal's precision. */
export const DECIMAL_PRECISION_PARAM = 'connect.decimal.precision';
const DECIMAL_PRECISION_DEFAULT = 64;

/**
 * Names given to Avro records so far, with the Connect schema each was made for (a MapEntry record:
 * the map's schema).
 */
type Names = Map<string, Schema>;

/**
 * Avro JSON for a Connect schema. Records are named once; a later use of the same schema refers to the
 * name. A different schema that would get a name already taken (two unnamed structs are both
 * `ConnectDefault`, every map with non-string keys has a `MapEntry`) gets the name with a number
 * (`ConnectDefault2`, `MapEntry2`), since Avro refuses to define one name twice; `connect.name` keeps
 * the Connect name.
 */
export function fromConnectSchema(schema: Schema, named: Names = new Map()): AvroSchema {
  const base = baseSchema(schema, named);
  if (!schema.optional) return base;
  // Optional → union with null; null goes second when the default is not null, as Avro requires the
  // default to match the first branch.
  return schema.defaultValue != null ? [base, 'null'] : ['null', base];
}

function baseSchema(schema: Schema, named: Names): AvroSchema {
  let out: Record<string, unknown>;
  let connectType: string | undefined;
  switch (schema.type) {
    case 'INT8':
      out = { type: 'int' };
      connectType = 'int8';
      break;
    case 'INT16':
      out = { type: 'int' };
      connectType = 'int16';
      break;
    case 'INT32':
      out = { type: 'int' };
      break;
    case 'INT64':
      out = { type: 'long' };
      break;
    case 'FLOAT32':
      out = { type: 'float' };
      break;
    case 'FLOAT64':
      out = { type: 'double' };
      break;
    case 'BOOLEAN':
      out = { type: 'boolean' };
      break;
    case 'STRING':
      out = { type: 'string' };
      break;
    case 'BYTES':
      out = { type: 'bytes' };
      if (schema.name === Decimal.LOGICAL_NAME) {
        out.scale = Decimal.scale(schema);
        out.precision = Number(schema.parameters?.[DECIMAL_PRECISION_PARAM] ?? DECIMAL_PRECISION_DEFAULT);
      }
      break;
    case 'ARRAY':
      out = { type: 'array', items: fromConnectSchema(schema.valueSchema!, named) };
      break;
    case 'MAP':
      if (schema.keySchema!.type === 'STRING' && !schema.keySchema!.optional) {
        out = { type: 'map', values: fromConnectSchema(schema.valueSchema!, named) };
      } else {
        // Avro maps have string keys only: other keys become an array of key/value records.
        const [entryName, known] = claimName(`${NAMESPACE}.${MAP_ENTRY_NAME}`, schema, named);
        const entry = known
          ? entryName
          : {
              type: 'record',
              name: splitName(entryName)[1],
              namespace: NAMESPACE,
              fields: [field('key', schema.keySchema!, named), field('value', schema.valueSchema!, named)],
            };
        out = { type: 'array', items: entry };
      }
      break;
    case 'STRUCT': {
      const [full, known] = claimName(schema.name ?? `${NAMESPACE}.${DEFAULT_RECORD_NAME}`, schema, named);
      if (known) return full;
      const [namespace, name] = splitName(full);
      out = {
        type: 'record',
        name,
        ...(namespace ? { namespace } : {}),
        fields: schema.fields!.map((f) => field(f.name, f.schema, named)),
      };
      break;
    }
  }
  if (schema.doc !== undefined) out['connect.doc'] = schema.doc;
  if (schema.version !== undefined) out['connect.version'] = schema.version;
  if (schema.parameters && Object.keys(schema.parameters).length > 0)
    out['connect.parameters'] = { ...schema.parameters };
  if (schema.defaultValue != null) out['connect.default'] = defaultToJson(schema, schema.defaultValue);
  if (schema.name !== undefined) out['connect.name'] = schema.name;
  if (connectType) out['connect.type'] = connectType;
  const logical = logicalTypeOf(schema.name);
  if (logical) out.logicalType = logical;
  // A bare primitive is written as its type name, as Avro's own toString does.
  return Object.keys(out).length === 1 ? (out.type as string) : out;
}

function field(name: string, schema: Schema, named: Names): Record<string, unknown> {
  const f: Record<string, unknown> = { name, type: fromConnectSchema(schema, named) };
  if (schema.defaultValue != null) f.default = defaultToJson(schema, schema.defaultValue);
  else if (schema.optional) f.default = null;
  return f;
}

function logicalTypeOf(name: string | undefined): string | undefined {
  switch (name) {
    case Decimal.LOGICAL_NAME:
      return 'decimal';
    case DateType.LOGICAL_NAME:
      return 'date';
    case TimeType.LOGICAL_NAME:
      return 'time-millis';
    case TimestampType.LOGICAL_NAME:
      return 'timestamp-millis';
    default:
      return undefined;
  }
}

/** A default value in Avro's JSON encoding (bytes as ISO-8859-1 text). */
function defaultToJson(schema: Schema, v: unknown): unknown {
  if (v instanceof Date) {
    if (schema.name === DateType.LOGICAL_NAME) return DateType.fromLogical(v);
    if (schema.name === TimeType.LOGICAL_NAME) return TimeType.fromLogical(v);
    return v.getTime();
  }
  if (schema.name === Decimal.LOGICAL_NAME && typeof v === 'string')
    return Buffer.from(Decimal.fromText(v, Decimal.scale(schema))).toString('latin1');
  if (v instanceof Uint8Array) return Buffer.from(v).toString('latin1');
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Map) return Object.fromEntries(v);
  if (typeof v === 'object' && v !== null && 'toJSON' in v) return (v as { toJSON(): unknown }).toJSON();
  return v;
}

/** The record name for `schema` (`base`, else `base2`, `base3`, …) and whether it was defined already. */
function claimName(base: string, schema: Schema, named: Names): [string, boolean] {
  let full = base;
  for (let n = 2; ; n++) {
    const seen = named.get(full);
    if (seen === undefined) break;
    if (seen === schema || schemaKey(seen) === schemaKey(schema)) return [full, true];
    full = `${base}${n}`;
  }
  named.set(full, schema);
  return [full, false];
}

/** A record name this module gives, with or without the number claimName adds. */
const NUMBERED = (name: string) => new RegExp(`^${NAMESPACE.replaceAll('.', '\\.')}\\.${name}\\d*$`);

const schemaKeys = new WeakMap<Schema, string>();

/**
 * A text that two schemas share only when they define the same record (values JSON lacks written as
 * text). Whether the schema itself is optional, and its default, belong to the use, not the record.
 */
function schemaKey(schema: Schema): string {
  let key = schemaKeys.get(schema);
  if (key === undefined) {
    const record = { ...schema, optional: false, defaultValue: undefined };
    key = JSON.stringify(record, (_k, v: unknown) =>
      typeof v === 'bigint' || v instanceof Uint8Array || v instanceof Map ? String(v instanceof Map ? [...v] : v) : v,
    );
    schemaKeys.set(schema, key);
  }
  return key;
}

function splitName(full: string): [string, string] {
  const i = full.lastIndexOf('.');
  return i < 0 ? ['', full] : [full.slice(0, i), full.slice(i + 1)];
}

/** The Connect schema for an Avro schema (a writer schema fetched from the registry). */
export function toConnectSchema(avro: AvroSchema, named = new Map<string, Schema>(), namespace = ''): Schema {
  if (typeof avro === 'string') {
    const known = named.get(avro) ?? named.get(namespace ? `${namespace}.${avro}` : avro);
    if (known) return known;
    return toConnectSchema({ type: avro }, named, namespace);
  }
  if (Array.isArray(avro)) {
    const others = avro.filter((b) => b !== 'null');
    if (others.length !== 1 || others.length === avro.length) {
      throw new DataError(
        `Avro union ${JSON.stringify(avro)} is not supported: only unions of null and one type map to Connect schemas`,
      );
    }
    const inner = toConnectSchema(others[0]!, named, namespace);
    return inner.optional ? inner : Object.freeze({ ...inner, optional: true });
  }
  const type = avro.type as AvroSchema;
  if (typeof type !== 'string') return toConnectSchema(type, named, namespace);
  const connectName = avro['connect.name'] as string | undefined;
  let b: SchemaBuilder;
  switch (type) {
    case 'int':
      if (avro['connect.type'] === 'int8') b = SchemaBuilder.int8();
      else if (avro['connect.type'] === 'int16') b = SchemaBuilder.int16();
      else if (avro.logicalType === 'date') b = DateType.builder();
      else if (avro.logicalType === 'time-millis') b = TimeType.builder();
      else b = SchemaBuilder.int32();
      break;
    case 'long':
      b = avro.logicalType === 'timestamp-millis' ? TimestampType.builder() : SchemaBuilder.int64();
      break;
    case 'float':
      b = SchemaBuilder.float32();
      break;
    case 'double':
      b = SchemaBuilder.float64();
      break;
    case 'boolean':
      b = SchemaBuilder.bool();
      break;
    case 'string':
    case 'enum':
      b = SchemaBuilder.string();
      break;
    case 'bytes':
    case 'fixed':
      if (avro.logicalType === 'decimal') {
        b = Decimal.builder(Number(avro.scale ?? 0)).parameter(
          DECIMAL_PRECISION_PARAM,
          String(avro.precision ?? DECIMAL_PRECISION_DEFAULT),
        );
      } else b = SchemaBuilder.bytes();
      if (type === 'fixed') named.set(fullName(avro, namespace), b.build());
      break;
    case 'array': {
      const items = avro.items as AvroSchema;
      const entry = mapEntry(items, namespace);
      if (entry) {
        const fields = entry.fields as Array<{ type: AvroSchema }>;
        b = SchemaBuilder.map(
          toConnectSchema(fields[0]!.type, named, NAMESPACE),
          toConnectSchema(fields[1]!.type, named, NAMESPACE),
        );
      } else b = SchemaBuilder.array(toConnectSchema(items, named, namespace));
      break;
    }
    case 'map':
      b = SchemaBuilder.map(
        SchemaBuilder.string().build(),
        toConnectSchema(avro.values as AvroSchema, named, namespace),
      );
      break;
    case 'record': {
      const full = fullName(avro, namespace);
      const ns = full.includes('.') ? full.slice(0, full.lastIndexOf('.')) : '';
      b = SchemaBuilder.struct();
      if (connectName !== undefined || !NUMBERED(DEFAULT_RECORD_NAME).test(full)) b.name(connectName ?? full);
      for (const f of avro.fields as Array<{ name: string; type: AvroSchema; default?: unknown }>) {
        let fs = toConnectSchema(f.type, named, ns);
        if (f.default !== undefined && f.default !== null && fs.defaultValue === undefined) {
          fs = Object.freeze({ ...fs, defaultValue: defaultFromJson(fs, f.default) });
        }
        b.field(f.name, fs);
      }
      break;
    }
    default:
      throw new DataError(`Avro type ${type} is not supported by the AvroConverter`);
  }
  if (connectName && type !== 'record') b.name(connectName);
  if (typeof avro['connect.version'] === 'number') b.version(avro['connect.version']);
  if (typeof avro['connect.doc'] === 'string') b.doc(avro['connect.doc']);
  const params = avro['connect.parameters'];
  if (params && typeof params === 'object') b.parameters(params as Record<string, string>);
  const built = b.build();
  if (avro['connect.default'] !== undefined) {
    return Object.freeze({ ...built, defaultValue: defaultFromJson(built, avro['connect.default']) });
  }
  if (type === 'record') named.set(fullName(avro, namespace), built);
  return built;
}

function fullName(avro: Record<string, unknown>, namespace: string): string {
  const name = String(avro.name);
  if (name.includes('.')) return name;
  const ns = (avro.namespace as string | undefined) ?? namespace;
  return ns ? `${ns}.${name}` : name;
}

function mapEntry(items: AvroSchema, namespace: string): Record<string, unknown> | null {
  if (typeof items !== 'object' || Array.isArray(items) || items.type !== 'record') return null;
  if (!NUMBERED(MAP_ENTRY_NAME).test(fullName(items, namespace))) return null;
  const fields = items.fields as Array<{ name: string }>;
  return fields.length === 2 && fields[0]!.name === 'key' && fields[1]!.name === 'value' ? items : null;
}

function defaultFromJson(schema: Schema, v: unknown): unknown {
  if (v === null) return undefined;
  switch (schema.name) {
    case DateType.LOGICAL_NAME:
      return DateType.toLogical(Number(v));
    case TimeType.LOGICAL_NAME:
      return TimeType.toLogical(Number(v));
    case TimestampType.LOGICAL_NAME:
      return TimestampType.toLogical(Number(v));
    case Decimal.LOGICAL_NAME:
      return Decimal.toText(Buffer.from(String(v), 'latin1'), Decimal.scale(schema));
  }
  if (schema.type === 'BYTES' && typeof v === 'string') return new Uint8Array(Buffer.from(v, 'latin1'));
  if (schema.type === 'STRUCT' || schema.type === 'ARRAY' || schema.type === 'MAP') return undefined; // not carried over
  return v;
}
