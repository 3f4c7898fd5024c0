import type { ConfigDef } from './config.js';
import type { Header } from './records.js';
import type { Schema } from './schema.js';

export interface SchemaAndValue {
  readonly schema: Schema | null;
  readonly value: unknown;
}

/**
 * Turns Connect data into bytes for the log and back. Configured once per task with the keys under
 * `key.converter.` or `value.converter.` (prefix removed) and whether it converts keys.
 * Both methods are synchronous and called for one record at a time. A null value with a null schema
 * becomes null bytes (a tombstone) and back. Bad input throws a DataError.
 */
export interface Converter {
  config?(): ConfigDef;
  configure(config: Record<string, string>, isKey: boolean): void;
  fromConnectData(topic: string, schema: Schema | null | undefined, value: unknown, headers?: Header[]): Uint8Array | null;
  toConnectData(topic: string, bytes: Uint8Array | null, headers?: readonly Header[]): SchemaAndValue;
}

/** Converts header values, as Kafka's `HeaderConverter`. */
export interface HeaderConverter {
  config?(): ConfigDef;
  configure(config: Record<string, string>): void;
  fromConnectHeader(topic: string, headerKey: string, schema: Schema | null | undefined, value: unknown): Uint8Array | null;
  toConnectHeader(topic: string, headerKey: string, bytes: Uint8Array | null): SchemaAndValue;
}
