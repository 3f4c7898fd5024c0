import type pg from 'pg';
import type { SourceOffset, SourceRecord } from '@tributary/connect-api';
import type { CdcConfig } from './config.js';
import type { ChangeEventFactory } from './change-events.js';
import type { TableSchema } from './change-event-schemas.js';
import { ident, tableColumns, type TableRef } from './pg-client.js';
import { formatLsn, type Lsn } from './lsn.js';
import { chunkQuery, planChunks, WHOLE_TABLE, type ChunkRange } from './snapshot-chunks.js';

export interface SnapshotPlan {
  readonly tables: ReadonlyArray<{ ref: TableRef; schema: TableSchema }>;
  /**
   * A snapshot to import (CREATE_REPLICATION_SLOT's); null to take the first connection's own, which is then
   * exported to the other readers (a blocking snapshot of a running connector has no slot snapshot).
   */
  readonly snapshotName: string | null;
  /** Where streaming starts afterwards: the slot's consistent point. */
  readonly lsn: Lsn;
  /** `source.snapshot`'s kind in the offsets (INITIAL unless told). */
  readonly kind?: string;
  /** The offset of each record (`last`: the snapshot's final record); the initial snapshot's when absent. */
  readonly offset?: (last: boolean, txId: number) => SourceOffset;
}

/** Opens one more connection for a parallel reader (closed by the reader). */
export type OpenConnection = () => Promise<pg.Client>;

interface Chunk {
  readonly table: number;
  readonly range: ChunkRange;
  readonly keyColumns: readonly string[];
}

interface Held {
  readonly table: TableSchema;
  readonly tuple: string[];
  readonly firstInTable: boolean;
}

/**
 * Reads the captured tables inside REPEATABLE READ transactions that all import one snapshot (the one
 * the slot exported), so the rows read are exactly the database at the slot's consistent point: every
 * later commit is streamed from the slot, no earlier one is.
 *
 * With `snapshot.max.threads` > 1 (and `open` given) that many connections read at once: each takes the
 * next chunk from one list, where every table large enough is split into `threads × multiplier` key ranges
 * (snapshot-chunks.ts). A split table's chunk is read in key order; an unsplit table in physical order.
 * Records of different chunks interleave; within a chunk they keep their order.
 *
 * Emits op `r` records through `emit`, which applies backpressure by not resolving while its queue is full.
 * Each table's latest row is held back so that its last can be marked `last_in_data_collection`; the last
 * record of all carries `snapshot_completed`, the only snapshot offset that lets a restart skip the snapshot.
 */
export async function readSnapshot(
  client: pg.Client,
  cfg: CdcConfig,
  plan: SnapshotPlan,
  events: ChangeEventFactory,
  emit: (records: SourceRecord[]) => Promise<void>,
  signal: AbortSignal,
  log: (msg: string) => void,
  open?: OpenConnection,
  /** Each table once all its rows were read (Debezium's TABLE_SCAN_COMPLETED). */
  tableDone?: (ref: TableRef, rows: number) => void,
): Promise<number> {
  const threads = open ? cfg.snapshotMaxThreads : 1;
  await begin(client, plan.snapshotName);
  const txId = Number((await client.query('SELECT txid_snapshot_xmax(txid_current_snapshot()) AS x')).rows[0].x);
  await client.query(`SET LOCAL lock_timeout = ${cfg.snapshotLockTimeoutMs}`);
  for (const { ref } of plan.tables)
    await client.query(`LOCK TABLE ${ident(ref.schema)}.${ident(ref.table)} IN ACCESS SHARE MODE`);
  const snapshotName =
    threads > 1 && !plan.snapshotName
      ? ((await client.query('SELECT pg_export_snapshot() AS s')).rows[0].s as string)
      : plan.snapshotName;

  const work: Chunk[] = [];
  for (const [i, { ref }] of plan.tables.entries()) {
    const keyColumns = threads > 1 ? (await tableColumns(client, ref.oid)).primaryKey : [];
    const ranges =
      threads > 1
        ? await planChunks(client, ref, keyColumns, threads * cfg.snapshotThreadsMultiplier, cfg.snapshotFetchSize)
        : WHOLE_TABLE;
    for (const range of ranges) work.push({ table: i, range, keyColumns });
  }
  if (threads > 1)
    log(`snapshot: ${work.length} chunks of ${plan.tables.length} tables on up to ${threads} connections`);

  const tsUs = BigInt(Date.now()) * 1000n;
  const kind = plan.kind ?? 'INITIAL';
  const offset =
    plan.offset ??
    ((last: boolean): SourceOffset => ({
      lsn: Number(plan.lsn),
      lsn_commit: Number(plan.lsn),
      lsn_proc: Number(plan.lsn),
      txId,
      ts_usec: Number(tsUs),
      snapshot: kind,
      last_snapshot_record: last,
      snapshot_completed: last,
    }));
  const tables = plan.tables.map((t, i) => ({
    ...t,
    chunksLeft: work.filter((w) => w.table === i).length,
    rows: 0,
    started: 0,
    held: null as Held | null,
  }));
  /** The last row of the tables finished so far: it becomes `last` if no other table finishes after it. */
  let finalHeld: Held | null = null;
  let total = 0;
  const send = (h: Held, mark: string, last: boolean): Promise<void> => {
    const info = { prefix: cfg.prefix, db: cfg.dbname, tsUs, snapshot: mark, txId, lsn: plan.lsn, lastCommitLsn: null };
    total++;
    return emit(events.change(h.table, 'r', null, h.tuple, info, () => offset(last, txId)));
  };
  const markOf = (h: Held, lastInTable: boolean) =>
    total === 0
      ? 'first'
      : lastInTable
        ? 'last_in_data_collection'
        : h.firstInTable
          ? 'first_in_data_collection'
          : 'true';

  const readers: pg.Client[] = [client];
  let next = 0;
  let failure: unknown = null;
  const readChunk = async (c: pg.Client, cursor: string, chunk: Chunk): Promise<boolean> => {
    const t = tables[chunk.table]!;
    t.started ||= Date.now();
    const q = chunkQuery(t.ref, chunk.keyColumns, chunk.range);
    await c.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${q.text}`, q.values);
    const fetch = (): Promise<pg.QueryArrayResult> => {
      const p = c.query({ text: `FETCH ${cfg.snapshotFetchSize} FROM ${cursor}`, rowMode: 'array' });
      p.catch(() => {}); // awaited below; a failure while the previous batch is converted is not unhandled
      return p;
    };
    // The next batch is asked for before this one is turned into records, so PostgreSQL reads while we convert.
    let pending: Promise<pg.QueryArrayResult> | null = fetch();
    while (pending) {
      const res: pg.QueryArrayResult = await pending;
      pending = res.rows.length < cfg.snapshotFetchSize ? null : fetch();
      if (signal.aborted || failure !== null) {
        await pending?.catch(() => {}); // one query at a time on the connection: let it finish
        return false;
      }
      for (const row of res.rows as string[][]) {
        const prev = t.held;
        t.held = { table: t.schema, tuple: row, firstInTable: t.rows++ === 0 };
        // A row after a finished table's last: that one was not the last of all.
        const done = finalHeld;
        finalHeld = null;
        if (done) await send(done, markOf(done, true), false);
        if (prev) await send(prev, markOf(prev, false), false);
      }
    }
    await c.query(`CLOSE ${cursor}`);
    if (--t.chunksLeft === 0) {
      log(`snapshot of ${t.ref.schema}.${t.ref.table}: ${t.rows} rows in ${Date.now() - t.started} ms`);
      tableDone?.(t.ref, t.rows);
      const prev = finalHeld;
      if (t.held) finalHeld = t.held;
      t.held = null;
      if (prev && finalHeld !== prev) await send(prev, markOf(prev, true), false);
    }
    return true;
  };

  const run = async (c: pg.Client, id: number) => {
    try {
      while (next < work.length && failure === null) if (!(await readChunk(c, `snap${id}`, work[next++]!))) return;
    } catch (err) {
      failure ??= err;
    }
  };
  try {
    for (let i = 1; i < Math.min(threads, work.length); i++) {
      let c: pg.Client | null = null;
      try {
        c = await open!();
        await begin(c, snapshotName);
        readers.push(c);
      } catch (err) {
        // Fewer readers still read everything (max_connections reached, say): go on with those there are.
        await c?.end().catch(() => {});
        log(`snapshot: reading with ${readers.length} connections: ${(err as Error).message}`);
        break;
      }
    }
    await Promise.all(readers.map((c, i) => run(c, i)));
    if (failure !== null) throw failure;
    if (signal.aborted) {
      await client.query('ROLLBACK');
      return total;
    }
    if (finalHeld) await send(finalHeld, 'last', true);
    await client.query('COMMIT');
  } finally {
    for (const c of readers.slice(1)) await c.end().catch(() => {});
  }
  log(`snapshot complete: ${total} rows; streaming from ${formatLsn(plan.lsn)}`);
  return total;
}

async function begin(c: pg.Client, snapshotName: string | null): Promise<void> {
  await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
  if (snapshotName) await c.query(`SET TRANSACTION SNAPSHOT '${snapshotName}'`);
}
