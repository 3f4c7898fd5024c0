import type pg from 'pg';
import { ident, type TableRef } from './pg-client.js';

/**
 * One key range of a table: rows with `lower <= key < upper` (a null bound is open). A table that is
 * not split is one chunk with both bounds open, read in physical order as Debezium reads it.
 */
export interface ChunkRange {
  readonly lower: readonly string[] | null;
  readonly upper: readonly string[] | null;
}

export const WHOLE_TABLE: readonly ChunkRange[] = [{ lower: null, upper: null }];

/** Sampled keys per wanted chunk: enough for even ranges, few enough to sample in one quick scan. */
const SAMPLES_PER_CHUNK = 200;
/** Rows from the statistics; a table never analyzed (reltuples -1) is guessed from its size at 50 rows a page. */
const ESTIMATE = `SELECT (CASE WHEN reltuples > 0 THEN reltuples
  ELSE pg_relation_size(oid) / current_setting('block_size')::float8 * 50 END)::float8 AS n FROM pg_class WHERE oid = $1`;

/**
 * Splits a table into about `wanted` key ranges of similar row counts, from a row sample taken inside
 * the snapshot transaction (BERNOULLI: every row equally likely, so the ranges are even whatever the
 * physical order). Key values stay text and go back as parameters, so any orderable key type works.
 * Returns WHOLE_TABLE when the table has no primary key or is too small to be worth splitting.
 */
export async function planChunks(
  client: pg.Client,
  ref: TableRef,
  keyColumns: readonly string[],
  wanted: number,
  minRowsPerChunk: number,
): Promise<readonly ChunkRange[]> {
  if (keyColumns.length === 0 || wanted < 2) return WHOLE_TABLE;
  const est = Number((await client.query(ESTIMATE, [ref.oid])).rows[0]?.n ?? 0);
  const chunks = Math.min(wanted, Math.floor(est / minRowsPerChunk));
  if (chunks < 2) return WHOLE_TABLE;
  const pct = Math.min(100, (100 * SAMPLES_PER_CHUNK * chunks) / est);
  const keys = keyColumns.map(ident).join(', ');
  const sample = await client.query({
    text: `SELECT ${keys} FROM ${ident(ref.schema)}.${ident(ref.table)} TABLESAMPLE BERNOULLI (${pct}) ORDER BY ${keys}`,
    rowMode: 'array',
  });
  const rows = sample.rows as string[][];
  const bounds: string[][] = [];
  for (let i = 1; i < chunks; i++) {
    const b = rows[Math.floor((i * rows.length) / chunks)];
    if (b && (bounds.length === 0 || !sameKey(bounds[bounds.length - 1]!, b))) bounds.push(b);
  }
  if (bounds.length === 0) return WHOLE_TABLE;
  return [null, ...bounds].map((lower, i) => ({ lower, upper: bounds[i] ?? null }));
}

function sameKey(a: readonly string[], b: readonly string[]): boolean {
  return a.every((v, i) => v === b[i]);
}

/** The SELECT of one chunk: a split table's chunk is read in key order, a whole table in physical order. */
export function chunkQuery(
  ref: TableRef,
  keyColumns: readonly string[],
  range: ChunkRange,
): { text: string; values: string[] } {
  const table = `${ident(ref.schema)}.${ident(ref.table)}`;
  if (!range.lower && !range.upper) return { text: `SELECT * FROM ${table}`, values: [] };
  const key = `(${keyColumns.map(ident).join(', ')})`;
  const values: string[] = [];
  const param = (vs: readonly string[]) => `(${vs.map((v) => `$${values.push(v)}`).join(', ')})`;
  const where: string[] = [];
  if (range.lower) where.push(`${key} >= ${param(range.lower)}`);
  if (range.upper) where.push(`${key} < ${param(range.upper)}`);
  return {
    text: `SELECT * FROM ${table} WHERE ${where.join(' AND ')} ORDER BY ${keyColumns.map(ident).join(', ')}`,
    values,
  };
}
