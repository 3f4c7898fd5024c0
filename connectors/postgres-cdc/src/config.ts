import { ConfigDef, ConfigError, Validators, type ParsedConfig } from '@tributary/connect-api';
import type { BinaryMode, DecimalMode, TimeMode } from './type-mapping.js';
import { defineSignalKeys } from './signals/signal-config.js';

export const VERSION = '0.1.0';
/** What `source.version` says; Debezium puts its own release there. */
export const SOURCE_VERSION = `tributary-${VERSION}`;

const SNAPSHOT_MODES = ['initial', 'always', 'initial_only', 'no_data', 'never', 'when_needed'];
const SKIPPABLE = ['c', 'u', 'd', 't', 'none'];

const list = (name: string, doc: string) => ({
  name,
  type: 'LIST' as const,
  default: '',
  importance: 'MEDIUM' as const,
  documentation: doc,
});

/** Debezium PostgresConnector keys, spelled as Debezium spells them. */
export const configDef = new ConfigDef()
  .define({
    name: 'database.hostname',
    type: 'STRING',
    importance: 'HIGH',
    documentation: 'IP address or hostname of the PostgreSQL server.',
    validator: Validators.nonEmptyString(),
  })
  .define({
    name: 'database.port',
    type: 'INT',
    default: 5432,
    importance: 'HIGH',
    documentation: 'Port of the PostgreSQL server.',
    validator: Validators.between(1, 65535),
  })
  .define({
    name: 'database.user',
    type: 'STRING',
    importance: 'HIGH',
    documentation:
      'Name of the PostgreSQL user. It needs the REPLICATION attribute (or superuser), CONNECT on the database, SELECT on captured tables, and CREATE on the database when the publication is created automatically.',
  })
  .define({
    name: 'database.password',
    type: 'PASSWORD',
    default: null,
    importance: 'HIGH',
    documentation: 'Password of the PostgreSQL user.',
  })
  .define({
    name: 'database.dbname',
    type: 'STRING',
    importance: 'HIGH',
    documentation: 'Name of the database to capture.',
  })
  .define({
    name: 'topic.prefix',
    type: 'STRING',
    aliases: ['database.server.name'],
    importance: 'HIGH',
    documentation:
      'Logical name of the server: the prefix of every topic (`<prefix>.<schema>.<table>`), the source partition and `source.name`. Never change it once offsets exist. `database.server.name` (Debezium 1.x) is accepted as an alias.',
    validator: (v, name) =>
      /^[A-Za-z0-9._-]+$/.test(String(v))
        ? undefined
        : `Invalid value ${String(v)} for configuration ${name}: only letters, digits, '.', '_' and '-' are allowed`,
  })
  .define({
    name: 'plugin.name',
    type: 'STRING',
    default: 'pgoutput',
    importance: 'MEDIUM',
    documentation:
      'Logical decoding plugin. Only `pgoutput` (built into PostgreSQL 10+) is implemented; Debezium defaults to decoderbufs.',
    validValues: ['pgoutput'],
  })
  .define({
    name: 'slot.name',
    type: 'STRING',
    default: 'debezium',
    importance: 'MEDIUM',
    documentation:
      'Name of the logical replication slot, created when missing. One slot per connector; lower-case letters, digits and underscores.',
    validator: (v, name) =>
      /^[a-z0-9_]{1,63}$/.test(String(v))
        ? undefined
        : `Invalid value ${String(v)} for configuration ${name}: slot names may contain only lower-case letters, digits and underscores (at most 63)`,
  })
  .define({
    name: 'slot.drop.on.stop',
    type: 'BOOLEAN',
    default: false,
    importance: 'LOW',
    documentation:
      'Drop the slot when the connector is deleted or stops gracefully. For tests and development: the WAL position is lost.',
  })
  .define({
    name: 'publication.name',
    type: 'STRING',
    default: 'dbz_publication',
    importance: 'MEDIUM',
    documentation: 'Name of the pgoutput publication.',
  })
  .define({
    name: 'publication.autocreate.mode',
    type: 'STRING',
    default: 'all_tables',
    importance: 'MEDIUM',
    documentation:
      '`all_tables`: create the publication FOR ALL TABLES when missing (needs superuser); `disabled`: it must exist; `filtered`: create or alter it to hold exactly the tables of the include/exclude lists; `no_tables`: create it empty.',
    validValues: ['all_tables', 'disabled', 'filtered', 'no_tables'],
  })
  .define(list('schema.include.list', 'Regular expressions matching the schemas to capture (whole name).'))
  .define(list('schema.exclude.list', 'Regular expressions matching schemas not to capture.'))
  .define(
    list(
      'table.include.list',
      'Regular expressions matching `schema.table` names to capture (anchored on the whole name). Empty means every table of every non-system schema.',
    ),
  )
  .define(list('table.exclude.list', 'Regular expressions matching `schema.table` names not to capture.'))
  .define(
    list(
      'column.include.list',
      'Regular expressions matching `schema.table.column` names to keep in change events. Key columns are always kept in the key.',
    ),
  )
  .define(
    list('column.exclude.list', 'Regular expressions matching `schema.table.column` names to drop from change events.'),
  )
  .define({
    name: 'message.key.columns',
    type: 'STRING',
    default: null,
    importance: 'LOW',
    documentation:
      'Custom record keys: `<table regex>:<column>,<column>;<table regex>:…`, the table as `schema.table`. The key of a matching table holds the matching columns (in the order listed) instead of the primary key; other tables keep their primary key.',
  })
  .define({
    name: 'snapshot.mode',
    type: 'STRING',
    default: 'initial',
    importance: 'MEDIUM',
    documentation:
      '`initial`: snapshot when no offset exists, then stream; `always`: snapshot at every start; `initial_only`: snapshot then stop streaming; `no_data` (or `never`): stream only; `when_needed`: snapshot when no offset exists or the stored position is no longer available in the slot.',
    validValues: SNAPSHOT_MODES,
  })
  .define({
    name: 'snapshot.fetch.size',
    type: 'INT',
    default: 10240,
    importance: 'LOW',
    documentation: 'Rows fetched per round trip while snapshotting a table.',
    validator: Validators.atLeast(1),
  })
  .define({
    name: 'snapshot.max.threads',
    type: 'INT',
    default: 1,
    importance: 'MEDIUM',
    documentation:
      'Connections reading the initial snapshot at once, all in the same exported snapshot. Above 1, tables with a primary key and more than `snapshot.fetch.size` rows per range are also split into key ranges read in parallel (see "Snapshot order").',
    validator: Validators.atLeast(1),
  })
  .define({
    name: 'snapshot.max.threads.multiplier',
    type: 'INT',
    default: 1,
    importance: 'LOW',
    documentation:
      'Key ranges per large table: `snapshot.max.threads` × this (Debezium 3.1+ key). Only used when `snapshot.max.threads` > 1.',
    validator: Validators.atLeast(1),
  })
  .define({
    name: 'snapshot.lock.timeout.ms',
    type: 'LONG',
    default: 10000,
    importance: 'LOW',
    documentation: 'How long to wait for the ACCESS SHARE locks that keep DDL away while the snapshot reads.',
    validator: Validators.atLeast(0),
  })
  .define({
    name: 'heartbeat.interval.ms',
    type: 'INT',
    default: 0,
    importance: 'MEDIUM',
    documentation:
      'When positive, a heartbeat record goes to `<heartbeat.topics.prefix>.<topic.prefix>` this often, so the stored position (and the slot) advances while captured tables are idle. 0 disables.',
    validator: Validators.atLeast(0),
  })
  .define({
    name: 'heartbeat.topics.prefix',
    type: 'STRING',
    default: '__debezium-heartbeat',
    importance: 'LOW',
    documentation: 'Prefix of the heartbeat topic.',
  })
  .define({
    name: 'heartbeat.action.query',
    type: 'STRING',
    default: null,
    importance: 'LOW',
    documentation:
      'SQL run on each heartbeat (e.g. an INSERT into a published heartbeat table), so that a database whose captured tables are idle still produces WAL the slot can move past.',
  })
  .define({
    name: 'tombstones.on.delete',
    type: 'BOOLEAN',
    default: true,
    importance: 'MEDIUM',
    documentation:
      'Emit a record with the deleted key and a null value after each delete, so compacted topics can drop the key.',
  })
  .define({
    name: 'decimal.handling.mode',
    type: 'STRING',
    default: 'precise',
    importance: 'MEDIUM',
    documentation:
      '`precise`: numeric as org.apache.kafka.connect.data.Decimal (unconstrained numeric as io.debezium.data.VariableScaleDecimal); `double`: FLOAT64; `string`: text.',
    validValues: ['precise', 'double', 'string'],
  })
  .define({
    name: 'binary.handling.mode',
    type: 'STRING',
    default: 'bytes',
    importance: 'LOW',
    documentation: '`bytes`: bytea as BYTES; `base64`, `base64-url-safe` or `hex`: as a STRING in that encoding.',
    validValues: ['bytes', 'base64', 'base64-url-safe', 'hex'],
  })
  .define({
    name: 'interval.handling.mode',
    type: 'STRING',
    default: 'numeric',
    importance: 'LOW',
    documentation:
      '`numeric`: interval as io.debezium.time.MicroDuration (µs, 30.4375-day months); `string`: as io.debezium.time.Interval, ISO-8601 `PnYnMnDTnHnMnS`.',
    validValues: ['numeric', 'string'],
  })
  .define({
    name: 'hstore.handling.mode',
    type: 'STRING',
    default: 'json',
    importance: 'LOW',
    documentation: '`json`: hstore as io.debezium.data.Json text; `map`: as a MAP of STRING to optional STRING.',
    validValues: ['json', 'map'],
  })
  .define({
    name: 'time.precision.mode',
    type: 'STRING',
    default: 'adaptive',
    importance: 'MEDIUM',
    documentation:
      "`adaptive`: io.debezium.time.* types at the column's precision; `adaptive_time_microseconds`: every TIME as MicroTime; `connect`: Kafka Connect's Date/Time/Timestamp (milliseconds).",
    validValues: ['adaptive', 'adaptive_time_microseconds', 'connect'],
  })
  .define({
    name: 'skipped.operations',
    type: 'LIST',
    default: 't',
    importance: 'LOW',
    documentation: 'Operations not to emit: any of `c`, `u`, `d`, `t` (truncate), or `none`.',
    validator: (v, name) =>
      (v as string[]).every((o) => SKIPPABLE.includes(o))
        ? undefined
        : `Invalid value ${(v as string[]).join(',')} for configuration ${name}: each must be one of ${SKIPPABLE.join(', ')}`,
  })
  .define({
    name: 'unavailable.value.placeholder',
    type: 'STRING',
    default: '__debezium_unavailable_value',
    importance: 'LOW',
    documentation:
      'Value written for an unchanged TOASTed column that PostgreSQL did not send (strings as is; bytes as its UTF-8; null for bytea written as base64 text, as in Debezium).',
  })
  .define({
    name: 'provide.transaction.metadata',
    type: 'BOOLEAN',
    default: false,
    importance: 'LOW',
    documentation:
      "Fill the envelope's `transaction` block {id, total_order, data_collection_order} and write a BEGIN and an END record (with `event_count` and per-table `data_collections`) for every transaction to `<topic.prefix>.<topic.transaction>`.",
  })
  .define({
    name: 'topic.transaction',
    type: 'STRING',
    default: 'transaction',
    importance: 'LOW',
    documentation: 'Suffix of the transaction metadata topic, `<topic.prefix>.<topic.transaction>`.',
  })
  .define({
    name: 'max.batch.size',
    type: 'INT',
    default: 2048,
    importance: 'LOW',
    documentation: 'Most records returned by one poll.',
    validator: Validators.atLeast(1),
  })
  .define({
    name: 'max.queue.size',
    type: 'INT',
    default: 8192,
    importance: 'LOW',
    documentation:
      'Records buffered between the replication stream and poll; when full, reading from PostgreSQL pauses. Must be larger than max.batch.size.',
    validator: Validators.atLeast(2),
  })
  .define({
    name: 'status.update.interval.ms',
    type: 'INT',
    default: 10000,
    importance: 'LOW',
    documentation: 'How often a standby status update (with the last committed LSN) is sent even when nothing changed.',
    validator: Validators.atLeast(100),
  })
  .define({
    name: 'retriable.restart.connector.wait.ms',
    type: 'INT',
    default: 10000,
    importance: 'LOW',
    documentation:
      'Longest wait between reconnection attempts after the database went away (backoff starts at 500 ms).',
    validator: Validators.atLeast(100),
  })
  .define({
    name: 'database.connect.timeout.ms',
    type: 'INT',
    default: 10000,
    importance: 'LOW',
    documentation: 'Connection timeout.',
    validator: Validators.atLeast(100),
  });

// Signals, incremental snapshots and notifications (signals/signal-config.ts).
defineSignalKeys(configDef);

/** The parsed configuration the task and connector work with. */
export interface CdcConfig {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string | null;
  readonly dbname: string;
  readonly prefix: string;
  readonly slot: string;
  readonly dropSlotOnStop: boolean;
  readonly publication: string;
  readonly publicationMode: 'all_tables' | 'disabled' | 'filtered' | 'no_tables';
  readonly filters: TableFilters;
  readonly snapshotMode: 'initial' | 'always' | 'initial_only' | 'no_data' | 'when_needed';
  readonly snapshotFetchSize: number;
  readonly snapshotLockTimeoutMs: number;
  readonly snapshotMaxThreads: number;
  readonly snapshotThreadsMultiplier: number;
  readonly heartbeatMs: number;
  readonly heartbeatTopic: string;
  readonly heartbeatQuery: string | null;
  readonly tombstones: boolean;
  readonly decimalMode: DecimalMode;
  readonly timeMode: TimeMode;
  readonly binaryMode: BinaryMode;
  readonly intervalMode: 'numeric' | 'string';
  readonly hstoreMode: 'json' | 'map';
  /** message.key.columns as anchored `schema.table.column` patterns; empty when unset. */
  readonly keyColumns: readonly RegExp[];
  readonly skipped: ReadonlySet<string>;
  readonly placeholder: string;
  readonly transactionMetadata: boolean;
  readonly transactionTopic: string;
  readonly maxBatch: number;
  readonly maxQueue: number;
  readonly statusIntervalMs: number;
  readonly maxRetryWaitMs: number;
  readonly connectTimeoutMs: number;
}

export interface TableFilters {
  readonly schemaInclude: readonly RegExp[];
  readonly schemaExclude: readonly RegExp[];
  readonly tableInclude: readonly RegExp[];
  readonly tableExclude: readonly RegExp[];
  readonly columnInclude: readonly RegExp[];
  readonly columnExclude: readonly RegExp[];
}

const anchored = (xs: string[]) => xs.filter((x) => x !== '').map((x) => new RegExp(`^(?:${x})$`, 'i'));

export function parseConfig(props: Readonly<Record<string, string>>): CdcConfig {
  const c: ParsedConfig = configDef.parse(props);
  const mode = c.string('snapshot.mode');
  return {
    host: c.string('database.hostname'),
    port: c.int('database.port'),
    user: c.string('database.user'),
    password: c.password('database.password'),
    dbname: c.string('database.dbname'),
    prefix: c.string('topic.prefix'),
    slot: c.string('slot.name'),
    dropSlotOnStop: c.bool('slot.drop.on.stop'),
    publication: c.string('publication.name'),
    publicationMode: c.string('publication.autocreate.mode') as CdcConfig['publicationMode'],
    filters: {
      schemaInclude: anchored(c.list('schema.include.list')),
      schemaExclude: anchored(c.list('schema.exclude.list')),
      tableInclude: anchored(c.list('table.include.list')),
      tableExclude: anchored(c.list('table.exclude.list')),
      columnInclude: anchored(c.list('column.include.list')),
      columnExclude: anchored(c.list('column.exclude.list')),
    },
    snapshotMode: (mode === 'never' ? 'no_data' : mode) as CdcConfig['snapshotMode'],
    snapshotFetchSize: c.int('snapshot.fetch.size'),
    snapshotLockTimeoutMs: c.int('snapshot.lock.timeout.ms'),
    snapshotMaxThreads: c.int('snapshot.max.threads'),
    snapshotThreadsMultiplier: c.int('snapshot.max.threads.multiplier'),
    heartbeatMs: c.int('heartbeat.interval.ms'),
    heartbeatTopic: `${c.string('heartbeat.topics.prefix')}.${c.string('topic.prefix')}`,
    heartbeatQuery: c.optionalString('heartbeat.action.query'),
    tombstones: c.bool('tombstones.on.delete'),
    decimalMode: c.string('decimal.handling.mode') as DecimalMode,
    timeMode: c.string('time.precision.mode') as TimeMode,
    binaryMode: c.string('binary.handling.mode') as BinaryMode,
    intervalMode: c.string('interval.handling.mode') as 'numeric' | 'string',
    hstoreMode: c.string('hstore.handling.mode') as 'json' | 'map',
    keyColumns: keyColumnPatterns(c.optionalString('message.key.columns')),
    skipped: new Set(c.list('skipped.operations').filter((o) => o !== 'none')),
    placeholder: c.string('unavailable.value.placeholder'),
    transactionMetadata: c.bool('provide.transaction.metadata'),
    transactionTopic: `${c.string('topic.prefix')}.${c.string('topic.transaction')}`,
    maxBatch: c.int('max.batch.size'),
    maxQueue: Math.max(c.int('max.queue.size'), c.int('max.batch.size') + 1),
    statusIntervalMs: c.int('status.update.interval.ms'),
    maxRetryWaitMs: c.int('retriable.restart.connector.wait.ms'),
    connectTimeoutMs: c.int('database.connect.timeout.ms'),
  };
}

/** `t1:a,b;t2:c` → patterns `t1.a`, `t1.b`, `t2.c` over `schema.table.column`, as Debezium's key mapper reads it. */
function keyColumnPatterns(v: string | null): RegExp[] {
  if (!v) return [];
  const out: string[] = [];
  for (const entry of v
    .split(';')
    .map((e) => e.trim())
    .filter((e) => e !== '')) {
    const at = entry.lastIndexOf(':');
    if (at <= 0)
      throw new ConfigError(
        `Invalid value ${v} for configuration message.key.columns: expected <table>:<column>[,<column>…] entries separated by ';'`,
      );
    for (const col of entry
      .slice(at + 1)
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== ''))
      out.push(`${entry.slice(0, at)}.${col}`);
  }
  return anchored(out);
}

/** The key columns message.key.columns gives `schema.table`, or null to keep the primary key. */
export function customKeyColumns(
  cfg: CdcConfig,
  schema: string,
  table: string,
  columns: readonly string[],
): string[] | null {
  if (cfg.keyColumns.length === 0) return null;
  // In the order the setting lists them (table order among the columns one pattern matches).
  const picked: string[] = [];
  for (const r of cfg.keyColumns)
    for (const c of columns) if (!picked.includes(c) && r.test(`${schema}.${table}.${c}`)) picked.push(c);
  return picked.length > 0 ? picked : null;
}

/** Whether `schema.table` is captured under the include/exclude lists. */
export function tableIncluded(f: TableFilters, schema: string, table: string): boolean {
  if (['pg_catalog', 'information_schema'].includes(schema) || schema.startsWith('pg_')) return false;
  if (f.schemaInclude.length > 0 && !f.schemaInclude.some((r) => r.test(schema))) return false;
  if (f.schemaExclude.some((r) => r.test(schema))) return false;
  const id = `${schema}.${table}`;
  if (f.tableInclude.length > 0 && !f.tableInclude.some((r) => r.test(id))) return false;
  return !f.tableExclude.some((r) => r.test(id));
}

/** Whether `schema.table.column` is kept in change events. */
export function columnIncluded(f: TableFilters, schema: string, table: string, column: string): boolean {
  const id = `${schema}.${table}.${column}`;
  if (f.columnInclude.length > 0 && !f.columnInclude.some((r) => r.test(id))) return false;
  return !f.columnExclude.some((r) => r.test(id));
}
