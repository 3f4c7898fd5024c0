import type { Schema } from './schema.js';

/** One header: a key, a schema (may be absent for schemaless values) and a value. */
export interface Header {
  readonly key: string;
  readonly schema?: Schema | null;
  readonly value: unknown;
}

/** Source partitions and offsets: plain JSON objects of string keys and primitive values. */
export type SourcePartition = Record<string, string | number | boolean | null>;
export type SourceOffset = Record<string, string | number | boolean | null>;

/**
 * The record that flows through a worker, as Kafka Connect's `ConnectRecord`. Records are treated
 * as immutable: transforms return a new record instead of changing the one they were given.
 */
export interface ConnectRecord {
  readonly topic: string;
  /** Unset lets the log choose (key-hash partitioning). */
  readonly kafkaPartition?: number | null;
  readonly keySchema?: Schema | null;
  readonly key: unknown;
  readonly valueSchema?: Schema | null;
  readonly value: unknown;
  /** Milliseconds since the epoch. */
  readonly timestamp?: number | null;
  readonly headers: readonly Header[];
}

/** A record a source task produced; the runtime stores its offset once the log has it. */
export interface SourceRecord extends ConnectRecord {
  readonly sourcePartition: SourcePartition;
  readonly sourceOffset: SourceOffset;
  /**
   * Set instead of a usable key/value when the task read input it could not turn into a record (a
   * malformed row or message). The runtime hands it to the error handler at stage `TASK_POLL`, in
   * order with the records around it: with `errors.tolerance=all` it is skipped (and written to the
   * dead-letter queue topic, when one is set, with `raw` as its value and the record's headers) and
   * its source offset still commits; with `none` the task fails with `error`.
   */
  readonly errant?: SourceRecordError;
}

/** Why a source record is errant, and the input it came from. */
export interface SourceRecordError {
  readonly error: Error;
  /** The input as read (a line, a datagram), for the dead-letter queue. */
  readonly raw?: Uint8Array | string | null;
}

/** A record a sink task receives, with where it came from in the log. */
export interface SinkRecord extends ConnectRecord {
  readonly kafkaPartition: number;
  readonly kafkaOffset: number;
  readonly timestampType?: 'CreateTime' | 'LogAppendTime' | 'NoTimestampType';
  /** The coordinates before any transform changed the topic or partition (KIP-793). */
  readonly originalTopic: string;
  readonly originalKafkaPartition: number;
  readonly originalKafkaOffset: number;
}

/** A topic-partition pair, as used by sink contexts and offset maps. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** `topic:partition`, the key the runtime uses for per-partition maps. */
export function tpKey(tp: TopicPartition): string {
  return `${tp.topic}:${tp.partition}`;
}

/** What the log said about a record it accepted. */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
}

/** A copy of `record` with some properties replaced, keeping its type (source or sink). */
export function withRecord<R extends ConnectRecord>(record: R, changes: Partial<ConnectRecord>): R {
  return { ...record, ...changes };
}
