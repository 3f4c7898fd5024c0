import parquet from '@dsnp/parquetjs';
import type { FieldDefinition, SchemaDefinition } from '@dsnp/parquetjs/dist/lib/declare.js';
import {
  DataError,
  DateType,
  Decimal,
  Struct,
  TimeType,
  TimestampType,
  type Schema,
  type SinkRecord,
} from '@tributary/connect-api';
import { JsonWriter } from '@tributary/connect-converters';
import type { ByteOut, Format, RecordWriter } from './format.js';

type Codec = 'UNCOMPRESSED' | 'SNAPPY' | 'GZIP';
/** Rows per row group: a row group is held in memory until complete, so keep it modest. */
const ROW_GROUP_ROWS = 10_000;

/** Connect parameter that carries a Decimal's precision (Confluent's AvroData); 64 when absent, as there. */
const PRECISION_PARAM = 'connect.decimal.precision';
/** Up to this precision parquetjs stores a DECIMAL as INT64, beyond as the unscaled bytes. */
const INT64_DIGITS = 18;

/**
 * A MAP column holds the map as JSON text (a UTF8 column: parquetjs's JSON columns re-serialize with
 * JSON.stringify), written by Kafka's JsonConverter rules (string keys as an object, other keys as
 * [key, value] pairs), since parquetjs cannot write Parquet MAP columns.
 */
const mapJson = new JsonWriter({ decimalNumeric: false, replaceNullWithDefault: true });

/** Precision and scale of a Decimal that Parquet's DECIMAL can hold (0 <= scale <= precision), else null. */
function decimalShape(s: Schema): { precision: number; scale: number } | null {
  const scale = Decimal.scale(s);
  const precision = Number(s.parameters?.[PRECISION_PARAM] ?? 64);
  return Number.isInteger(precision) && precision >= 1 && scale >= 0 && scale <= precision
    ? { precision, scale }
    : null;
}

/**
 * The Parquet schema for a Connect STRUCT schema. Decimals are DECIMAL(precision, scale) columns as
 * Confluent writes them (a negative scale, which Parquet forbids, falls back to decimal text); maps
 * are JSON text (see mapJson).
 */
export function toParquetSchema(schema: Schema, codec: Codec): SchemaDefinition {
  if (schema.type !== 'STRUCT') throw new DataError(`ParquetFormat needs STRUCT values; got a ${schema.type} schema`);
  const def: SchemaDefinition = {};
  for (const f of schema.fields ?? []) def[f.name] = field(f.schema, codec);
  return def;
}

function field(s: Schema, codec: Codec): FieldDefinition {
  const base = { optional: s.optional, compression: codec };
  switch (s.name) {
    case Decimal.LOGICAL_NAME: {
      const shape = decimalShape(s);
      return shape ? { ...base, type: 'DECIMAL', ...shape } : { ...base, type: 'UTF8' };
    }
    case DateType.LOGICAL_NAME:
      return { ...base, type: 'DATE' };
    case TimeType.LOGICAL_NAME:
      return { ...base, type: 'TIME_MILLIS' };
    case TimestampType.LOGICAL_NAME:
      return { ...base, type: 'TIMESTAMP_MILLIS' };
  }
  switch (s.type) {
    case 'INT8':
      return { ...base, type: 'INT_8' };
    case 'INT16':
      return { ...base, type: 'INT_16' };
    case 'INT32':
      return { ...base, type: 'INT32' };
    case 'INT64':
      return { ...base, type: 'INT64' };
    case 'FLOAT32':
      return { ...base, type: 'FLOAT' };
    case 'FLOAT64':
      return { ...base, type: 'DOUBLE' };
    case 'BOOLEAN':
      return { ...base, type: 'BOOLEAN' };
    case 'STRING':
      return { ...base, type: 'UTF8' };
    case 'BYTES':
      return { ...base, type: 'BYTE_ARRAY' };
    case 'MAP':
      return { ...base, type: 'UTF8' };
    case 'STRUCT':
      return { optional: s.optional, fields: toParquetSchema(s, codec) };
    case 'ARRAY': {
      const item = field(s.valueSchema!, codec);
      return { ...item, optional: false, repeated: true };
    }
  }
}

function toRow(value: unknown, s: Schema): unknown {
  if (value === null || value === undefined) return undefined;
  switch (s.name) {
    case Decimal.LOGICAL_NAME: {
      const shape = decimalShape(s);
      if (!shape) return String(value);
      const unscaled = Decimal.unscaled(String(value), shape.scale);
      return shape.precision <= INT64_DIGITS ? unscaled : Buffer.from(Decimal.toBytes(unscaled));
    }
    case DateType.LOGICAL_NAME:
    case TimestampType.LOGICAL_NAME:
      return value instanceof Date ? value : new Date(Number(value));
    case TimeType.LOGICAL_NAME:
      return value instanceof Date ? value.getTime() : value;
  }
  switch (s.type) {
    case 'STRUCT': {
      const st = value as Struct;
      const out: Record<string, unknown> = {};
      for (const f of s.fields ?? []) {
        const v = toRow(st.get(f.name), f.schema);
        if (v !== undefined) out[f.name] = v;
      }
      return out;
    }
    case 'ARRAY':
      return (value as unknown[]).map((v) => toRow(v, s.valueSchema!));
    case 'MAP':
      return mapJson.write(s, value);
    case 'BYTES':
      return Buffer.from(value as Uint8Array);
    case 'INT64':
      return typeof value === 'bigint' ? value : BigInt(value as number);
    default:
      return value;
  }
}

/** Row groups are cut every ROW_GROUP_ROWS rows, so objects are identical on replay. */
class ParquetRecordWriter implements RecordWriter {
  private writer: Promise<parquet.ParquetWriter>;
  /** parquetjs writes a row group out as soon as it is complete. */
  readonly pendingBytes = 0;

  constructor(
    out: ByteOut,
    private readonly schema: Schema,
    codec: Codec,
  ) {
    if (!(schema.type === 'STRUCT')) throw new DataError('ParquetFormat needs STRUCT values with a schema.');
    const sink = {
      write: (buf: Buffer, cb?: (err?: Error | null) => void) => {
        out(Buffer.from(buf));
        cb?.(null);
        return true;
      },
      end: (cb?: () => void) => {
        cb?.();
      },
    };
    this.writer = parquet.ParquetWriter.openStream(
      new parquet.ParquetSchema(toParquetSchema(schema, codec)),
      sink as never,
      { rowGroupSize: ROW_GROUP_ROWS },
    );
  }

  async write(record: SinkRecord): Promise<void> {
    if (!(record.value instanceof Struct))
      throw new DataError('ParquetFormat needs Struct values (use a converter with schemas).');
    try {
      await (await this.writer).appendRow(toRow(record.value, this.schema) as Record<string, unknown>);
    } catch (err) {
      throw new DataError(`Record does not fit its Parquet schema: ${(err as Error).message}`, { cause: err });
    }
  }

  async flush(): Promise<void> {}

  async finish(): Promise<void> {
    await (await this.writer).close();
  }
}

export function parquetFormat(codecName: string): Format {
  const c = codecName.toLowerCase();
  const codec: Codec = c === 'snappy' ? 'SNAPPY' : c === 'gzip' ? 'GZIP' : 'UNCOMPRESSED';
  return {
    extension: codec === 'SNAPPY' ? '.snappy.parquet' : codec === 'GZIP' ? '.gz.parquet' : '.parquet',
    schemaBound: true,
    writer: (out, _key, schema) => {
      if (!schema)
        throw new DataError(
          'ParquetFormat needs records with a value schema (e.g. JsonConverter with schemas.enable=true).',
        );
      return new ParquetRecordWriter(out, schema, codec);
    },
  };
}
