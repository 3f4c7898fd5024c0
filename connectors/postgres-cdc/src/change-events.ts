import {
  DataError,
  Decimal,
  Struct,
  type Header,
  type SourceOffset,
  type SourcePartition,
  type SourceRecord,
} from '@tributary/connect-api';
import { SOURCE_VERSION } from './config.js';
import { TRANSACTION_SCHEMA, SOURCE_SCHEMA, type EventColumn, type TableSchema } from './change-event-schemas.js';
import { UNCHANGED_TOAST, type TupleData } from './pgoutput-decoder.js';

export type Op = 'c' | 'u' | 'd' | 'r' | 't';

/** Where an event came from, for the `source` block. */
export interface SourceInfo {
  readonly prefix: string;
  readonly db: string;
  /** Commit time (streaming) or snapshot time, µs since the epoch. */
  readonly tsUs: bigint;
  readonly snapshot: string;
  readonly txId: number | null;
  readonly lsn: bigint | null;
  readonly lastCommitLsn: bigint | null;
  /** `source.sequence` when it is not [lastCommitLsn, lsn] (incremental snapshot rows have no lsn of their own). */
  readonly sequence?: readonly [bigint, bigint];
  readonly transaction?: { id: string; totalOrder: number; collectionOrder: number } | null;
}

/** Builds Debezium's records for one change: the event, plus a tombstone after a delete. */
export class ChangeEventFactory {
  constructor(
    readonly partition: SourcePartition,
    private readonly placeholder: string,
    private readonly tombstones: boolean,
  ) {}

  /**
   * `before`/`after` are tuples in the table's column order (null when absent). Returns the change
   * record and, for deletes, a tombstone; `offset` is given to every record produced.
   */
  change(
    t: TableSchema,
    op: Op,
    before: TupleData | null,
    after: TupleData | null,
    info: SourceInfo,
    offset: () => SourceOffset,
    headers: readonly Header[] = [],
  ): SourceRecord[] {
    try {
      return this.build(t, op, before, after, info, offset, headers);
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      return [this.errant(t, op, op === 'd' ? before : after, err, info, offset())];
    }
  }

  /**
   * A change with a value the connector cannot represent: an errant record (the runtime skips it under
   * `errors.tolerance=all`, dead-lettering the row's identity, or fails the task at it), so the stream
   * never stalls on it and the records before it are delivered.
   */
  private errant(
    t: TableSchema,
    op: Op,
    tuple: TupleData | null,
    error: DataError,
    info: SourceInfo,
    sourceOffset: SourceOffset,
  ): SourceRecord {
    const identity: Record<string, string | null> = {};
    for (const c of t.keyColumns.length > 0 ? t.keyColumns : t.valueColumns) {
      const v = tuple?.[c.position];
      identity[c.name] = v === undefined || v === UNCHANGED_TOAST ? null : v;
    }
    const raw = JSON.stringify({
      schema: t.schema,
      table: t.table,
      op,
      key: identity,
      lsn: info.lsn === null ? null : Number(info.lsn),
    });
    return {
      topic: t.topic,
      keySchema: null,
      key: null,
      valueSchema: null,
      value: null,
      headers: [],
      sourcePartition: this.partition,
      sourceOffset,
      errant: { error, raw },
    };
  }

  private build(
    t: TableSchema,
    op: Op,
    before: TupleData | null,
    after: TupleData | null,
    info: SourceInfo,
    offset: () => SourceOffset,
    headers: readonly Header[],
  ): SourceRecord[] {
    const key = this.key(t, op === 'd' ? before : after);
    const value = new Struct(t.envelopeSchema)
      .put('before', before ? this.struct(t, t.valueSchema, t.valueColumns, before) : null)
      .put('after', after ? this.struct(t, t.valueSchema, t.valueColumns, after) : null)
      .put('source', this.source(t.schema, t.table, info))
      .put('transaction', this.transaction(info))
      .put('op', op);
    const nowMs = Date.now();
    value
      .put('ts_ms', nowMs)
      .put('ts_us', nowMs * 1000)
      .put('ts_ns', BigInt(nowMs) * 1_000_000n);
    const timestamp = Number(info.tsUs / 1000n);
    const out: SourceRecord[] = [
      {
        topic: t.topic,
        keySchema: t.keySchema,
        key,
        valueSchema: t.envelopeSchema,
        value,
        timestamp,
        headers,
        sourcePartition: this.partition,
        sourceOffset: offset(),
      },
    ];
    if (op === 'd' && this.tombstones) {
      out.push({
        topic: t.topic,
        keySchema: t.keySchema,
        key,
        valueSchema: null,
        value: null,
        timestamp,
        headers,
        sourcePartition: this.partition,
        sourceOffset: offset(),
      });
    }
    return out;
  }

  /** The key struct of a tuple, or null for a table without a primary key. */
  key(t: TableSchema, tuple: TupleData | null): Struct | null {
    return t.keySchema && tuple ? this.struct(t, t.keySchema, t.keyColumns, tuple) : null;
  }

  /** Truncate: no key and no key schema (as Debezium), no before/after. */
  truncate(t: TableSchema, info: SourceInfo, offset: SourceOffset): SourceRecord {
    const nowMs = Date.now();
    const value = new Struct(t.envelopeSchema)
      .put('before', null)
      .put('after', null)
      .put('source', this.source(t.schema, t.table, info))
      .put('transaction', this.transaction(info))
      .put('op', 't')
      .put('ts_ms', nowMs)
      .put('ts_us', nowMs * 1000)
      .put('ts_ns', BigInt(nowMs) * 1_000_000n);
    return {
      topic: t.topic,
      keySchema: null,
      key: null,
      valueSchema: t.envelopeSchema,
      value,
      timestamp: Number(info.tsUs / 1000n),
      headers: [],
      sourcePartition: this.partition,
      sourceOffset: offset,
    };
  }

  private transaction(info: SourceInfo): Struct | null {
    const tx = info.transaction;
    if (!tx) return null;
    return new Struct(TRANSACTION_SCHEMA)
      .put('id', tx.id)
      .put('total_order', tx.totalOrder)
      .put('data_collection_order', tx.collectionOrder);
  }

  private source(schema: string, table: string, info: SourceInfo): Struct {
    const tsMs = info.tsUs / 1000n;
    return new Struct(SOURCE_SCHEMA)
      .put('version', SOURCE_VERSION)
      .put('connector', 'postgresql')
      .put('name', info.prefix)
      .put('ts_ms', Number(tsMs))
      .put('snapshot', info.snapshot)
      .put('db', info.db)
      .put(
        'sequence',
        info.sequence
          ? JSON.stringify(info.sequence.map(String))
          : info.lsn !== null
            ? JSON.stringify([info.lastCommitLsn === null ? null : info.lastCommitLsn.toString(), info.lsn.toString()])
            : null,
      )
      .put('ts_us', Number(info.tsUs))
      .put('ts_ns', info.tsUs * 1000n)
      .put('schema', schema)
      .put('table', table)
      .put('txId', info.txId)
      .put('lsn', info.lsn === null ? null : Number(info.lsn))
      .put('xmin', null);
  }

  private struct(
    t: TableSchema,
    schema: TableSchema['valueSchema'],
    columns: readonly EventColumn[],
    tuple: TupleData,
  ): Struct {
    const s = new Struct(schema);
    for (const c of columns) {
      const raw = tuple[c.position];
      if (raw === null || raw === undefined) {
        // A required column without a value: the non-key columns of a delete's `before` under REPLICA
        // IDENTITY DEFAULT. Debezium writes the column's default, else the type's fallback (0, "", false, …).
        s.put(c.name, c.schema.optional ? null : (c.schema.defaultValue ?? fallback(c.schema)));
      } else if (raw === UNCHANGED_TOAST) {
        s.put(c.name, this.unavailable(c));
      } else {
        try {
          s.put(c.name, c.convert(raw));
        } catch (err) {
          throw new DataError(
            `Cannot convert column ${t.schema}.${t.table}.${c.name} value ${JSON.stringify(raw.slice(0, 100))}: ${(err as Error).message}`,
            { cause: err },
          );
        }
      }
    }
    return s;
  }

  /** Debezium's `unavailable.value.placeholder` for an unchanged TOASTed value PostgreSQL did not send. */
  private unavailable(c: EventColumn): unknown {
    switch (c.schema.type) {
      case 'STRING':
        return c.noPlaceholder ? null : this.placeholder;
      case 'BYTES':
        return c.schema.name ? null : Buffer.from(this.placeholder);
      case 'ARRAY':
        return c.schema.valueSchema?.type === 'STRING' ? [this.placeholder] : null;
      default:
        return null;
    }
  }
}

function fallback(schema: EventColumn['schema']): unknown {
  if (schema.name === 'org.apache.kafka.connect.data.Decimal')
    return Decimal.toText(new Uint8Array([0]), Number(schema.parameters?.scale ?? 0));
  switch (schema.type) {
    case 'INT8':
    case 'INT16':
    case 'INT32':
    case 'INT64':
    case 'FLOAT32':
    case 'FLOAT64':
      return 0;
    case 'BOOLEAN':
      return false;
    case 'STRING':
      return '';
    case 'BYTES':
      return new Uint8Array(0);
    case 'ARRAY':
      return [];
    case 'STRUCT': {
      const st = new Struct(schema);
      for (const f of schema.fields ?? []) st.put(f.name, fallback(f.schema));
      return st;
    }
    default:
      return null;
  }
}
