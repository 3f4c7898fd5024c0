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

/** Kafka's `org.apache.kafka.connect.converters.ByteArrayConverter`: bytes pass through untouched. */
export class ByteArrayConverter implements Converter, HeaderConverter {
  config(): ConfigDef {
    return CONFIG;
  }

  configure(config: Record<string, string>, _isKey = false): void {
    CONFIG.parse(config);
  }

  fromConnectData(_topic: string, schema: Schema | null | undefined, value: unknown): Uint8Array | null {
    if (schema != null && schema.type !== 'BYTES')
      throw new DataError(`Invalid schema type for ByteArrayConverter: ${schema.type}`);
    if (value !== null && value !== undefined && !(value instanceof Uint8Array)) {
      throw new DataError(`ByteArrayConverter is not compatible with objects of type ${nodeTypeOf(value)}`);
    }
    return (value as Uint8Array | null | undefined) ?? null;
  }

  toConnectData(_topic: string, bytes: Uint8Array | null): SchemaAndValue {
    return { schema: Schemas.OPTIONAL_BYTES, value: bytes ?? null };
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
