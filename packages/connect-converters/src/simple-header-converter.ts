import {
  ConfigDef,
  DataError,
  Schemas,
  type HeaderConverter,
  type Schema,
  type SchemaAndValue,
} from '@tributary/connect-api';
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

  /**
   * The last bytes written per header key. Sources often put the very same header value on every
   * record of a batch (a file's name and modification time): then it is converted once.
   */
  private readonly last = new Map<string, { schema: Schema | null | undefined; value: unknown; bytes: Uint8Array }>();

  fromConnectHeader(
    _topic: string,
    headerKey: string,
    schema: Schema | null | undefined,
    value: unknown,
  ): Uint8Array | null {
    if (value === null || value === undefined) return null;
    const hit = this.last.get(headerKey);
    if (hit !== undefined && hit.value === value && hit.schema === schema) return hit.bytes;
    const bytes = Buffer.from(valueToString(schema, value), 'utf8');
    if (hit !== undefined) {
      hit.schema = schema;
      hit.value = value;
      hit.bytes = bytes;
    } else {
      if (this.last.size >= 64) this.last.clear();
      this.last.set(headerKey, { schema, value, bytes });
    }
    return bytes;
  }

  toConnectHeader(topic: string, headerKey: string, bytes: Uint8Array | null): SchemaAndValue {
    if (bytes === null || bytes === undefined) return { schema: null, value: null };
    if (bytes.length === 0) return { schema: Schemas.STRING, value: '' };
    const text = decodeUtf8(bytes);
    try {
      return parseString(text);
    } catch (e) {
      if (e instanceof DataError)
        throw new DataError(`Failed to deserialize value for header '${headerKey}' on topic '${topic}'`, { cause: e });
      return { schema: Schemas.STRING, value: text };
    }
  }
}
