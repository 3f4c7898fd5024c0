import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { SourceOffset, SourceRecord } from '@tributary/connect-api';
import type { CdcConfig } from './config.js';
import type { ChangeEventFactory } from './change-events.js';
import type { TableSchema } from './change-event-schemas.js';
import type { Notifier } from './notifications.js';
import { ident, tableColumns, tableShape, type TableRef } from './pg-client.js';
import type { TupleData } from './pgoutput-decoder.js';
import type { SignalConfig } from './signals/signal-config.js';
import { decodeJavaKey, isJavaSerialized } from './java-serialized.js';

/** Offset keys, as Debezium's AbstractIncrementalSnapshotContext names them. */
export const OFFSET_COLLECTIONS = 'incremental_snapshot_collections';
const OFFSET_PRIMARY_KEY = 'incremental_snapshot_primary_key';
const OFFSET_MAXIMUM_KEY = 'incremental_snapshot_maximum_key';
const OFFSET_CORRELATION_ID = 'incremental_snapshot_correlation_id';
const COLLECTION_ID = 'incremental_snapshot_collections_id';
const COLLECTION_CONDITION = 'incremental_snapshot_collections_additional_condition';
const COLLECTION_SURROGATE = 'incremental_snapshot_collections_surrogate_key';

/** One table to snapshot, as stored in the offsets. */
export interface Collection {
  readonly id: string;
  readonly condition: string | null;
  readonly surrogateKey: string | null;
}

/** What the snapshot needs from the task that streams. */
export interface IncrementalHost {
  readonly cfg: CdcConfig;
  readonly signals: SignalConfig;
  readonly events: ChangeEventFactory;
  readonly notifier: Notifier;
  /** A connection of its own (autocommit), for watermark writes and chunk reads. */
  connection(): Promise<pg.Client>;
  schemaOf(client: pg.Client, ref: TableRef): Promise<TableSchema>;
  findTable(client: pg.Client, id: string): Promise<TableRef | null>;
  /** Hands records to the stream between two changes; `build` gets the offset of the position so far. */
  emitBetween(build: (offset: SourceOffset, lsn: bigint) => SourceRecord[]): void;
  /** Asks the server for a keepalive (its WAL position), so a read-only window closes on an idle database. */
  ping(): void;
  log(msg: string): void;
  warn(msg: string): void;
}

interface Current {
  readonly ref: TableRef;
  readonly schema: TableSchema;
  /** SELECT * positions of the columns the chunks are ordered by (primary key or surrogate key). */
  readonly chunkKey: number[];
  /** The same columns, quoted, as a SQL list. */
  readonly keyList: string;
  readonly bound: (from: number) => string;
  readonly condition: string | null;
  maxKey: string[] | null;
  /** The last key emitted (stored in the offsets). */
  lastKey: string[] | null;
  /** The last key read into a window (ahead of `lastKey` while chunks wait for their watermarks). */
  readKey: string[] | null;
  /** The table's last chunk has been read. */
  readAll: boolean;
  rows: number;
}

interface Window {
  readonly id: string;
  open: boolean;
  /** Chunk rows by message key, in key order; a change streamed inside the window removes its key. */
  readonly buffer: Map<string, string[]>;
  readonly end: string[] | null;
  readonly last: boolean;
  readonly read: number;
  /**
   * `read.only`: the WAL insert position read in the chunk's own snapshot. Every transaction the chunk saw
   * committed before it, so once the stream passes it the chunk holds nothing the stream has yet to deliver.
   */
  readonly untilLsn: bigint | null;
}

/**
 * Chunks read ahead, each in its own window: the next chunk is read while the stream brings back the current
 * one's watermarks (windows follow one another in the WAL, so only the first is ever open).
 */
const READ_AHEAD = 3;

/**
 * Debezium's incremental snapshot (DBLog watermarks): each chunk is read between an open and a close row
 * written to the signal table. Changes the stream delivers between the two rows win over the chunk's copy of
 * the same key; at the close row the chunk's remaining rows are emitted as `r` events, so no row overtakes a
 * later change of its key. Everything runs on the stream's serial path (the task's inbox).
 */
export class IncrementalSnapshot {
  private collections: Collection[] = [];
  private current: Current | null = null;
  /** Windows in WAL order: the first is the one the stream is in (or about to enter). */
  private windows: Window[] = [];
  private correlationId: string | null = null;
  private paused = false;
  private restored: { lastKey: string[] | null; maxKey: string[] | null } | null = null;

  constructor(private readonly host: IncrementalHost) {}

  get active(): boolean {
    return this.collections.length > 0;
  }

  /** Continues a snapshot an earlier run stored in the offsets. */
  restore(stored: SourceOffset | null): void {
    const raw = stored?.[OFFSET_COLLECTIONS];
    if (typeof raw !== 'string') return;
    try {
      const list = JSON.parse(raw) as Array<Record<string, string | null>>;
      this.collections = list.map((c) => ({
        // Debezium may name a table database.schema.table.
        id: String(c[COLLECTION_ID]).split('.').slice(-2).join('.'),
        condition: c[COLLECTION_CONDITION] ?? null,
        surrogateKey: c[COLLECTION_SURROGATE] ?? null,
      }));
      this.correlationId = typeof stored![OFFSET_CORRELATION_ID] === 'string' ? stored![OFFSET_CORRELATION_ID] : null;
      this.restored = {
        lastKey: decodeKey(stored![OFFSET_PRIMARY_KEY]),
        maxKey: decodeKey(stored![OFFSET_MAXIMUM_KEY]),
      };
      this.host.log(
        `resuming the incremental snapshot of ${this.collections.map((c) => c.id).join(', ')} after key ${JSON.stringify(this.restored.lastKey)}`,
      );
    } catch (e) {
      this.host.warn(`the stored incremental snapshot state is unreadable (${(e as Error).message}); not resuming it`);
      this.collections = [];
    }
  }

  /** The state to store with every record while a snapshot runs (empty when none does). */
  offsetFields(): SourceOffset {
    if (this.collections.length === 0) return {};
    return {
      [OFFSET_COLLECTIONS]: JSON.stringify(
        this.collections.map((c) => ({
          [COLLECTION_ID]: c.id,
          [COLLECTION_CONDITION]: c.condition,
          [COLLECTION_SURROGATE]: c.surrogateKey,
        })),
      ),
      [OFFSET_PRIMARY_KEY]: encodeKey(this.current ? this.current.lastKey : (this.restored?.lastKey ?? null)),
      [OFFSET_MAXIMUM_KEY]: encodeKey(this.current ? this.current.maxKey : (this.restored?.maxKey ?? null)),
      [OFFSET_CORRELATION_ID]: this.correlationId,
    };
  }

  /** Adds tables (already resolved to `schema.table`); starts reading if nothing was running. */
  async add(ids: string[], conditionOf: (id: string) => string | null, surrogateKey: string | null, signalId: string) {
    const fresh = ids.filter((id) => !this.collections.some((c) => c.id === id));
    if (fresh.length === 0) return;
    const starting = this.collections.length === 0;
    if (starting) this.correlationId = signalId;
    for (const id of fresh) this.collections.push({ id, condition: conditionOf(id), surrogateKey });
    this.notify('STARTED', { data_collections: fresh.join(',') });
    if (starting || this.windows.length === 0) await this.readChunk();
  }

  /** `stop-snapshot`: the tables matching `patterns` (all when none) are dropped; an open window is forgotten. */
  async stop(patterns: RegExp[]): Promise<void> {
    const stopped = this.collections.filter((c) => patterns.length === 0 || patterns.some((p) => p.test(c.id)));
    if (stopped.length === 0) return;
    this.collections = this.collections.filter((c) => !stopped.includes(c));
    this.notify('ABORTED', { data_collections: stopped.map((c) => c.id).join(',') });
    if (this.current && stopped.some((c) => c.id === idOf(this.current!.ref))) {
      this.current = null;
      this.restored = null;
      this.windows = [];
    }
    if (this.collections.length === 0) return this.finish(false);
    await this.readChunk();
  }

  pause(): void {
    if (!this.active || this.paused) return;
    this.paused = true;
    this.notify('PAUSED', { data_collections: this.collections.map((c) => c.id).join(',') });
  }

  async resume(): Promise<void> {
    if (!this.paused) return;
    this.paused = false;
    this.notify('RESUMED', { data_collections: this.collections.map((c) => c.id).join(',') });
    await this.readChunk();
  }

  /** The stream is (again) running: read the next chunk if one is due (a resumed snapshot, a retry). */
  async kick(): Promise<void> {
    if (this.active && !this.paused) await this.readChunk();
  }

  /** A change streamed: inside an open window it supersedes the chunk's row of the same key. */
  streamed(t: TableSchema, tuple: TupleData | null): void {
    const cur = this.current;
    if (!tuple || !cur || t.schema !== cur.ref.schema || t.table !== cur.ref.table) return;
    // Only the first window is ever open under watermarks; read-only windows are all open (disjoint keys).
    const key = messageKey(t, tuple);
    for (const w of this.windows) if (w.open) w.buffer.delete(key);
  }

  /**
   * A watermark row in the stream: `open` (the insert of `<chunk>-open`) or `close` (`<chunk>-close`, or the
   * open row's delete under insert_delete).
   */
  async watermark(id: string, kind: 'open' | 'close'): Promise<void> {
    const w = this.windows[0];
    if (!w) return;
    if (kind === 'open' && id === `${w.id}-open`) w.open = true;
    else if (kind === 'close' && (id === `${w.id}-close` || (this.host.signals.insertDelete && id === `${w.id}-open`)))
      await this.closeWindow(w);
  }

  /** `read.only`: a transaction starts in the stream; one that committed after the chunk's snapshot closes it. */
  async beforeTransaction(finalLsn: bigint): Promise<void> {
    for (let w = this.windows[0]; w?.untilLsn != null && finalLsn >= w.untilLsn; w = this.windows[0])
      await this.closeWindow(w);
  }

  /** `read.only`: the server sent all WAL up to `walEnd` (a keepalive between transactions). */
  async walReached(walEnd: bigint): Promise<void> {
    // Only the windows read before this keepalive: on a quiet database the next ones are passed at once too, and
    // closing them here would read the whole table in one go; the next keepalive (none while the task's queue
    // is full and the socket paused) closes them.
    const due = this.windows.filter((w) => w.untilLsn != null && walEnd >= w.untilLsn);
    for (const w of due) if (this.windows[0] === w) await this.closeWindow(w);
    if (this.windows[0]?.untilLsn != null) this.host.ping();
  }

  private async closeWindow(w: Window): Promise<void> {
    const cur = this.current!;
    this.windows.shift();
    let advanced = false;
    const advance = () => {
      if (advanced) return;
      advanced = true;
      cur.lastKey = w.end ?? cur.lastKey;
      cur.rows += w.read;
      if (w.last) {
        this.collections = this.collections.filter((c) => c.id !== idOf(cur.ref));
        this.current = null;
      }
    };
    const rows = [...w.buffer.values()];
    const tsUs = BigInt(Date.now()) * 1000n;
    // The state advances after the stream released what it held (those records keep the old state), and
    // only the chunk's last record carries the new one: a crash before it is stored reads the chunk again.
    this.host.emitBetween((offset, lsn) => {
      const before = this.offsetFields();
      advance();
      const after = this.offsetFields();
      // As Debezium writes them: no lsn or txId of their own, the stream's position in `sequence`.
      const info = {
        prefix: this.host.cfg.prefix,
        db: this.host.cfg.dbname,
        tsUs,
        snapshot: 'incremental',
        txId: null,
        lsn: null,
        lastCommitLsn: null,
        sequence: [lsn, lsn] as const,
      };
      return rows.flatMap((tuple, i) =>
        this.host.events.change(cur.schema, 'r', null, tuple, info, () => ({
          ...offset,
          ...(i === rows.length - 1 ? after : before),
        })),
      );
    });
    advance();
    // Debezium reports every chunk that read rows, the last one too, before the table's scan completes.
    if (w.read > 0)
      this.notify('IN_PROGRESS', {
        data_collections: [...(w.last ? [idOf(cur.ref)] : []), ...this.collections.map((c) => c.id)].join(','),
        current_collection_in_progress: idOf(cur.ref),
        maximum_key: cur.maxKey?.join(',') ?? '<none>',
        last_processed_key: cur.lastKey?.join(',') ?? '<none>',
      });
    if (w.last) {
      this.notify('TABLE_SCAN_COMPLETED', {
        data_collections: idOf(cur.ref),
        scanned_collection: idOf(cur.ref),
        total_rows_scanned: String(cur.rows),
        status: cur.rows === 0 ? 'EMPTY' : 'SUCCEEDED',
      });
      if (this.collections.length === 0) return this.finish();
    }
    if (!this.paused) await this.readChunk();
  }

  private finish(completed = true): void {
    if (completed) this.notify('COMPLETED', {});
    this.correlationId = null;
    this.current = null;
    this.windows = [];
    this.paused = false;
  }

  /**
   * Opens windows, reads the next chunks into them and closes them, up to READ_AHEAD windows and not past the
   * table's last chunk; the stream then delivers the watermarks (read-only windows close in order as the
   * stream passes their WAL positions).
   */
  private async readChunk(): Promise<void> {
    while (!this.paused && this.windows.length < READ_AHEAD) {
      const client = await this.host.connection();
      const cur = await this.ensureCurrent(client);
      if (!cur || cur.readAll) return;
      if (this.host.signals.readOnly) await this.readChunkReadOnly(client, cur);
      else await this.readChunkBetweenWatermarks(client, cur);
    }
  }

  private async readChunkBetweenWatermarks(client: pg.Client, cur: Current): Promise<void> {
    const sig = this.host.signals.table!;
    const table = `${ident(sig.schema)}.${ident(sig.table)}`;
    const id = randomUUID();
    await client.query(`INSERT INTO ${table} (id, type, data) VALUES ($1, 'snapshot-window-open', $2)`, [
      `${id}-open`,
      JSON.stringify({ openWindowTimestamp: new Date().toISOString() }),
    ]);
    this.windows.push({ id, open: false, untilLsn: null, ...(await this.selectChunk(client, cur)) });
    if (this.host.signals.insertDelete) await client.query(`DELETE FROM ${table} WHERE id = $1`, [`${id}-open`]);
    else
      await client.query(`INSERT INTO ${table} (id, type, data) VALUES ($1, 'snapshot-window-close', $2)`, [
        `${id}-close`,
        JSON.stringify({ closeWindowTimestamp: new Date().toISOString() }),
      ]);
  }

  /**
   * `read.only`: the window opens here (every change the stream delivers from now on supersedes the chunk's
   * copy) and closes once the stream passed the WAL insert position read in the chunk's snapshot: everything
   * committed after that point is newer than the chunk, everything before it was delivered inside the window.
   * Debezium compares transaction ids with pg_current_snapshot() instead and needs heartbeats when idle.
   */
  private async readChunkReadOnly(client: pg.Client, cur: Current): Promise<void> {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      // The first statement takes the transaction's snapshot; the position is read after it, so it covers the
      // commit record of every transaction the snapshot sees (a standby: what it replayed).
      const pos = await client.query({
        text: "SELECT (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_insert_lsn() END - '0/0')::text",
        rowMode: 'array',
      });
      const chunk = await this.selectChunk(client, cur);
      await client.query('COMMIT');
      this.windows.push({ id: randomUUID(), open: true, untilLsn: recordEnd(BigInt(pos.rows[0][0])), ...chunk });
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      throw e;
    }
    this.host.ping();
  }

  /** Reads the chunk after `cur.readKey` (up to the maximum key) into a window buffer. */
  private async selectChunk(client: pg.Client, cur: Current) {
    const size = this.host.signals.chunkSize;
    const where: string[] = [];
    const params: string[] = [];
    if (cur.condition) where.push(`(${cur.condition})`);
    if (cur.readKey) {
      where.push(`(${cur.keyList}) > (${cur.bound(1)})`);
      params.push(...cur.readKey);
    }
    if (cur.maxKey) {
      where.push(`(${cur.keyList}) <= (${cur.bound(params.length + 1)})`);
      params.push(...cur.maxKey);
    }
    const res = await client.query({
      text: `SELECT * FROM ${ident(cur.ref.schema)}.${ident(cur.ref.table)}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${cur.keyList} LIMIT ${size}`,
      values: params,
      rowMode: 'array',
    });
    const rows = res.rows as string[][];
    const buffer = new Map<string, string[]>();
    for (const row of rows) buffer.set(messageKey(cur.schema, row), row);
    const lastRow = rows[rows.length - 1];
    const end = lastRow ? cur.chunkKey.map((p) => lastRow[p]!) : null;
    const last = rows.length < size || cur.maxKey === null;
    cur.readKey = end ?? cur.readKey;
    cur.readAll = last;
    return { buffer, end, last, read: rows.length };
  }

  /** The table being read; loads it (schema, chunk key, maximum key) when it changes. */
  private async ensureCurrent(client: pg.Client): Promise<Current | null> {
    while (this.collections.length > 0) {
      if (this.current) return this.current;
      const c = this.collections[0]!;
      const skip = (status: string, why: string) => {
        this.host.warn(`incremental snapshot: skipping ${c.id}: ${why}`);
        this.collections.shift();
        this.restored = null;
        this.notify('TABLE_SCAN_COMPLETED', {
          data_collections: c.id,
          scanned_collection: c.id,
          total_rows_scanned: '0',
          status,
        });
      };
      const ref = await this.host.findTable(client, c.id);
      if (!ref) {
        skip('UNKNOWN_SCHEMA', 'no such captured table');
        continue;
      }
      const shape = await tableShape(client, ref.oid);
      const names = shape.map((s) => s.name);
      const keyNames = c.surrogateKey ? [c.surrogateKey] : (await tableColumns(client, ref.oid)).primaryKey;
      if (keyNames.length === 0 || keyNames.some((k) => !names.includes(k))) {
        skip(
          'NO_PRIMARY_KEY',
          c.surrogateKey ? `it has no column ${c.surrogateKey}` : 'it has no primary key: give a surrogate-key',
        );
        continue;
      }
      // Bounds are passed as text and cast to each key column's type, so comparisons are the column's own.
      const keyShape = keyNames.map((k) => shape.find((s) => s.name === k)!);
      const typed = await client.query({
        text: `SELECT ${keyShape.map((_, i) => `format_type($${2 * i + 1}::oid, $${2 * i + 2}::int)`).join(', ')}`,
        values: keyShape.flatMap((k) => [String(k.typeOid), String(k.typeMod)]),
        rowMode: 'array',
      });
      const sqlTypes = typed.rows[0] as string[];
      const schema = await this.host.schemaOf(client, ref);
      const chunkKey = keyNames.map((k) => names.indexOf(k));
      const keyList = keyNames.map(ident).join(', ');
      const where = c.condition ? ` WHERE (${c.condition})` : '';
      const max = await client.query({
        text: `SELECT ${keyList} FROM ${ident(ref.schema)}.${ident(ref.table)}${where} ORDER BY ${keyNames.map((k) => `${ident(k)} DESC`).join(', ')} LIMIT 1`,
        rowMode: 'array',
      });
      const restored = this.restored;
      this.restored = null;
      const cur: Current = {
        ref,
        schema,
        chunkKey,
        keyList,
        condition: c.condition,
        bound: (from) => sqlTypes.map((t, i) => `$${from + i}::${t}`).join(', '),
        maxKey: restored?.maxKey ?? (max.rows[0] as string[] | undefined) ?? null,
        lastKey: restored?.lastKey ?? null,
        readKey: restored?.lastKey ?? null,
        readAll: false,
        rows: 0,
      };
      this.current = cur;
      if (cur.maxKey === null) {
        this.windows = [];
        this.collections.shift();
        this.current = null;
        this.notify('TABLE_SCAN_COMPLETED', {
          data_collections: c.id,
          scanned_collection: c.id,
          total_rows_scanned: '0',
          status: 'EMPTY',
        });
        if (this.collections.length === 0) this.finish();
        continue;
      }
      return cur;
    }
    return null;
  }

  private notify(type: string, data: Record<string, string>): void {
    this.host.notifier.notify('Incremental Snapshot', type, data, this.correlationId ?? undefined);
  }
}

/**
 * The insert position right after a page header stands for the page's start, where the last record ended
 * (a keepalive reports record ends): 24 bytes on a page, 40 on the first page of a segment.
 */
export function recordEnd(insertLsn: bigint): bigint {
  const inPage = insertLsn % 8192n;
  return inPage === 24n || inPage === 40n ? insertLsn - inPage : insertLsn;
}

function idOf(ref: TableRef): string {
  return `${ref.schema}.${ref.table}`;
}

/** The record key's values: what the window compares streamed changes with. */
function messageKey(t: TableSchema, tuple: TupleData | string[]): string {
  const cols = t.keyColumns.length > 0 ? t.keyColumns : t.valueColumns;
  return JSON.stringify(cols.map((c) => tuple[c.position] ?? null));
}

/** Keys are stored as hex of their JSON text form (Debezium stores Java-serialized arrays as hex). */
function encodeKey(key: string[] | null): string | null {
  return key === null ? null : Buffer.from(JSON.stringify(key)).toString('hex');
}

/** Ours (hex of JSON) or Debezium's (hex of a Java-serialized Object[], from an adopted connector). */
function decodeKey(v: unknown): string[] | null {
  if (typeof v !== 'string') return null;
  if (isJavaSerialized(v)) return decodeJavaKey(v);
  const parsed = JSON.parse(Buffer.from(v, 'hex').toString('utf8')) as unknown;
  if (!Array.isArray(parsed)) throw new Error('the stored key is not a JSON array');
  return parsed.map(String);
}
