import { ConfigDef, DataError, Schemas, type HeaderConverter, type Schema, type SchemaAndValue } from '@tributary/connect-api';
import { converterTypeKey, decodeUtf8 } from './common.js';
import { parseString, valueToString } from './header-values.js';

const CONFIG = new ConfigDef().define(converterTypeKey());

/**
 * Kafka's default header converter, `org.apache.kafka.connect.storage.SimpleHeaderConverter`: values are
 * written as UTF-8 text and read back as the narrowest type the text looks like (null, boolean, the
 * smallest integer type, float, date/time/timestamp, JSON-like arrays and maps, else string).
 */
export class SimpleHeaderConverter implements HeaderConverter {
  config(): ConfigDef {
    return CONFIG;
  }

  configure(config: Record<string, string>): void {
    CONFIG.parse(config);
  }

  fromConnectHeader(_topic: string, _headerKey: string, schema: Schema | null | undefined, value: unknown): Uint8Array | null {
    if (value === null || value === undefined) return null;
    return Buffer.from(valueToString(schema, value), 'utf8');
  }

  toConnectHeader(topic: string, headerKey: string, bytes: Uint8Array | null): SchemaAndValue {
    if (bytes === null || bytes === undefined) return { schema: null, value: null };
    if (bytes.length === 0) return { schema: Schemas.STRING, value: '' };
    const text = decodeUtf8(bytes);
    try {
      return parseString(text);
    } catch (e) {
      if (e instanceof DataError) throw new DataError(`Failed to deserialize value for header '${headerKey}' on topic '${topic}'`, { cause: e });
      return { schema: Schemas.STRING, value: text };
    }
  }
}
