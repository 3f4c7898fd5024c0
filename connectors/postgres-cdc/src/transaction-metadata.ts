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
 */
export class TransactionMetadata {
  private total = 0;
  private readonly perCollection = new Map<string, number>();

  constructor(
    readonly id: string,
    private readonly tsMs: number,
  ) {}

  /** The `transaction` block of the next change event of `collection` (`schema.table`). */
  event(collection: string): { id: string; totalOrder: number; collectionOrder: number } {
    const n = (this.perCollection.get(collection) ?? 0) + 1;
    this.perCollection.set(collection, n);
    return { id: this.id, totalOrder: ++this.total, collectionOrder: n };
  }

  begin(topic: string, partition: SourcePartition): SourceRecord {
    return this.record(topic, partition, 'BEGIN', null, null);
  }

  end(topic: string, partition: SourcePartition): SourceRecord {
    const collections = [...this.perCollection].map(([c, n]) =>
      new Struct(DATA_COLLECTION_SCHEMA).put('data_collection', c).put('event_count', n),
    );
    return this.record(topic, partition, 'END', this.total, collections);
  }

  private record(
    topic: string,
    partition: SourcePartition,
    status: string,
    count: number | null,
    collections: Struct[] | null,
  ): SourceRecord {
    const value = new Struct(TX_VALUE_SCHEMA)
      .put('status', status)
      .put('id', this.id)
      .put('event_count', count)
      .put('data_collections', collections)
      .put('ts_ms', this.tsMs);
    return {
      topic,
      keySchema: TX_KEY_SCHEMA,
      key: new Struct(TX_KEY_SCHEMA).put('id', this.id),
      valueSchema: TX_VALUE_SCHEMA,
      value,
      timestamp: this.tsMs,
      headers: [],
      sourcePartition: partition,
      sourceOffset: {}, // set with the transaction's other records (ChangeStream.release)
    };
  }
}
