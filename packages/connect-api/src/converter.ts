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
  fromConnectData(
    topic: string,
    schema: Schema | null | undefined,
    value: unknown,
    headers?: Header[],
  ): Uint8Array | null;
  toConnectData(topic: string, bytes: Uint8Array | null, headers?: readonly Header[]): SchemaAndValue;

  /**
   * Optional, for converters that need I/O before they can convert (a schema registry lookup). The
   * runtime calls it with the same arguments right before `fromConnectData` (after transforms, for
   * sources) and awaits it only when it returns a promise; it returns undefined when nothing needs
   * fetching, which is the common case, so the hot path stays synchronous. A rejection is handled as a
   * throw from `fromConnectData` would be (RetriableError → retried; DataError → the error handler).
   * A converter without this method must not need it; one with it may throw a RetriableError from
   * `fromConnectData` when called without its preparation.
   */
  prepareFromConnectData?(topic: string, schema: Schema | null | undefined, value: unknown): Promise<void> | undefined;

  /** Optional; as {@link prepareFromConnectData}, called right before `toConnectData` with the same bytes. */
  prepareToConnectData?(topic: string, bytes: Uint8Array | null): Promise<void> | undefined;
}

/** Converts header values, as Kafka's `HeaderConverter`. */
export interface HeaderConverter {
  config?(): ConfigDef;
  configure(config: Record<string, string>): void;
  fromConnectHeader(
    topic: string,
    headerKey: string,
    schema: Schema | null | undefined,
    value: unknown,
  ): Uint8Array | null;
  toConnectHeader(topic: string, headerKey: string, bytes: Uint8Array | null): SchemaAndValue;
}
