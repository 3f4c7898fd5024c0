import type { Header, SourceOffset, SourceRecord } from '@tributary/connect-api';
import { tableIncluded, type CdcConfig } from './config.js';
import type { ChangeEventFactory, Op, SourceInfo } from './change-events.js';
import type { TableSchema } from './change-event-schemas.js';
import {
  decodePgoutput,
  UNCHANGED_TOAST,
  type PgoutputMessage,
  type RelationMessage,
  type TupleData,
} from './pgoutput-decoder.js';
import type { Lsn } from './lsn.js';
import { WalLocator, type DebeziumPosition } from './wal-locator.js';
import { TransactionMetadata } from './transaction-metadata.js';

/**
 * The stream position, as stored in offsets. `lsnCommit` is the end LSN of the last transaction
 * whose records were all emitted: streaming restarts there and the slot may be confirmed up to it.
 * `txEvents` records of transaction `txId` (the one after `lsnCommit`) were already emitted; a
 * restart skips that many of its records, because the server re-sends the whole transaction.
 */
export interface StreamPosition {
  readonly lsnCommit: Lsn;
  readonly txId: number | null;
  readonly txEvents: number;
  /**
   * Set when the position comes from an offset Debezium wrote (no `events_in_tx`): streaming is requested
   * from its `lsn_proc` and resumes where Debezium would (WalLocator).
   */
  readonly debezium?: DebeziumPosition;
}

/** The LSN to request from PostgreSQL for a position. */
export function requestLsn(p: StreamPosition): Lsn {
  return p.debezium ? p.debezium.lastEvent : p.lsnCommit;
}

/** Builds a table's schema from a Relation message (catalog lookups for nullability, PK, types). */
export type RelationResolver = (rel: RelationMessage) => Promise<TableSchema | null>;

/** Signals and incremental snapshots (signals/signal-manager.ts) hook in here. */
export interface StreamHooks {
  /** The signal table: its rows are signals and watermarks, in WAL order with the data. */
  isSignalTable(schema: string, table: string): boolean;
  signalRow(op: 'insert' | 'delete', tuple: TupleData): void | Promise<void>;
  /** Every change of a captured table (the incremental snapshot's window drops the chunk's copy of its key). */
  streamed(t: TableSchema, tuple: TupleData | null): void;
  /** A transaction is about to start (read-only incremental snapshots close their window before a newer one). */
  beforeTransaction?(finalLsn: Lsn): void | Promise<void>;
}

/**
 * Turns pgoutput messages into change records, in commit order. Messages must be fed one at a
 * time (`handle` may return a promise, for a Relation that needs the catalog). The records of the
 * latest change are held back until the next change or the COMMIT, so that the last record of
 * each transaction can carry the transaction's end LSN in its offset.
 */
export class ChangeStream {
  private readonly relations = new Map<number, TableSchema | null>();
  private readonly signalRelations = new Set<number>();
  private tx: {
    xid: number;
    finalLsn: Lsn;
    commitTimeUs: bigint;
    events: number;
    /** Under provide.transaction.metadata: the transaction block's counts and the BEGIN/END records. */
    meta: TransactionMetadata | null;
  } | null = null;
  private held: Array<{ record: SourceRecord; n: number; lsn: Lsn }> = [];
  /** Position after the last record released to `emit`. */
  private pos: StreamPosition;
  /** Records of the resumed transaction still to skip (already emitted before the restart). */
  private skip: { xid: number; remaining: number } | null;
  skipped = 0;
  /** End LSN of the last transaction seen (emitted or filtered entirely). */
  private lastEnd: Lsn;
  /**
   * The first element of `source.sequence`: as in Debezium, the end LSN of the last commit this
   * stream knows of, null after a snapshot or on a fresh slot until the first commit arrives.
   */
  private lastCommit: Lsn | null;
  /** While resuming from a Debezium offset: finds the resume point; records of the current transaction wait here. */
  private locating: {
    locator: WalLocator;
    start: StreamPosition;
    waiting: Array<{ records: SourceRecord[]; lsn: Lsn }>;
  } | null = null;

  /** `resumed`: `start` comes from stored offsets (not from a snapshot or a fresh slot). */
  constructor(
    private readonly cfg: CdcConfig,
    private readonly events: ChangeEventFactory,
    private readonly resolve: RelationResolver,
    private readonly emit: (records: SourceRecord[]) => void,
    start: StreamPosition,
    resumed = true,
    private readonly hooks?: StreamHooks,
  ) {
    this.pos = start;
    this.lastEnd = start.lsnCommit;
    this.lastCommit = resumed ? start.lsnCommit : null;
    this.skip = start.txId !== null && start.txEvents > 0 ? { xid: start.txId, remaining: start.txEvents } : null;
    if (start.debezium) this.locating = { locator: new WalLocator(start.debezium), start, waiting: [] };
  }

  get position(): StreamPosition {
    return this.pos;
  }
  get inTransaction(): boolean {
    return this.tx !== null;
  }

  /** Position to restart from after a lost connection: everything released so far stays released. */
  restartPosition(): StreamPosition {
    this.tx = null;
    this.held = [];
    // Still looking for the resume point of a Debezium offset: look again from the start.
    if (this.locating) {
      const { start } = this.locating;
      this.locating = { locator: new WalLocator(start.debezium!), start, waiting: [] };
      return start;
    }
    this.skip =
      this.pos.txEvents > 0 && this.pos.txId !== null ? { xid: this.pos.txId, remaining: this.pos.txEvents } : null;
    return this.pos;
  }

  /**
   * While no transaction is open and nothing is held, the position may move to `lsn` (a keepalive's
   * WAL end: every transaction committed before it has been sent). Used by heartbeats only.
   */
  idleAdvance(lsn: Lsn): StreamPosition | null {
    if (this.tx || this.held.length > 0) return null;
    const end = lsn > this.lastEnd ? lsn : this.lastEnd;
    if (end > this.pos.lsnCommit) this.pos = { lsnCommit: end, txId: null, txEvents: 0 };
    return this.pos;
  }

  handle(payload: Buffer, lsn: Lsn): void | Promise<void> {
    const msg = decodePgoutput(payload);
    if (this.locating) this.locate(msg, lsn);
    switch (msg.tag) {
      case 'begin': {
        const before = this.hooks?.beforeTransaction?.(msg.finalLsn);
        return before ? before.then(() => this.begin(msg, lsn)) : this.begin(msg, lsn);
      }
      case 'commit':
        if (this.tx?.meta) this.push([this.tx.meta.end(this.cfg.transactionTopic, this.events.partition, lsn)], lsn);
        return this.commit(msg.endLsn);
      case 'relation':
        return this.relation(msg);
      case 'insert':
      case 'update':
      case 'delete':
      case 'truncate':
        return this.change(msg, lsn);
      default:
        return; // type, origin, message: nothing to emit
    }
  }

  private begin(msg: Extract<PgoutputMessage, { tag: 'begin' }>, lsn: Lsn): void {
    this.tx = {
      xid: msg.xid,
      finalLsn: msg.finalLsn,
      commitTimeUs: msg.commitTimeUs,
      events: 0,
      meta: this.cfg.transactionMetadata ? new TransactionMetadata(msg.xid, Number(msg.commitTimeUs / 1000n)) : null,
    };
    if (this.skip && this.skip.xid !== msg.xid) this.skip = null; // the partly emitted transaction was not re-sent
    if (this.tx.meta) this.push([this.tx.meta.begin(this.cfg.transactionTopic, this.events.partition, lsn)], lsn);
  }

  /**
   * Resuming from a Debezium offset: until the locator knows where to resume, the records of the current
   * transaction wait (a BEGIN or COMMIT drops them: that transaction was already stored). Once it knows,
   * they are released (`transaction`) or dropped (`here`), counted either way as events of the transaction.
   */
  private locate(msg: PgoutputMessage, lsn: Lsn): void {
    const locating = this.locating!;
    const kind =
      msg.tag === 'begin'
        ? 'begin'
        : msg.tag === 'commit'
          ? 'commit'
          : ['insert', 'update', 'delete', 'truncate'].includes(msg.tag)
            ? 'change'
            : null;
    if (kind === null) return;
    const found = locating.locator.feed(lsn, kind);
    if (found === null) {
      if (kind !== 'change') locating.waiting = [];
      return;
    }
    this.locating = null;
    if (found === 'transaction') {
      for (const w of locating.waiting) this.push(w.records, w.lsn);
    } else if (this.tx) this.tx.events += locating.waiting.reduce((n, w) => n + w.records.length, 0);
  }

  /**
   * Releases what is held (a transaction's records so far) and gives `fn` the position after them, so records
   * from elsewhere (an incremental snapshot's chunk, a notification) are emitted at this point with
   * `emitOutOfBand`.
   */
  between(fn: (pos: StreamPosition) => void): void {
    if (this.held.length > 0) this.release(false);
    fn(this.pos);
  }

  emitOutOfBand(records: SourceRecord[]): void {
    this.emit(records);
  }

  private async relation(msg: RelationMessage): Promise<void> {
    if (this.hooks?.isSignalTable(msg.schema, msg.name)) this.signalRelations.add(msg.relationOid);
    const included = tableIncluded(this.cfg.filters, msg.schema, msg.name);
    this.relations.set(msg.relationOid, included ? await this.resolve(msg) : null);
  }

  private change(
    msg: Extract<PgoutputMessage, { tag: 'insert' | 'update' | 'delete' | 'truncate' }>,
    lsn: Lsn,
  ): void | Promise<void> {
    const tx = this.tx;
    if (!tx) throw new Error('pgoutput: change outside a transaction');
    if (this.hooks && msg.tag !== 'truncate' && this.signalRelations.has(msg.relationOid)) {
      const signal =
        msg.tag === 'insert'
          ? this.hooks.signalRow('insert', msg.newTuple)
          : msg.tag === 'delete'
            ? this.hooks.signalRow('delete', msg.oldTuple ?? msg.keyTuple ?? [])
            : undefined;
      if (this.relations.get(msg.relationOid) === null) return signal;
      // The signal table is captured too: its change is emitted once the signal was handled.
      if (signal) return signal.then(() => this.captured(msg, lsn));
    }
    return this.captured(msg, lsn);
  }

  private captured(
    msg: Extract<PgoutputMessage, { tag: 'insert' | 'update' | 'delete' | 'truncate' }>,
    lsn: Lsn,
  ): void {
    if (msg.tag === 'truncate') {
      if (this.cfg.skipped.has('t')) return;
      for (const oid of msg.relationOids) {
        const t = this.relations.get(oid);
        if (t) this.push([this.events.truncate(t, this.info(t, lsn), {})], lsn);
      }
      return;
    }
    const t = this.relations.get(msg.relationOid);
    if (t === undefined)
      throw new Error(`pgoutput: change for relation ${msg.relationOid} before its Relation message`);
    if (t === null) return;
    const emit = (op: Op, before: TupleData | null, after: TupleData | null, headers: Header[] = []) => {
      this.hooks?.streamed(t, after ?? before);
      if (this.cfg.skipped.has(op)) return;
      this.push(
        this.events.change(t, op, before, after, this.info(t, lsn), () => ({}), headers),
        lsn,
      );
    };
    if (msg.tag === 'insert') emit('c', null, msg.newTuple);
    else if (msg.tag === 'delete') emit('d', msg.oldTuple ?? msg.keyTuple, null);
    else {
      const old = msg.oldTuple ?? msg.keyTuple;
      if (
        old &&
        t.keyColumns.some((c) => old[c.position] !== msg.newTuple[c.position] && old[c.position] !== undefined)
      ) {
        // Primary key changed: Debezium emits a delete of the old key (with tombstone) and a create,
        // each telling the other key in a header.
        const keyHeader = (name: string, tuple: TupleData): Header => ({
          key: name,
          schema: t.keySchema,
          value: this.events.key(t, tuple),
        });
        emit('d', old, null, [keyHeader('__debezium.newkey', msg.newTuple)]);
        emit('c', null, msg.newTuple, [keyHeader('__debezium.oldkey', old)]);
      } else {
        // Under REPLICA IDENTITY FULL the old tuple holds the unchanged TOASTed values the new one
        // leaves out; Debezium takes them from there instead of writing the placeholder.
        const after =
          msg.oldTuple && msg.newTuple.includes(UNCHANGED_TOAST)
            ? msg.newTuple.map((v, i) =>
                v === UNCHANGED_TOAST && msg.oldTuple![i] !== UNCHANGED_TOAST ? msg.oldTuple![i]! : v,
              )
            : msg.newTuple;
        // The before image is whatever old tuple PostgreSQL sent: the whole row (REPLICA IDENTITY FULL) or the
        // replica identity columns (a changed primary key under a custom message.key.columns key).
        emit('u', msg.oldTuple ?? msg.keyTuple ?? null, after);
      }
    }
  }

  private info(t: TableSchema, lsn: Lsn): SourceInfo {
    const tx = this.tx!;
    const transaction = tx.meta?.event(`${t.schema}.${t.table}`, lsn) ?? null;
    return {
      prefix: this.cfg.prefix,
      db: this.cfg.dbname,
      tsUs: tx.commitTimeUs,
      snapshot: 'false',
      txId: tx.xid,
      lsn,
      lastCommitLsn: this.lastCommit,
      transaction,
    };
  }

  /** Releases what was held (none of it ends the transaction) and holds the new records. */
  private push(records: SourceRecord[], lsn: Lsn): void {
    if (this.locating) {
      this.locating.waiting.push({ records, lsn });
      return;
    }
    const tx = this.tx!;
    const fresh: Array<{ record: SourceRecord; n: number; lsn: Lsn }> = [];
    for (const record of records) {
      tx.events++;
      if (this.skip && this.skip.xid === tx.xid && this.skip.remaining > 0) {
        this.skip.remaining--;
        this.skipped++;
        continue;
      }
      fresh.push({ record, n: tx.events, lsn });
    }
    if (fresh.length === 0) return;
    this.release(false);
    this.held = fresh;
  }

  private commit(endLsn: Lsn): void {
    this.release(true, endLsn);
    this.lastEnd = endLsn;
    this.lastCommit = endLsn;
    if (this.pos.lsnCommit < endLsn) this.pos = { lsnCommit: endLsn, txId: null, txEvents: 0 };
    this.tx = null;
    this.skip = null;
  }

  private release(endsTransaction: boolean, endLsn?: Lsn): void {
    if (this.held.length === 0) return;
    const tx = this.tx!;
    const out = this.held.map(({ record, n, lsn }, i) => {
      const last = endsTransaction && i === this.held.length - 1;
      const eventLsn = Number(lsn);
      const offset: SourceOffset = last
        ? {
            lsn: eventLsn,
            lsn_proc: eventLsn,
            lsn_commit: Number(endLsn!),
            txId: tx.xid,
            ts_usec: Number(tx.commitTimeUs),
            events_in_tx: 0,
          }
        : {
            lsn: eventLsn,
            lsn_proc: eventLsn,
            lsn_commit: Number(this.lastEnd),
            txId: tx.xid,
            ts_usec: Number(tx.commitTimeUs),
            events_in_tx: n,
          };
      return { ...record, sourceOffset: offset };
    });
    const lastOffset = out[out.length - 1]!.sourceOffset;
    this.pos =
      lastOffset.events_in_tx === 0
        ? { lsnCommit: BigInt(lastOffset.lsn_commit as number), txId: null, txEvents: 0 }
        : { lsnCommit: this.lastEnd, txId: tx.xid, txEvents: lastOffset.events_in_tx as number };
    this.held = [];
    this.emit(out);
  }
}
