import pg from 'pg';
import { ConnectError } from '@tributary/connect-api';
import type { CdcConfig } from './config.js';
import { tableIncluded } from './config.js';
import type { TypeInfo } from './type-mapping.js';

/**
 * Every value stays text: we convert by type OID ourselves (type-mapping.ts). Passing our own
 * `types` keeps the `pg` module's global parsers (int8 → string, timestamp → local-time Date, …) out.
 */
const RAW_TYPES = { getTypeParser: () => (v: string) => v };

/** Session settings that make the text forms unambiguous, for the snapshot and the walsender alike. */
const SESSION_OPTIONS =
  '-c DateStyle=ISO,MDY -c TimeZone=UTC -c IntervalStyle=iso_8601 -c extra_float_digits=3 -c bytea_output=hex';

export function clientConfig(cfg: CdcConfig, replication: boolean): pg.ClientConfig {
  return {
    host: cfg.host,
    port: cfg.port,
    user: cfg.user,
    password: cfg.password ?? undefined,
    database: cfg.dbname,
    connectionTimeoutMillis: cfg.connectTimeoutMs,
    types: RAW_TYPES as unknown as pg.ClientConfig['types'],
    options: SESSION_OPTIONS,
    application_name: `tributary-${cfg.slot}`,
    ...(replication ? { replication: 'database' } : {}),
  } as pg.ClientConfig;
}

export async function connect(cfg: CdcConfig, replication = false): Promise<pg.Client> {
  const client = new pg.Client(clientConfig(cfg, replication));
  // A dropped connection is reported through the pending query; this stops it from crashing the worker.
  client.on('error', () => {});
  await client.connect();
  return client;
}

export interface TableRef {
  readonly oid: number;
  readonly schema: string;
  readonly table: string;
  readonly replicaIdentity: string;
}

export interface TableColumns {
  readonly notNull: ReadonlyMap<string, boolean>;
  /** Primary-key columns in key order (empty when there is none). */
  readonly primaryKey: readonly string[];
  /** Column defaults as the catalog prints them (`pg_get_expr`), for the columns that have one. */
  readonly defaults: ReadonlyMap<string, string>;
}

/** Checks what logical decoding needs, with messages that say how to fix each problem. */
export async function preflight(client: pg.Client, cfg: CdcConfig): Promise<void> {
  const wal = (await client.query('SHOW wal_level')).rows[0].wal_level as string;
  if (wal !== 'logical') {
    throw new ConnectError(
      `PostgreSQL at ${cfg.host}:${cfg.port} has wal_level=${wal}; logical decoding needs wal_level = logical: run ALTER SYSTEM SET wal_level = logical and restart PostgreSQL`,
      { code: 'PG_WAL_LEVEL' },
    );
  }
  const role = (await client.query('SELECT rolreplication, rolsuper FROM pg_roles WHERE rolname = current_user'))
    .rows[0];
  if (role && role.rolreplication !== 't' && role.rolsuper !== 't') {
    throw new ConnectError(
      `User "${cfg.user}" has no REPLICATION attribute: run ALTER ROLE "${cfg.user}" WITH REPLICATION (as a superuser)`,
      { code: 'PG_NO_REPLICATION_ROLE' },
    );
  }
}

/**
 * Captured tables, in name order: ordinary, partitioned and partitions alike, each under the include and
 * exclude lists, as Debezium sees them. The snapshot reads a partitioned table (its rows) and each of its
 * included partitions (the same rows again); streamed changes come under the partition, unless the
 * publication has publish_via_partition_root.
 */
export async function capturedTables(client: pg.Client, cfg: CdcConfig): Promise<TableRef[]> {
  const res =
    await client.query(`SELECT c.oid, n.nspname, c.relname, c.relreplident FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r','p') ORDER BY 2, 3`);
  return res.rows
    .map((r) => ({
      oid: Number(r.oid),
      schema: r.nspname as string,
      table: r.relname as string,
      replicaIdentity: r.relreplident as string,
    }))
    .filter((t) => tableIncluded(cfg.filters, t.schema, t.table));
}

export async function tableColumns(client: pg.Client, oid: number): Promise<TableColumns> {
  const cols = await client.query(
    `SELECT a.attname, a.attnotnull, CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END AS dflt
    FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped`,
    [oid],
  );
  const pk = await client.query(
    `SELECT a.attname FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum WHERE i.indrelid = $1 AND i.indisprimary ORDER BY k.ord`,
    [oid],
  );
  return {
    notNull: new Map(cols.rows.map((r) => [r.attname as string, r.attnotnull === 't'])),
    primaryKey: pk.rows.map((r) => r.attname as string),
    defaults: new Map(cols.rows.filter((r) => r.dflt !== null).map((r) => [r.attname as string, r.dflt as string])),
  };
}

/** Columns of a table as the snapshot reads them: name, type OID, typmod. */
export async function tableShape(
  client: pg.Client,
  oid: number,
): Promise<Array<{ name: string; typeOid: number; typeMod: number }>> {
  const res = await client.query(
    'SELECT attname, atttypid, atttypmod FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum',
    [oid],
  );
  return res.rows.map((r) => ({
    name: r.attname as string,
    typeOid: Number(r.atttypid),
    typeMod: Number(r.atttypmod),
  }));
}

/** Catalog facts about non-built-in types (enums, arrays of them, domains). */
export async function typeInfo(client: pg.Client, oids: number[]): Promise<TypeInfo[]> {
  if (oids.length === 0) return [];
  const res = await client.query(
    `SELECT t.oid, t.typname, t.typtype, t.typelem, t.typbasetype, t.typtypmod,
      (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) AS labels
    FROM pg_type t WHERE t.oid = ANY($1::oid[])`,
    [`{${oids.join(',')}}`],
  );
  return res.rows.map((r) => ({
    oid: Number(r.oid),
    name: r.typname as string,
    kind: r.typtype as string,
    elementOid: Number(r.typelem),
    baseOid: Number(r.typbasetype),
    baseTypMod: Number(r.typtypmod),
    ...(r.labels !== null ? { enumLabels: (r.labels as string).split(',') } : {}),
  }));
}

/** Creates (or, in `filtered` mode, aligns) the publication. It must exist before the slot is created. */
export async function ensurePublication(client: pg.Client, cfg: CdcConfig, tables: TableRef[]): Promise<void> {
  const exists =
    (await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [cfg.publication])).rowCount! > 0;
  const name = ident(cfg.publication);
  const list = tables.map((t) => `${ident(t.schema)}.${ident(t.table)}`).join(', ');
  switch (cfg.publicationMode) {
    case 'disabled':
      if (!exists)
        throw new ConnectError(
          `Publication "${cfg.publication}" does not exist and publication.autocreate.mode=disabled: create it (CREATE PUBLICATION ${name} FOR TABLE …) or change the mode`,
          { code: 'PG_NO_PUBLICATION' },
        );
      return;
    case 'all_tables':
      if (!exists) await client.query(`CREATE PUBLICATION ${name} FOR ALL TABLES`);
      return;
    case 'no_tables':
      if (!exists) await client.query(`CREATE PUBLICATION ${name}`);
      return;
    case 'filtered':
      if (tables.length === 0)
        throw new ConnectError('publication.autocreate.mode=filtered but no table matches the include/exclude lists', {
          code: 'PG_NO_TABLES',
        });
      await client.query(
        exists ? `ALTER PUBLICATION ${name} SET TABLE ${list}` : `CREATE PUBLICATION ${name} FOR TABLE ${list}`,
      );
  }
}

export interface SlotState {
  readonly active: boolean;
  readonly activePid: number | null;
  readonly confirmedFlush: string | null;
  readonly plugin: string;
  readonly restartLsn: string | null;
}

export async function slotState(client: pg.Client, slot: string): Promise<SlotState | null> {
  const res = await client.query(
    'SELECT active, active_pid, confirmed_flush_lsn, restart_lsn, plugin FROM pg_replication_slots WHERE slot_name = $1',
    [slot],
  );
  if (res.rowCount === 0) return null;
  const r = res.rows[0];
  return {
    active: r.active === 't',
    activePid: r.active_pid === null ? null : Number(r.active_pid),
    confirmedFlush: r.confirmed_flush_lsn,
    restartLsn: r.restart_lsn,
    plugin: r.plugin,
  };
}

export async function dropSlot(client: pg.Client, slot: string): Promise<void> {
  await client.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [
    slot,
  ]);
}

export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
