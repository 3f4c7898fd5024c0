import {
  ConfigDef,
  DataError,
  Decimal,
  type Converter,
  type HeaderConverter,
  type Schema,
  type SchemaAndValue,
} from '@tributary/connect-api';
import { converterTypeKey, decodeUtf8 } from '../common.js';
import { parseJson } from './json-parse.js';
import { JsonReader, readSchemaless } from './json-reader.js';
import { JsonWriter } from './json-writer.js';

const ENVELOPE_ERROR =
  'JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields.' +
  ' If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.';

const SCHEMA_PREFIX = '{"schema":';
const PAYLOAD_KEY = ',"payload":';

/** The config of Kafka's `JsonConverterConfig`, same keys and defaults. */
export const JSON_CONVERTER_CONFIG = new ConfigDef()
  .define({
    name: 'schemas.enable',
    type: 'BOOLEAN',
    default: true,
    importance: 'HIGH',
    documentation: 'Include schemas within each of the serialized values and keys.',
  })
  .define({
    name: 'schemas.cache.size',
    type: 'INT',
    default: 1000,
    importance: 'HIGH',
    documentation: 'The maximum number of schemas that can be cached in this converter instance.',
  })
  .define({
    name: 'decimal.format',
    type: 'STRING',
    default: 'BASE64',
    importance: 'LOW',
    validValues: ['BASE64', 'NUMERIC'],
    validator: (v, name) =>
      ['BASE64', 'NUMERIC'].includes(String(v).toUpperCase())
        ? undefined
        : `Invalid value ${String(v)} for configuration ${name}: String must be one of (case insensitive): BASE64, NUMERIC`,
    documentation:
      'Controls which format this converter will serialize decimals in. BASE64 (the default) writes the unscaled bytes base64-encoded; NUMERIC writes a JSON number.',
  })
  .define({
    name: 'replace.null.with.default',
    type: 'BOOLEAN',
    default: true,
    importance: 'LOW',
    documentation:
      'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.',
  })
  .define(converterTypeKey());

/**
 * Kafka's `org.apache.kafka.connect.json.JsonConverter`, byte for byte: with `schemas.enable` each
 * value is written as `{"schema":…,"payload":…}`; without, as plain JSON. Also a HeaderConverter.
 */
export class JsonConverter implements Converter, HeaderConverter {
  private schemasEnabled = true;
  private cacheSize = 1000;
  private writer = new JsonWriter({ decimalNumeric: false, replaceNullWithDefault: true });
  private reader = new JsonReader(true);
  private readonly envelopes = new WeakMap<Schema, string>();
  /** Schemas read, by their exact JSON text; a Map keeps insertion order, which makes it a cheap LRU. */
  private readonly readSchemas = new Map<string, { schema: Schema | null; decimals: boolean }>();
  private lastSchemaText: string | null = null;

  config(): ConfigDef {
    return JSON_CONVERTER_CONFIG;
  }

  configure(config: Record<string, string>, _isKey = false): void {
    const c = JSON_CONVERTER_CONFIG.parse(config);
    this.schemasEnabled = c.bool('schemas.enable');
    this.cacheSize = c.int('schemas.cache.size');
    const replaceNullWithDefault = c.bool('replace.null.with.default');
    this.writer = new JsonWriter({
      decimalNumeric: c.string('decimal.format').toUpperCase() === 'NUMERIC',
      replaceNullWithDefault,
    });
    this.reader = new JsonReader(replaceNullWithDefault);
    this.readSchemas.clear();
    this.lastSchemaText = null;
  }

  fromConnectData(_topic: string, schema: Schema | null | undefined, value: unknown): Uint8Array | null {
    if (schema == null && value == null) return null;
    return Buffer.from(this.toJsonText(schema ?? null, value), 'utf8');
  }

  /** The JSON text this converter writes for a value (what `fromConnectData` encodes as UTF-8). */
  toJsonText(schema: Schema | null, value: unknown): string {
    if (!this.schemasEnabled) return this.writer.write(schema, value);
    if (schema === null) return `{"schema":null,"payload":${this.writer.writeSchemaless(value)}}`;
    let prefix = this.envelopes.get(schema);
    if (prefix === undefined) {
      prefix = `${SCHEMA_PREFIX}${this.writer.schemaText(schema)}${PAYLOAD_KEY}`;
      this.envelopes.set(schema, prefix);
    }
    return `${prefix}${this.writer.writerFor(schema)(value)}}`;
  }

  toConnectData(_topic: string, bytes: Uint8Array | null): SchemaAndValue {
    if (bytes === null || bytes === undefined) return { schema: null, value: null };
    return this.fromJsonText(decodeUtf8(bytes));
  }

  fromJsonText(text: string): SchemaAndValue {
    if (!this.schemasEnabled) return { schema: null, value: readSchemaless(parseJson(text)) };
    return this.readEnvelopeFast(text) ?? this.readEnvelope(text);
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

  /**
   * Most envelopes come from a writer like ours: `{"schema":S,"payload":P}` with S repeated from record to
   * record. Slicing S out as text lets us look the schema up without parsing it, and parse only P.
   * Returns undefined whenever the text is not in that exact shape, and the general path decides.
   */
  private readEnvelopeFast(text: string): SchemaAndValue | undefined {
    if (!text.startsWith(SCHEMA_PREFIX)) return undefined;
    const last = this.lastSchemaText;
    let schemaText: string | undefined;
    if (
      last !== null &&
      text.startsWith(last, SCHEMA_PREFIX.length) &&
      text.startsWith(PAYLOAD_KEY, SCHEMA_PREFIX.length + last.length)
    ) {
      schemaText = last;
    } else {
      const end = endOfValue(text, SCHEMA_PREFIX.length);
      if (end < 0 || !text.startsWith(PAYLOAD_KEY, end)) return undefined;
      schemaText = text.slice(SCHEMA_PREFIX.length, end);
    }
    const close = lastNonSpace(text);
    if (text.charCodeAt(close) !== 0x7d /* } */) return undefined;
    let entry = this.readSchemas.get(schemaText);
    if (entry === undefined) {
      let node: unknown;
      try {
        node = JSON.parse(schemaText);
      } catch {
        return undefined;
      }
      const schema = this.reader.asConnectSchema(node);
      entry = { schema, decimals: schemaText.includes(`"${Decimal.LOGICAL_NAME}"`) };
      this.remember(schemaText, entry);
    }
    this.lastSchemaText = schemaText;
    let payload: unknown;
    try {
      payload = parseJson(
        text.slice(SCHEMA_PREFIX.length + schemaText.length + PAYLOAD_KEY.length, close),
        entry.decimals,
      );
    } catch {
      return undefined; // e.g. a third key after the payload: let the general path report it
    }
    const schema = entry.schema;
    return { schema, value: schema === null ? readSchemaless(payload) : this.reader.readerFor(schema)(payload) };
  }

  private readEnvelope(text: string): SchemaAndValue {
    const envelope = parseJson(text, text.includes(`"${Decimal.LOGICAL_NAME}"`));
    if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope))
      throw new DataError(ENVELOPE_ERROR);
    const keys = Object.keys(envelope);
    if (keys.length !== 2 || !('schema' in envelope) || !('payload' in envelope)) throw new DataError(ENVELOPE_ERROR);
    const { schema: schemaNode, payload } = envelope as { schema: unknown; payload: unknown };
    const schemaKey = JSON.stringify(schemaNode, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    let entry = this.readSchemas.get(schemaKey);
    if (entry === undefined) {
      entry = { schema: this.reader.asConnectSchema(schemaNode), decimals: true };
      this.remember(schemaKey, entry);
    }
    const schema = entry.schema;
    return { schema, value: schema === null ? readSchemaless(payload) : this.reader.readerFor(schema)(payload) };
  }

  private remember(key: string, entry: { schema: Schema | null; decimals: boolean }): void {
    this.readSchemas.set(key, entry);
    if (this.readSchemas.size > this.cacheSize) this.readSchemas.delete(this.readSchemas.keys().next().value!);
  }
}

/** Index just past the JSON value starting at `from` (an object, array, string, or literal), or -1. */
function endOfValue(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
      if (depth === 0) return i + 1;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
      if (depth < 0) return -1;
    } else if (depth === 0 && c === 0x2c /* , */) return i;
  }
  return -1;
}

function lastNonSpace(text: string): number {
  let i = text.length - 1;
  while (i >= 0 && text.charCodeAt(i) <= 0x20) i--;
  return i;
}
