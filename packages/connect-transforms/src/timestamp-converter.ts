import {
  ConfigDef,
  ConfigError,
  ConnectError,
  DataError,
  DateType,
  SchemaBuilder,
  Schemas,
  Struct,
  TimeType,
  TimestampType,
  type ConnectRecord,
  type Schema,
  type Transformation,
} from '@tributary/connect-api';
import { parseConfig, REPLACE_NULL_WITH_DEFAULT } from './util/config.js';
import { operandSchema, operandValue, withOperand, type Operand } from './util/operand.js';
import { className, copyMap, mapGet, mapSet, requireMap, requireStructOrNull } from './util/requirements.js';
import { SchemaCache } from './util/schema-cache.js';
import { copySchemaBasics, fieldValue, schemaToString } from './util/schema-util.js';
import { SimpleDateFormat } from './util/simple-date-format.js';

const PURPOSE = 'converting timestamp formats';
type TargetType = 'string' | 'unix' | 'Date' | 'Time' | 'Timestamp';
type Precision = 'seconds' | 'milliseconds' | 'microseconds' | 'nanoseconds';
const DAY = 86_400_000;

const CONFIG = new ConfigDef()
  .define({
    name: 'field',
    type: 'STRING',
    default: '',
    importance: 'HIGH',
    documentation: 'The field containing the timestamp, or empty if the entire value is a timestamp',
  })
  .define({
    name: 'target.type',
    type: 'STRING',
    importance: 'HIGH',
    validValues: ['string', 'unix', 'Date', 'Time', 'Timestamp'],
    documentation: 'The desired timestamp representation: string, unix, Date, Time, or Timestamp',
  })
  .define({
    name: 'format',
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    documentation:
      'A SimpleDateFormat-compatible format for the timestamp. Used to generate the output when type=string or used to parse the input if the input is a string.',
  })
  .define({
    name: 'unix.precision',
    type: 'STRING',
    default: 'milliseconds',
    importance: 'LOW',
    validValues: ['nanoseconds', 'microseconds', 'milliseconds', 'seconds'],
    documentation:
      'The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, or nanoseconds. Used to generate the output when type=unix or used to parse the input if the input is a Long.Note: This SMT will cause precision loss during conversions from, and to, values with sub-millisecond components.',
  })
  .define(REPLACE_NULL_WITH_DEFAULT);

const SCHEMAS: Record<TargetType, [Schema, Schema]> = {
  string: [Schemas.STRING, Schemas.OPTIONAL_STRING],
  unix: [Schemas.INT64, Schemas.OPTIONAL_INT64],
  Date: [DateType.SCHEMA, DateType.builder().optional().build()],
  Time: [TimeType.SCHEMA, TimeType.builder().optional().build()],
  Timestamp: [TimestampType.SCHEMA, TimestampType.builder().optional().build()],
};

const PER_MS: Record<Precision, number> = {
  seconds: 1 / 1000,
  milliseconds: 1,
  microseconds: 1000,
  nanoseconds: 1_000_000,
};

/**
 * Kafka's `TimestampConverter`: converts a timestamp (the whole key/value or one field) between a
 * SimpleDateFormat string, Unix time, and Connect's Date, Time and Timestamp, in UTC.
 */
export class TimestampConverter implements Transformation {
  private field = '';
  private target: TargetType = 'Timestamp';
  private format: SimpleDateFormat | null = null;
  private precision: Precision = 'milliseconds';
  private replaceNullWithDefault = true;
  private readonly schemas = new SchemaCache();

  constructor(private readonly operand: Operand) {}

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    const c = parseConfig(CONFIG, props);
    this.field = c.string('field');
    this.target = c.string('target.type') as TargetType;
    this.precision = c.string('unix.precision') as Precision;
    this.replaceNullWithDefault = c.bool('replace.null.with.default');
    const pattern = c.string('format');
    if (this.target === 'string' && pattern.trim() === '') {
      throw new ConfigError('TimestampConverter requires format option to be specified when using string timestamps');
    }
    try {
      this.format = pattern.trim() === '' ? null : new SimpleDateFormat(pattern);
    } catch (e) {
      throw new ConfigError(
        `TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: ${pattern}`,
        { cause: e },
      );
    }
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    const schema = operandSchema(record, this.operand);
    const value = operandValue(record, this.operand);
    if (schema === null) {
      if (value == null || this.field === '')
        return withOperand(record, this.operand, null, this.convert(value ?? null, null));
      const map = requireMap(value, PURPOSE);
      const updated = copyMap(map);
      mapSet(updated, this.field, this.convert(mapGet(map, this.field) ?? null, null));
      return withOperand(record, this.operand, null, updated);
    }
    if (this.field === '') {
      return withOperand(
        record,
        this.operand,
        SCHEMAS[this.target][schema.optional ? 1 : 0],
        this.convert(value ?? null, typeFromSchema(schema)),
      );
    }
    const struct = requireStructOrNull(value, PURPOSE);
    const updatedSchema = this.schemas.get(schema, (s) => this.deriveSchema(s));
    return withOperand(record, this.operand, updatedSchema, this.convertStruct(struct, updatedSchema));
  }

  private deriveSchema(schema: Schema): Schema {
    const b = copySchemaBasics(schema, SchemaBuilder.struct());
    for (const f of schema.fields!)
      b.field(f.name, f.name === this.field ? SCHEMAS[this.target][f.schema.optional ? 1 : 0] : f.schema);
    if (schema.optional) b.optional();
    const partial = b.build();
    if (schema.defaultValue instanceof Struct) b.defaultValue(this.convertStruct(schema.defaultValue, partial));
    const out = b.build();
    this.inputOf.set(out, schema);
    return out;
  }

  /** The input schema each derived schema was made from: its fields line up by position. */
  private readonly inputOf = new WeakMap<Schema, Schema>();

  private convertStruct(struct: Struct | null, updatedSchema: Schema): Struct | null {
    if (struct === null) return null;
    const out = new Struct(updatedSchema);
    const fields = struct.schema.fields!;
    if (this.inputOf.get(updatedSchema) !== struct.schema) {
      // A Struct of another schema than the record says: copy by name, checked.
      for (const f of fields) {
        const v = fieldValue(struct, f.name, this.replaceNullWithDefault);
        out.put(f.name, f.name === this.field ? this.convert(v, typeFromSchema(f.schema)) : v);
      }
      return out;
    }
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      const v = struct.getAt(i, this.replaceNullWithDefault);
      if (f.name === this.field)
        out.put(f.name, this.convert(v, typeFromSchema(f.schema))); // checked: a foreign value
      else out.putTrustedAt(i, v); // same position and field schema object as the input's
    }
    return out;
  }

  private convert(value: unknown, from: TargetType | null): unknown {
    if (value === null) return null;
    return this.toType(this.toRaw(value, from ?? inferType(value)));
  }

  private toRaw(v: unknown, from: TargetType): Date {
    switch (from) {
      case 'string':
        if (typeof v !== 'string')
          throw new DataError(`Expected string timestamp to be a String, but found ${className(v)}`);
        return this.format!.parse(v);
      case 'unix': {
        if (!(typeof v === 'number' && Number.isInteger(v)) && typeof v !== 'bigint')
          throw new DataError(`Expected Unix timestamp to be a Long, but found ${className(v)}`);
        return new Date(unixToMillis(v, this.precision));
      }
      default:
        if (!(v instanceof Date))
          throw new DataError(`Expected ${from} to be a java.util.Date, but found ${className(v)}`);
        return v;
    }
  }

  private toType(d: Date): unknown {
    const ms = d.getTime();
    switch (this.target) {
      case 'string':
        return this.format!.format(d);
      case 'unix': {
        if (this.precision === 'seconds') return Math.trunc(ms / 1000);
        const n = ms * PER_MS[this.precision];
        return Number.isSafeInteger(n) ? n : BigInt(ms) * BigInt(PER_MS[this.precision]);
      }
      case 'Date':
        return new Date(Math.floor(ms / DAY) * DAY);
      case 'Time':
        return new Date(((ms % DAY) + DAY) % DAY);
      case 'Timestamp':
        return d;
    }
  }
}

function typeFromSchema(schema: Schema): TargetType {
  if (schema.name === TimestampType.LOGICAL_NAME) return 'Timestamp';
  if (schema.name === DateType.LOGICAL_NAME) return 'Date';
  if (schema.name === TimeType.LOGICAL_NAME) return 'Time';
  if (schema.type === 'STRING') return 'string';
  if (schema.type === 'INT64') return 'unix';
  throw new ConnectError(`Schema ${schemaToString(schema)} does not correspond to a known timestamp type format`);
}

function inferType(v: unknown): TargetType {
  if (v instanceof Date) return 'Timestamp';
  if ((typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint') return 'unix';
  if (typeof v === 'string') return 'string';
  throw new DataError(`TimestampConverter does not support ${className(v)} objects as timestamps`);
}

/** Unix time at `precision` to milliseconds; Java's TimeUnit conversions truncate toward zero. */
function unixToMillis(v: number | bigint, precision: Precision): number {
  if (typeof v === 'bigint') {
    switch (precision) {
      case 'seconds':
        return Number(v * 1000n);
      case 'milliseconds':
        return Number(v);
      case 'microseconds':
        return Number(v / 1000n);
      case 'nanoseconds':
        return Number(v / 1_000_000n);
    }
  }
  return precision === 'seconds' ? v * 1000 : Math.trunc(v / PER_MS[precision]);
}
