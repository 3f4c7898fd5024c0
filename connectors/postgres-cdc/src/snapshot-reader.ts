import type pg from 'pg';
import type { SourceRecord } from '@tributary/connect-api';
import type { CdcConfig } from './config.js';
import type { ChangeEventFactory } from './change-events.js';
import type { TableSchema } from './change-event-schemas.js';
import { ident, type TableRef } from './pg-client.js';
import { formatLsn, type Lsn } from './lsn.js';

export interface SnapshotPlan {
  readonly tables: ReadonlyArray<{ ref: TableRef; schema: TableSchema }>;
  /** Exported by CREATE_REPLICATION_SLOT; null when the slot already existed (then rows may repeat in the stream). */
  readonly snapshotName: string | null;
  /** Where streaming starts afterwards: the slot's consistent point. */
  readonly lsn: Lsn;
}

/**
 * Reads every captured table inside one REPEATABLE READ transaction that imports the snapshot the
 * slot exported, so the rows read are exactly the database at the slot's consistent point: every
 * later commit is streamed from the slot, no earlier one is. Emits op `r` records through `emit`,
 * which applies backpressure by not resolving while its queue is full. The last record carries
 * `snapshot_completed`, the only snapshot offset that lets a restart skip the snapshot.
 */
export async function readSnapshot(
  client: pg.Client,
  cfg: CdcConfig,
  plan: SnapshotPlan,
  events: ChangeEventFactory,
  emit: (records: SourceRecord[]) => Promise<void>,
  signal: AbortSignal,
  log: (msg: string) => void,
): Promise<number> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
  if (plan.snapshotName) await client.query(`SET TRANSACTION SNAPSHOT '${plan.snapshotName}'`);
  const txId = Number((await client.query('SELECT txid_snapshot_xmax(txid_current_snapshot()) AS x')).rows[0].x);
  await client.query(`SET LOCAL lock_timeout = ${cfg.snapshotLockTimeoutMs}`);
  for (const { ref } of plan.tables)
    await client.query(`LOCK TABLE ${ident(ref.schema)}.${ident(ref.table)} IN ACCESS SHARE MODE`);
  const tsUs = BigInt(Date.now()) * 1000n;
  let held: { table: TableSchema; tuple: string[]; firstInTable: boolean } | null = null;
  let total = 0;
  const offset = (last: boolean) => ({
    lsn: Number(plan.lsn),
    lsn_commit: Number(plan.lsn),
    lsn_proc: Number(plan.lsn),
    txId,
    ts_usec: Number(tsUs),
    snapshot: 'INITIAL',
    last_snapshot_record: last,
    snapshot_completed: last,
  });
  const release = async (lastInTable: boolean, lastOfAll: boolean) => {
    if (!held) return;
    const mark = lastOfAll
      ? 'last'
      : total === 0
        ? 'first'
        : lastInTable
          ? 'last_in_data_collection'
          : held.firstInTable
            ? 'first_in_data_collection'
            : 'true';
    const info = { prefix: cfg.prefix, db: cfg.dbname, tsUs, snapshot: mark, txId, lsn: plan.lsn, lastCommitLsn: null };
    total++;
    await emit(events.change(held.table, 'r', null, held.tuple, info, () => offset(lastOfAll)));
    held = null;
  };
  for (const { ref, schema } of plan.tables) {
    const started = Date.now();
    let rows = 0;
    await client.query(`DECLARE snap NO SCROLL CURSOR FOR SELECT * FROM ${ident(ref.schema)}.${ident(ref.table)}`);
    let firstInTable = true;
    let tableHeld = false;
    for (;;) {
      if (signal.aborted) {
        await client.query('ROLLBACK');
        return total;
      }
      const res = await client.query({ text: `FETCH ${cfg.snapshotFetchSize} FROM snap`, rowMode: 'array' });
      for (const row of res.rows as string[][]) {
        // The row held from the previous table was that table's last.
        await release(!tableHeld, false);
        tableHeld = true;
        held = { table: schema, tuple: row, firstInTable };
        firstInTable = false;
        rows++;
      }
      if (res.rows.length < cfg.snapshotFetchSize) break;
    }
    await client.query('CLOSE snap');
    log(`snapshot of ${ref.schema}.${ref.table}: ${rows} rows in ${Date.now() - started} ms`);
  }
  await release(true, true);
  await client.query('COMMIT');
  log(`snapshot complete: ${total} rows; streaming from ${formatLsn(plan.lsn)}`);
  return total;
}
