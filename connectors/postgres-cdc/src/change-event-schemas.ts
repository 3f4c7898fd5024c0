import { SchemaBuilder, Schemas, type Schema } from '@tributary/connect-api';
import { columnIncluded, customKeyColumns, type CdcConfig } from './config.js';
import { mapColumn, type ColumnMapping, type TypeInfo } from './type-mapping.js';

/** Debezium's `io.debezium.connector.postgresql.Source` block. */
export const SOURCE_SCHEMA: Schema = SchemaBuilder.struct()
  .name('io.debezium.connector.postgresql.Source')
  .field('version', Schemas.STRING)
  .field('connector', Schemas.STRING)
  .field('name', Schemas.STRING)
  .field('ts_ms', Schemas.INT64)
  .field(
    'snapshot',
    SchemaBuilder.string()
      .optional()
      .name('io.debezium.data.Enum')
      .version(1)
      .parameter('allowed', 'true,first,first_in_data_collection,last_in_data_collection,last,false,incremental')
      .defaultValue('false')
      .build(),
  )
  .field('db', Schemas.STRING)
  .field('sequence', Schemas.OPTIONAL_STRING)
  .field('ts_us', Schemas.OPTIONAL_INT64)
  .field('ts_ns', Schemas.OPTIONAL_INT64)
  .field('schema', Schemas.STRING)
  .field('table', Schemas.STRING)
  .field('txId', Schemas.OPTIONAL_INT64)
  .field('lsn', Schemas.OPTIONAL_INT64)
  .field('xmin', Schemas.OPTIONAL_INT64)
  .build();

/** Debezium's `event.block` (the envelope's `transaction`). */
export const TRANSACTION_SCHEMA: Schema = SchemaBuilder.struct()
  .name('event.block')
  .version(1)
  .optional()
  .field('id', Schemas.STRING)
  .field('total_order', Schemas.INT64)
  .field('data_collection_order', Schemas.INT64)
  .build();

/** One column as it appears in events: where it sits in the tuple, and how to convert it. */
export interface EventColumn extends ColumnMapping {
  /** Index in the tuple (Relation message or snapshot row order). */
  readonly position: number;
}

/** Everything needed to turn tuples of one table into Debezium change events. */
export interface TableSchema {
  readonly schema: string;
  readonly table: string;
  readonly topic: string;
  /** Null when the table has no primary key (Debezium then emits a null key). */
  readonly keySchema: Schema | null;
  readonly keyColumns: readonly EventColumn[];
  readonly valueSchema: Schema;
  readonly valueColumns: readonly EventColumn[];
  readonly envelopeSchema: Schema;
}

export interface ColumnShape {
  readonly name: string;
  readonly typeOid: number;
  readonly typeMod: number;
}

/** Debezium replaces characters that are not valid in topic names with `_`. */
export function topicName(prefix: string, schema: string, table: string): string {
  return `${prefix}.${schema}.${table}`.replace(/[^A-Za-z0-9._-]/g, '_');
}

/**
 * Builds the key, value and envelope schemas of a table from its columns (Relation message or
 * catalog), nullability, primary key and column defaults. Columns of types Debezium drops are left out.
 */
export function buildTableSchema(
  cfg: CdcConfig,
  schemaName: string,
  table: string,
  columns: readonly ColumnShape[],
  notNull: ReadonlyMap<string, boolean>,
  primaryKey: readonly string[],
  types: (oid: number) => TypeInfo | undefined,
  warn: (msg: string) => void,
  defaults: ReadonlyMap<string, string> = new Map(),
): TableSchema {
  const topic = topicName(cfg.prefix, schemaName, table);
  const base = `${topic}`;
  const opts = {
    decimalMode: cfg.decimalMode,
    timeMode: cfg.timeMode,
    binaryMode: cfg.binaryMode,
    intervalMode: cfg.intervalMode,
    hstoreMode: cfg.hstoreMode,
  };
  const mapped: EventColumn[] = [];
  columns.forEach((c, position) => {
    const m = mapColumn(
      c.name,
      c.typeOid,
      c.typeMod,
      !(notNull.get(c.name) ?? false),
      opts,
      types,
      defaults.get(c.name) ?? null,
    );
    if (!m) {
      warn(
        `column ${schemaName}.${table}.${c.name} has a type (oid ${c.typeOid}) Debezium does not map; it is left out of events`,
      );
      return;
    }
    mapped.push({ ...m, position });
  });
  // As in Debezium, column filters shape the value only: the key keeps its columns even when they are excluded.
  const valueColumns = mapped.filter((c) => columnIncluded(cfg.filters, schemaName, table, c.name));
  const keyNames =
    customKeyColumns(
      cfg,
      schemaName,
      table,
      columns.map((c) => c.name),
    ) ?? primaryKey;
  const keyColumns = keyNames
    .map((k) => mapped.find((c) => c.name === k))
    .filter((c): c is EventColumn => c !== undefined);
  const vb = SchemaBuilder.struct().name(`${base}.Value`).optional();
  for (const c of valueColumns) vb.field(c.name, c.schema);
  const valueSchema = vb.build();
  let keySchema: Schema | null = null;
  if (keyColumns.length > 0) {
    const kb = SchemaBuilder.struct().name(`${base}.Key`);
    for (const c of keyColumns) kb.field(c.name, c.schema);
    keySchema = kb.build();
  }
  const envelopeSchema = SchemaBuilder.struct()
    .name(`${base}.Envelope`)
    .version(2)
    .field('before', valueSchema)
    .field('after', valueSchema)
    .field('source', SOURCE_SCHEMA)
    .field('transaction', TRANSACTION_SCHEMA)
    .field('op', Schemas.STRING)
    .field('ts_ms', Schemas.OPTIONAL_INT64)
    .field('ts_us', Schemas.OPTIONAL_INT64)
    .field('ts_ns', Schemas.OPTIONAL_INT64)
    .build();
  return { schema: schemaName, table, topic, keySchema, keyColumns, valueSchema, valueColumns, envelopeSchema };
}
