import { ConfigDef, Validators, type ParsedConfig } from '@tributary/connect-api';
import { parseMapping, type Mapping } from './mapping.js';

export const VERSION = '0.1.0';

const CONNECTION = 'Connection';
const WRITES = 'Writes';

export const CONSISTENCY_LEVELS = [
  'ANY',
  'ONE',
  'TWO',
  'THREE',
  'QUORUM',
  'ALL',
  'LOCAL_QUORUM',
  'EACH_QUORUM',
  'LOCAL_ONE',
] as const;
export const TIME_UNITS = [
  'NANOSECONDS',
  'MICROSECONDS',
  'MILLISECONDS',
  'SECONDS',
  'MINUTES',
  'HOURS',
  'DAYS',
] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];
export type IgnoreErrors = 'None' | 'All' | 'Driver';

/** The global keys of DataStax's `CassandraSinkConnector`, spelled as it spells them. */
export const sinkConfigDef = new ConfigDef()
  .define({
    name: 'contactPoints',
    type: 'LIST',
    default: '',
    importance: 'HIGH',
    group: CONNECTION,
    documentation:
      'Cassandra hosts (names or addresses, without ports) to connect to first; the others are discovered. Empty means 127.0.0.1. When set, loadBalancing.localDc is required.',
  })
  .define({
    name: 'port',
    type: 'INT',
    default: 9042,
    importance: 'HIGH',
    group: CONNECTION,
    documentation: 'The CQL native-protocol port of every contact point.',
    validator: Validators.between(1, 65535),
  })
  .define({
    name: 'loadBalancing.localDc',
    type: 'STRING',
    default: '',
    importance: 'HIGH',
    group: CONNECTION,
    documentation:
      'The datacenter whose nodes get the requests. Required when contactPoints is set; with the default (local) contact point, empty sends to every node round-robin.',
  })
  .define({
    name: 'auth.provider',
    type: 'STRING',
    default: 'None',
    importance: 'MEDIUM',
    group: CONNECTION,
    documentation:
      'None, or PLAIN for username/password authentication (set automatically when auth.username is given). GSSAPI is not supported.',
    validator: Validators.inIgnoreCase('None', 'PLAIN'),
  })
  .define({
    name: 'auth.username',
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: CONNECTION,
    documentation: 'Username for PLAIN authentication.',
  })
  .define({
    name: 'auth.password',
    type: 'PASSWORD',
    default: '',
    importance: 'MEDIUM',
    group: CONNECTION,
    documentation: 'Password for PLAIN authentication.',
  })
  .define({
    name: 'cloud.secureConnectBundle',
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: CONNECTION,
    documentation:
      'Path of an Astra secure connect bundle; cannot be combined with contactPoints or loadBalancing.localDc.',
  })
  .define({
    name: 'connectionPoolLocalSize',
    type: 'INT',
    default: 4,
    importance: 'LOW',
    group: CONNECTION,
    documentation: 'Connections per node of the local datacenter.',
    validator: Validators.atLeast(1),
  })
  .define({
    name: 'queryExecutionTimeout',
    type: 'INT',
    default: 30,
    importance: 'LOW',
    group: CONNECTION,
    documentation: 'Seconds a request may take before it counts as failed (and is retried).',
    validator: Validators.atLeast(1),
  })
  .define({
    name: 'compression',
    type: 'STRING',
    default: 'None',
    importance: 'LOW',
    group: CONNECTION,
    documentation: 'Protocol compression. Only None is supported (LZ4 and Snappy need native modules).',
    validator: Validators.inIgnoreCase('None'),
  })
  .define({
    name: 'jmx',
    type: 'BOOLEAN',
    default: true,
    importance: 'LOW',
    group: CONNECTION,
    documentation: "Accepted for compatibility and ignored; metrics are under the worker's /metrics.",
  })
  .define({
    name: 'maxConcurrentRequests',
    type: 'INT',
    default: 500,
    importance: 'MEDIUM',
    group: WRITES,
    documentation: 'Most CQL requests (statements or batches) in flight per task. The total is tasks.max times this.',
    validator: Validators.atLeast(1),
  })
  .define({
    name: 'maxNumberOfRecordsInBatch',
    type: 'INT',
    default: 32,
    importance: 'MEDIUM',
    group: WRITES,
    documentation: 'Most records in one unlogged batch; a batch only holds records for one partition key of one table.',
    validator: Validators.atLeast(1),
  })
  .define({
    name: 'ignoreErrors',
    type: 'STRING',
    default: 'None',
    importance: 'MEDIUM',
    group: WRITES,
    documentation:
      'None: a record that cannot be mapped goes to the error handler (errors.tolerance, DLQ) and a failed write is retried. Driver: failed writes are logged and skipped. All: mapping failures are skipped too. true/false mean Driver/None.',
    validator: Validators.inIgnoreCase('None', 'All', 'Driver', 'true', 'false'),
  });

/** Settings of one `topic.<topic>.<keyspace>.<table>.*` group. */
export interface TableSettings {
  readonly topic: string;
  readonly keyspace: string;
  readonly table: string;
  /** The config key of the mapping, for error messages and validation results. */
  readonly mappingKey: string;
  readonly mappingText: string;
  readonly consistencyLevel: (typeof CONSISTENCY_LEVELS)[number];
  /** Static TTL in seconds; -1 means none. */
  readonly ttlSeconds: number;
  readonly ttlTimeUnit: TimeUnit;
  readonly timestampTimeUnit: TimeUnit;
  readonly nullToUnset: boolean;
  readonly deletesEnabled: boolean;
}

const TABLE_KEY =
  /^topic\.(.+)\.([^.]+)\.([^.]+)\.(mapping|consistencyLevel|ttl|ttlTimeUnit|timestampTimeUnit|nullToUnset|deletesEnabled|query)$/;

export interface TableProblem {
  key: string;
  message: string;
}

/**
 * The table groups found in a flat config, and the problems with their settings. A topic may feed
 * several tables; a table setting without a mapping, and a custom `query` (not supported), are problems.
 */
export function tableSettings(props: Readonly<Record<string, string>>): {
  tables: TableSettings[];
  problems: TableProblem[];
} {
  const groups = new Map<string, { topic: string; keyspace: string; table: string; keys: Map<string, string> }>();
  for (const [k, v] of Object.entries(props)) {
    const m = TABLE_KEY.exec(k);
    if (!m) continue;
    const id = `${m[1]}\u0000${m[2]}\u0000${m[3]}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { topic: m[1]!, keyspace: m[2]!, table: m[3]!, keys: new Map() }));
    g.keys.set(m[4]!, v);
  }
  const tables: TableSettings[] = [];
  const problems: TableProblem[] = [];
  for (const g of groups.values()) {
    const prefix = `topic.${g.topic}.${g.keyspace}.${g.table}.`;
    const bad = (setting: string, message: string) => problems.push({ key: prefix + setting, message });
    const mappingText = g.keys.get('mapping');
    if (mappingText === undefined || mappingText.trim() === '') {
      bad(
        'mapping',
        `Missing required configuration "${prefix}mapping": every table needs a mapping such as "col1=key, col2=value.field".`,
      );
      continue;
    }
    if (g.keys.has('query'))
      bad('query', 'Custom queries are not supported; use a mapping (the statement is generated from it).');
    const pick = <T extends string>(setting: string, allowed: readonly T[], dflt: T): T => {
      const raw = (g.keys.get(setting) ?? dflt).trim().toUpperCase();
      if ((allowed as readonly string[]).includes(raw)) return raw as T;
      bad(
        setting,
        `Invalid value ${g.keys.get(setting)} for configuration ${prefix}${setting}: must be one of ${allowed.join(', ')}`,
      );
      return dflt;
    };
    const bool = (setting: string, dflt: boolean): boolean => {
      const raw = (g.keys.get(setting) ?? String(dflt)).trim().toLowerCase();
      if (raw === 'true' || raw === 'false') return raw === 'true';
      bad(
        setting,
        `Invalid value ${g.keys.get(setting)} for configuration ${prefix}${setting}: Expected value to be either true or false`,
      );
      return dflt;
    };
    const ttlTimeUnit = pick('ttlTimeUnit', TIME_UNITS, 'SECONDS');
    let ttlSeconds = -1;
    const ttlRaw = g.keys.get('ttl');
    if (ttlRaw !== undefined && ttlRaw.trim() !== '') {
      const n = /^-?\d+$/.test(ttlRaw.trim()) ? Number(ttlRaw.trim()) : NaN;
      if (!Number.isSafeInteger(n) || n < -1)
        bad(
          'ttl',
          `Invalid value ${ttlRaw} for configuration ${prefix}ttl: must be -1 (no TTL) or a whole number of ${ttlTimeUnit.toLowerCase()}`,
        );
      else if (n >= 0) ttlSeconds = Math.floor(toSeconds(n, ttlTimeUnit));
    }
    tables.push({
      topic: g.topic,
      keyspace: g.keyspace,
      table: g.table,
      mappingKey: `${prefix}mapping`,
      mappingText,
      consistencyLevel: pick('consistencyLevel', CONSISTENCY_LEVELS, 'LOCAL_ONE'),
      ttlSeconds,
      ttlTimeUnit,
      timestampTimeUnit: pick('timestampTimeUnit', TIME_UNITS, 'MICROSECONDS'),
      nullToUnset: bool('nullToUnset', true),
      deletesEnabled: bool('deletesEnabled', true),
    });
  }
  return { tables, problems };
}

/** The mapping of a table group, or the problem that prevents parsing it. */
export function mappingOf(t: TableSettings): { mapping: Mapping } | { problem: TableProblem } {
  try {
    return { mapping: parseMapping(t.mappingText) };
  } catch (e) {
    return { problem: { key: t.mappingKey, message: (e as Error).message } };
  }
}

export function ignoreErrorsOf(cfg: ParsedConfig): IgnoreErrors {
  const v = cfg.string('ignoreErrors').toLowerCase();
  return v === 'all' ? 'All' : v === 'driver' || v === 'true' ? 'Driver' : 'None';
}

const UNIT_SECONDS: Record<TimeUnit, number> = {
  NANOSECONDS: 1e-9,
  MICROSECONDS: 1e-6,
  MILLISECONDS: 1e-3,
  SECONDS: 1,
  MINUTES: 60,
  HOURS: 3600,
  DAYS: 86400,
};

/** `n` of `unit` in seconds (fractional). */
export function toSeconds(n: number, unit: TimeUnit): number {
  return n * UNIT_SECONDS[unit];
}

/** `n` of `unit` in whole microseconds, as a bigint (write times need 64 bits). */
export function toMicros(n: number | bigint, unit: TimeUnit): bigint {
  const big = typeof n === 'bigint' ? n : BigInt(Math.trunc(n));
  switch (unit) {
    case 'NANOSECONDS':
      return big / 1000n;
    case 'MICROSECONDS':
      return big;
    case 'MILLISECONDS':
      return big * 1000n;
    case 'SECONDS':
      return big * 1_000_000n;
    case 'MINUTES':
      return big * 60_000_000n;
    case 'HOURS':
      return big * 3_600_000_000n;
    case 'DAYS':
      return big * 86_400_000_000n;
  }
}
