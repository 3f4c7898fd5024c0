import cassandra from 'cassandra-driver';
import { DataError, Struct, type SinkRecord } from '@tributary/connect-api';
import { toMicros, toSeconds, type TableSettings } from './config.js';
import { toCql, typeName, type CqlType } from './cql-values.js';
import { MAPPING_FUNCTIONS, quoteIfNeeded, type FieldSource, type Mapping, type MappingEntry } from './mapping.js';

const { types } = cassandra;

/** What the sink needs to know of a table; read from the driver's metadata (or built by a test). */
export interface TableShape {
  readonly keyspace: string;
  readonly name: string;
  readonly columns: ReadonlyMap<string, CqlType>;
  readonly partitionKey: readonly string[];
  readonly clusteringKey: readonly string[];
}

/** One bound statement ready to run, with the partition it belongs to (null: unknown, never batched). */
export interface WriteOp {
  readonly query: string;
  readonly params: unknown[];
  readonly consistency: number;
  /** `<table>\u0000<partition key values>`: ops with the same group may share an unlogged batch. */
  readonly group: string | null;
  readonly record: SinkRecord;
}

/**
 * Checks a mapping against a table: every mapped column exists, every primary-key column is mapped,
 * functions produce the column's type. Returns one message per problem (empty when it fits).
 */
export function checkMapping(mapping: Mapping, table: TableShape): string[] {
  const problems: string[] = [];
  const fq = `${table.keyspace}.${table.name}`;
  const mapped = new Set(mapping.columns.map((e) => e.column));
  for (const e of mapping.columns) {
    const type = table.columns.get(e.column);
    if (!type) {
      problems.push(
        `Column ${quoteIfNeeded(e.column)} (mapped from ${e.text}) does not exist in ${fq}; its columns are ${[...table.columns.keys()].map(quoteIfNeeded).join(', ')}.`,
      );
      continue;
    }
    if (type.code === types.dataTypes.counter)
      problems.push(
        `Column ${quoteIfNeeded(e.column)} of ${fq} is a counter; counter tables are not supported by this connector.`,
      );
    if (e.source.kind === 'function') {
      const produces = MAPPING_FUNCTIONS[e.source.name]!.produces;
      if (!produces.includes(typeName(type)))
        problems.push(
          `Column ${quoteIfNeeded(e.column)} of ${fq} is ${typeName(type)}, but ${e.source.cql} produces ${produces.join(' or ')}.`,
        );
    }
  }
  for (const pk of [...table.partitionKey, ...table.clusteringKey]) {
    if (!mapped.has(pk))
      problems.push(
        `Primary key column ${quoteIfNeeded(pk)} of ${fq} is not mapped; every primary-key column (${[...table.partitionKey, ...table.clusteringKey].map(quoteIfNeeded).join(', ')}) must be.`,
      );
  }
  return problems;
}

/**
 * Turns records into statements for one table: a prepared `INSERT … USING TIMESTAMP ? [AND TTL …]`, or
 * a `DELETE … USING TIMESTAMP ?` when deletes are enabled and the record carries only the primary key
 * (a tombstone). The write time is the record's timestamp, so a replayed or reordered record can never
 * overwrite newer data (last write wins by timestamp, not by arrival).
 */
export class TableWriter {
  readonly id: string;
  private readonly insertCql: string;
  /** Columns bound by the insert, in order (functions are inlined in the CQL and not bound). */
  private readonly bound: Array<MappingEntry & { type: CqlType }>;
  private readonly deleteCql: string | null;
  private readonly primaryKey: string[];
  private readonly partitionIndexes: number[] | null;
  private readonly consistency: number;

  constructor(
    readonly settings: TableSettings,
    private readonly mapping: Mapping,
    table: TableShape,
  ) {
    const fq = `${quoteIfNeeded(table.keyspace)}.${quoteIfNeeded(table.name)}`;
    this.id = `${settings.topic}/${table.keyspace}.${table.name}`;
    this.bound = mapping.columns
      .filter((e) => e.source.kind !== 'function')
      .map((e) => ({ ...e, type: table.columns.get(e.column)! }));
    const cols = mapping.columns.map((e) => quoteIfNeeded(e.column)).join(', ');
    const values = mapping.columns.map((e) => (e.source.kind === 'function' ? e.source.cql : '?')).join(', ');
    const ttl = mapping.ttl ? ' AND TTL ?' : settings.ttlSeconds >= 0 ? ` AND TTL ${settings.ttlSeconds}` : '';
    this.insertCql = `INSERT INTO ${fq} (${cols}) VALUES (${values}) USING TIMESTAMP ?${ttl}`;
    this.primaryKey = [...table.partitionKey, ...table.clusteringKey];
    const byColumn = new Map(mapping.columns.map((e) => [e.column, e]));
    const pkFromFields = this.primaryKey.every((c) => byColumn.get(c) && byColumn.get(c)!.source.kind !== 'function');
    const hasOtherColumns = mapping.columns.some((e) => !this.primaryKey.includes(e.column));
    this.deleteCql =
      settings.deletesEnabled && pkFromFields && hasOtherColumns
        ? `DELETE FROM ${fq} USING TIMESTAMP ? WHERE ${this.primaryKey.map((c) => `${quoteIfNeeded(c)} = ?`).join(' AND ')}`
        : null;
    // Grouping needs the partition key from the record; a generated partition key (now()) is unknown here.
    const boundNames = this.bound.map((b) => b.column);
    this.partitionIndexes = table.partitionKey.every((c) => boundNames.includes(c))
      ? table.partitionKey.map((c) => boundNames.indexOf(c))
      : null;
    this.consistency = types.consistencies[camel(settings.consistencyLevel) as keyof typeof types.consistencies];
  }

  get insertStatement(): string {
    return this.insertCql;
  }
  get deleteStatement(): string | null {
    return this.deleteCql;
  }

  /** The statement for one record; throws a DataError when the record does not fit the mapping. */
  toOp(record: SinkRecord): WriteOp {
    const tombstone = record.value === null || record.value === undefined;
    const values: unknown[] = new Array(this.bound.length);
    let onlyKey = true;
    for (let i = 0; i < this.bound.length; i++) {
      const e = this.bound[i]!;
      const raw = extract(record, e, tombstone);
      const isPk = this.primaryKey.includes(e.column);
      if (isPk && raw === null)
        throw new DataError(
          `Primary key column ${quoteIfNeeded(e.column)} of ${this.id} would be null: ${e.text} is null in the record at ${where(record)}.`,
        );
      if (!isPk && raw !== null) onlyKey = false;
      values[i] = toCql(raw, e.type, e.column);
    }
    const writetime = this.writeTime(record, tombstone);
    if (this.deleteCql && onlyKey) {
      const params: unknown[] = [writetime];
      for (const c of this.primaryKey) params.push(values[this.bound.findIndex((b) => b.column === c)]);
      return { query: this.deleteCql, params, consistency: this.consistency, group: this.groupOf(values), record };
    }
    const params = values.map((v) => (v === null && this.settings.nullToUnset ? types.unset : v));
    params.push(writetime);
    if (this.mapping.ttl) params.push(this.ttlOf(record, tombstone));
    return { query: this.insertCql, params, consistency: this.consistency, group: this.groupOf(values), record };
  }

  private writeTime(record: SinkRecord, tombstone: boolean): unknown {
    const e = this.mapping.timestamp;
    if (e) {
      const raw = extract(record, e, tombstone);
      if (raw !== null) {
        const n =
          typeof raw === 'bigint' || typeof raw === 'number'
            ? raw
            : typeof raw === 'string' && /^[+-]?\d+$/.test(raw.trim())
              ? BigInt(raw.trim())
              : raw instanceof Date
                ? BigInt(raw.getTime()) * 1000n
                : null;
        if (n === null)
          throw new DataError(
            `__timestamp (mapped from ${e.text}) must be a whole number of ${this.settings.timestampTimeUnit.toLowerCase()}, got ${typeof raw} at ${where(record)}.`,
          );
        return types.Long.fromString(
          (raw instanceof Date ? (n as bigint) : toMicros(n, this.settings.timestampTimeUnit)).toString(),
        );
      }
    }
    // Kafka record time in µs; with no timestamp at all Cassandra picks the write time.
    return record.timestamp === null || record.timestamp === undefined
      ? types.unset
      : types.Long.fromNumber(record.timestamp * 1000);
  }

  private ttlOf(record: SinkRecord, tombstone: boolean): unknown {
    const e = this.mapping.ttl!;
    const raw = extract(record, e, tombstone);
    if (raw === null) return this.settings.ttlSeconds >= 0 ? this.settings.ttlSeconds : types.unset;
    const n =
      typeof raw === 'number'
        ? raw
        : typeof raw === 'bigint'
          ? Number(raw)
          : typeof raw === 'string' && /^\d+$/.test(raw.trim())
            ? Number(raw.trim())
            : NaN;
    if (!Number.isFinite(n) || n < 0)
      throw new DataError(
        `__ttl (mapped from ${e.text}) must be a non-negative number of ${this.settings.ttlTimeUnit.toLowerCase()}, at ${where(record)}.`,
      );
    return Math.floor(toSeconds(n, this.settings.ttlTimeUnit));
  }

  private groupOf(values: unknown[]): string | null {
    if (!this.partitionIndexes) return null;
    let g = this.id;
    for (const i of this.partitionIndexes) {
      const v = values[i];
      g += `\u0000${Buffer.isBuffer(v) ? v.toString('hex') : v instanceof Date ? v.getTime() : String(v)}`;
    }
    return g;
  }
}

/** The value a mapping entry reads from a record; null for null. Throws a DataError when it is missing. */
function extract(record: SinkRecord, e: MappingEntry, tombstone: boolean): unknown {
  const s = e.source as Exclude<FieldSource, { kind: 'function' }>;
  if (s.kind === 'header') {
    let found: unknown = undefined;
    for (const h of record.headers) if (h.key === s.name) found = h.value;
    if (found === undefined) throw missing(record, e);
    return found ?? null;
  }
  if (s.kind === 'value' && tombstone) return null; // a tombstone has no value fields; the key still matters
  let cur: unknown = s.kind === 'key' ? record.key : record.value;
  for (const seg of s.path) {
    if (cur === null || cur === undefined) throw missing(record, e);
    if (cur instanceof Struct) {
      if (!cur.schema.fields!.some((f) => f.name === seg)) throw missing(record, e);
      cur = cur.get(seg);
    } else if (cur instanceof Map) {
      if (!cur.has(seg)) throw missing(record, e);
      cur = cur.get(seg);
    } else if (
      typeof cur === 'object' &&
      !Array.isArray(cur) &&
      !(cur instanceof Uint8Array) &&
      !(cur instanceof Date)
    ) {
      if (!Object.hasOwn(cur, seg)) throw missing(record, e);
      cur = (cur as Record<string, unknown>)[seg];
    } else {
      throw new DataError(
        `Cannot read ${e.text} (for column ${quoteIfNeeded(e.column)}): the ${s.kind} of the record at ${where(record)} is ${typeof cur === 'string' ? 'a string' : typeof cur}, not an object. Is the converter right (JsonConverter with schemas.enable=false for plain JSON)?`,
      );
    }
  }
  return cur === undefined ? null : cur;
}

function missing(record: SinkRecord, e: MappingEntry): DataError {
  return new DataError(
    `Required field ${e.text} (mapped to column ${quoteIfNeeded(e.column)}) was missing from the record at ${where(record)}.`,
  );
}

function where(r: SinkRecord): string {
  return `${r.topic}-${r.kafkaPartition}@${r.kafkaOffset}`;
}

function camel(level: string): string {
  return level.toLowerCase().replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}
