import {
  SchemaBuilder,
  Schemas,
  Struct,
  type Schema,
  type SourcePartition,
  type SourceRecord,
} from '@tributary/connect-api';

/** Debezium's transaction topic schemas (SchemaFactory: TransactionMetadataKey/Value, event.collection). */
export const TX_KEY_SCHEMA: Schema = SchemaBuilder.struct()
  .name('io.debezium.connector.common.TransactionMetadataKey')
  .version(1)
  .field('id', Schemas.STRING)
  .build();
const DATA_COLLECTION_SCHEMA: Schema = SchemaBuilder.struct()
  .name('event.collection')
  .version(1)
  .optional()
  .field('data_collection', Schemas.STRING)
  .field('event_count', Schemas.INT64)
  .build();
export const TX_VALUE_SCHEMA: Schema = SchemaBuilder.struct()
  .name('io.debezium.connector.common.TransactionMetadataValue')
  .version(1)
  .field('status', Schemas.STRING)
  .field('id', Schemas.STRING)
  .field('event_count', Schemas.OPTIONAL_INT64)
  .field('data_collections', SchemaBuilder.array(DATA_COLLECTION_SCHEMA).optional().build())
  .field('ts_ms', Schemas.INT64)
  .build();

/**
 * One transaction's counts under `provide.transaction.metadata`: the `transaction` block of each change
 * event ({id, total_order, data_collection_order}) and the BEGIN/END records of `<topic.prefix>.transaction`.
 * Counted per change event, as Debezium counts them: tombstones are not events of the transaction.
 *
 * The id is Debezium's `<xid>:<lsn>` where, as Debezium 3.0 writes it, the LSN is that of the message at hand:
 * BEGIN carries the transaction's first change's LSN, each event its own, END the commit's end LSN. So the ids
 * of one transaction differ after the colon; the xid before it is what identifies the transaction.
 */
export class TransactionMetadata {
  private total = 0;
  private readonly perCollection = new Map<string, number>();

  constructor(
    private readonly xid: number,
    private readonly tsMs: number,
  ) {}

  /** The `transaction` block of the next change event of `collection` (`schema.table`), at `lsn`. */
  event(collection: string, lsn: bigint): { id: string; totalOrder: number; collectionOrder: number } {
    const n = (this.perCollection.get(collection) ?? 0) + 1;
    this.perCollection.set(collection, n);
    return { id: `${this.xid}:${lsn}`, totalOrder: ++this.total, collectionOrder: n };
  }

  begin(topic: string, partition: SourcePartition, lsn: bigint): SourceRecord {
    return this.record(topic, partition, `${this.xid}:${lsn}`, 'BEGIN', null, null);
  }

  end(topic: string, partition: SourcePartition, lsn: bigint): SourceRecord {
    const collections = [...this.perCollection].map(([c, n]) =>
      new Struct(DATA_COLLECTION_SCHEMA).put('data_collection', c).put('event_count', n),
    );
    return this.record(topic, partition, `${this.xid}:${lsn}`, 'END', this.total, collections);
  }

  private record(
    topic: string,
    partition: SourcePartition,
    id: string,
    status: string,
    count: number | null,
    collections: Struct[] | null,
  ): SourceRecord {
    const value = new Struct(TX_VALUE_SCHEMA)
      .put('status', status)
      .put('id', id)
      .put('event_count', count)
      .put('data_collections', collections)
      .put('ts_ms', this.tsMs);
    return {
      topic,
      keySchema: TX_KEY_SCHEMA,
      key: new Struct(TX_KEY_SCHEMA).put('id', id),
      valueSchema: TX_VALUE_SCHEMA,
      value,
      timestamp: this.tsMs,
      headers: [],
      sourcePartition: partition,
      sourceOffset: {}, // set with the transaction's other records (ChangeStream.release)
    };
  }
}
