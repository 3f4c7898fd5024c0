import {
  ConfigDef,
  DataError,
  Schemas,
  type Converter,
  type HeaderConverter,
  type Schema,
  type SchemaAndValue,
} from '@tributary/connect-api';
import { converterTypeKey } from './common.js';
import { nodeTypeOf } from './json/values.js';

const CONFIG = new ConfigDef().define(converterTypeKey());

/** How one primitive is laid out, as Kafka's serializers lay it out (big-endian, fixed size). */
interface Layout {
  readonly typeName: string;
  readonly deserializer: string;
  readonly schema: Schema;
  readonly size: number;
  /** Returns false when the value is not of this converter's type. */
  write(view: DataView, value: unknown): boolean;
  read(view: DataView): unknown;
}

const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/**
 * The base of Kafka's `NumberConverter` family: a fixed-size big-endian encoding per type, null as null
 * bytes, and reads giving the optional schema of the type.
 */
abstract class NumberConverter implements Converter, HeaderConverter {
  protected abstract readonly layout: Layout;

  config(): ConfigDef {
    return CONFIG;
  }

  configure(config: Record<string, string>, _isKey = false): void {
    CONFIG.parse(config);
  }

  fromConnectData(_topic: string, _schema: Schema | null | undefined, value: unknown): Uint8Array | null {
    if (value === null || value === undefined) return null;
    const out = new Uint8Array(this.layout.size);
    if (!this.layout.write(new DataView(out.buffer), value)) {
      throw new DataError(`Failed to serialize to ${this.layout.typeName} (was ${nodeTypeOf(value)}): `);
    }
    return out;
  }

  toConnectData(_topic: string, bytes: Uint8Array | null): SchemaAndValue {
    if (bytes === null || bytes === undefined) return { schema: this.layout.schema, value: null };
    if (bytes.length !== this.layout.size) {
      throw new DataError(`Failed to deserialize ${this.layout.typeName}: `, {
        cause: new Error(`Size of data received by ${this.layout.deserializer} is not ${this.layout.size}`),
      });
    }
    return {
      schema: this.layout.schema,
      value: this.layout.read(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
    };
  }

  fromConnectHeader(
    topic: string,
    _headerKey: string,
    schema: Schema | null | undefined,
    value: unknown,
  ): Uint8Array | null {
    return this.fromConnectData(topic, schema, value);
  }

  toConnectHeader(topic: string, _headerKey: string, bytes: Uint8Array | null): SchemaAndValue {
    return this.toConnectData(topic, bytes);
  }
}

export class LongConverter extends NumberConverter {
  protected readonly layout: Layout = {
    typeName: 'long',
    deserializer: 'LongDeserializer',
    schema: Schemas.OPTIONAL_INT64,
    size: 8,
    write: (view, v) => {
      if (typeof v === 'bigint') {
        if (v < -(2n ** 63n) || v >= 2n ** 63n) return false;
        view.setBigInt64(0, v);
        return true;
      }
      if (!isInt(v, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)) return false;
      view.setBigInt64(0, BigInt(v));
      return true;
    },
    read: (view) => {
      const v = view.getBigInt64(0);
      return Number.isSafeInteger(Number(v)) ? Number(v) : v;
    },
  };
}

export class IntegerConverter extends NumberConverter {
  protected readonly layout: Layout = {
    typeName: 'integer',
    deserializer: 'IntegerDeserializer',
    schema: Schemas.OPTIONAL_INT32,
    size: 4,
    write: (view, v) => isInt(v, -(2 ** 31), 2 ** 31 - 1) && (view.setInt32(0, v), true),
    read: (view) => view.getInt32(0),
  };
}

export class ShortConverter extends NumberConverter {
  protected readonly layout: Layout = {
    typeName: 'short',
    deserializer: 'ShortDeserializer',
    schema: Schemas.OPTIONAL_INT16,
    size: 2,
    write: (view, v) => isInt(v, -32768, 32767) && (view.setInt16(0, v), true),
    read: (view) => view.getInt16(0),
  };
}

export class FloatConverter extends NumberConverter {
  protected readonly layout: Layout = {
    typeName: 'float',
    deserializer: 'FloatDeserializer',
    schema: Schemas.OPTIONAL_FLOAT32,
    size: 4,
    write: (view, v) => typeof v === 'number' && (view.setFloat32(0, v), true),
    read: (view) => view.getFloat32(0),
  };
}

export class DoubleConverter extends NumberConverter {
  protected readonly layout: Layout = {
    typeName: 'double',
    deserializer: 'DoubleDeserializer',
    schema: Schemas.OPTIONAL_FLOAT64,
    size: 8,
    write: (view, v) => typeof v === 'number' && (view.setFloat64(0, v), true),
    read: (view) => view.getFloat64(0),
  };
}

/** Kafka's BooleanConverter: one byte, 1 or 0, and the schema (when given) must be BOOLEAN. */
export class BooleanConverter extends NumberConverter {
  protected readonly layout: Layout = {
    typeName: 'boolean',
    deserializer: 'BooleanDeserializer',
    schema: Schemas.OPTIONAL_BOOLEAN,
    size: 1,
    write: (view, v) => typeof v === 'boolean' && (view.setUint8(0, v ? 1 : 0), true),
    read: (view) => {
      const b = view.getUint8(0);
      if (b > 1)
        throw new DataError('Failed to deserialize boolean: ', {
          cause: new Error(`Unexpected byte received by BooleanDeserializer: ${b}`),
        });
      return b === 1;
    },
  };

  override fromConnectData(topic: string, schema: Schema | null | undefined, value: unknown): Uint8Array | null {
    if (schema != null && schema.type !== 'BOOLEAN')
      throw new DataError(`Invalid schema type for BooleanConverter: ${schema.type}`);
    return super.fromConnectData(topic, schema, value);
  }
}
