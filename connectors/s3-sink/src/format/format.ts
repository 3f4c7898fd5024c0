import type { Schema, SinkRecord } from '@tributary/connect-api';

/** Where a writer's encoded bytes go (the object's upload buffer). */
export type ByteOut = (chunk: Buffer) => void;

/**
 * Encodes the records of one object. Output must depend only on the records (never on how they were
 * batched or when), so that a replay writes byte-identical objects: block and row-group boundaries
 * are cut by counts and sizes, never by `flush()`.
 */
export interface RecordWriter {
  write(record: SinkRecord): void | Promise<void>;
  /**
   * Bytes the writer holds that {@link flush} would hand over. Writers hand over large enough pieces
   * by themselves; the caller flushes the largest ones when many open objects together hold too much.
   */
  readonly pendingBytes: number;
  /** Hands bytes that are final to the output, so they can be uploaded as parts. */
  flush(): Promise<void>;
  /** Writes trailers; once it resolves every byte of the object went to the output. */
  finish(): Promise<void>;
}

export interface Format {
  /** With the leading dot, compression included: `.json.gz`, `.avro`, `.snappy.parquet`. */
  readonly extension: string;
  /** Whether a change of value schema must start a new object (container formats carry one schema). */
  readonly schemaBound: boolean;
  writer(out: ByteOut, objectKey: string, valueSchema: Schema | null | undefined): RecordWriter;
}
