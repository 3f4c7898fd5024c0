import type pg from 'pg';
import {
  ConnectError,
  RetriableError,
  SchemaBuilder,
  Schemas,
  sleep,
  Struct,
  isRetriable,
  type SourceOffset,
  type SourcePartition,
  type SourceRecord,
  type SourceTask,
  type SourceSignal,
  type SourceTaskContext,
  type TransactionContext,
} from '@tributary/connect-api';
import { parseConfig, VERSION, type CdcConfig } from './config.js';
import { ChangeEventFactory } from './change-events.js';
import { buildTableSchema, type TableSchema } from './change-event-schemas.js';
import { ChangeStream, requestLsn, type StreamPosition } from './change-stream.js';
import { formatLsn, lsnFromOffset, parseLsn, type Lsn } from './lsn.js';
import {
  capturedTables,
  connect,
  dropSlot,
  ensurePublication,
  preflight,
  slotState,
  tableColumns,
  tableShape,
  typeInfo,
  type TableRef,
} from './pg-client.js';
import { explainPgError } from './pg-errors.js';
import type { RelationMessage } from './pgoutput-decoder.js';
import { ReplicationConnection, type StreamEvent } from './replication-connection.js';
import { readSnapshot } from './snapshot-reader.js';
import { OID, ARRAY_ELEMENT, type TypeInfo } from './type-mapping.js';
import { RecordQueue } from './record-queue.js';
import { SignalManager } from './signals/signal-manager.js';

const HEARTBEAT_KEY = SchemaBuilder.struct()
  .name('io.debezium.connector.common.ServerNameKey')
  .field('serverName', Schemas.STRING)
  .build();
const HEARTBEAT_VALUE = SchemaBuilder.struct()
  .name('io.debezium.connector.common.Heartbeat')
  .field('ts_ms', Schemas.INT64)
  .build();
const BUILTIN_OIDS = new Set<number>([...Object.values(OID), ...Object.keys(ARRAY_ELEMENT).map(Number)]);
/** With transaction.boundary=connector, a PostgreSQL transaction this big is split over Kafka transactions. */
const MAX_OPEN_RECORDS = 100_000;
/** A slot still held by our own previous connection (killed worker, dropped socket) is released within this. */
const SLOT_BUSY_GRACE_MS = 60_000;

/**
 * Debezium's PostgreSQL connector task: snapshot (tied to the slot) then stream with pgoutput.
 * Everything that talks to PostgreSQL runs in a background session loop that reconnects with
 * backoff; `poll()` only drains the bounded record queue. The slot is confirmed in `commit()`,
 * from the offset the runtime durably stored, never on receipt. Named as Debezium names its task,
 * so the task configs we write carry a `task.class` a Kafka Connect worker can load.
 */
export class PostgresConnectorTask implements SourceTask {
  private cfg!: CdcConfig;
  private ctx!: SourceTaskContext;
  private partition!: SourcePartition;
  private events!: ChangeEventFactory;
  private readonly queue = new RecordQueue();
  private stream: ChangeStream | null = null;
  private repl: ReplicationConnection | null = null;
  private catalog: pg.Client | null = null;
  private failure: Error | null = null;
  private stopped = false;
  private needSnapshot = false;
  private snapshotOnly = false;
  private storedPosition: StreamPosition | null = null;
  private session: Promise<void> | null = null;
  private readonly types = new Map<number, TypeInfo>();
  private lastKeepalive: Lsn = 0n;
  private lastHeartbeat = Date.now();
  private slotBusySince: number | null = null;
  private signals: SignalManager | null = null;
  /** Records in the Kafka transaction left open by the last poll (transaction.boundary=connector). */
  private openRecords = 0;

  version(): string {
    return VERSION;
  }

  async start(config: Record<string, string>, ctx: SourceTaskContext): Promise<void> {
    this.cfg = parseConfig(config);
    this.ctx = ctx;
    this.partition = { server: this.cfg.prefix };
    this.events = new ChangeEventFactory(this.partition, this.cfg.placeholder, this.cfg.tombstones);
    this.queue.limit = this.cfg.maxQueue;
    this.queue.onDrained = () => this.repl?.resume();
    const stored = await ctx.offsetStorageReader.offset(this.partition);
    this.decideSnapshot(stored);
    this.signals = new SignalManager(config, {
      cfg: this.cfg,
      ctx,
      partition: this.partition,
      events: this.events,
      schemaOf: (client, ref) => this.snapshotSchema(client, ref),
      stream: () => this.stream,
      putAndWait: (rs) => this.queue.putAndWait(rs, ctx.signal),
      put: (rs) => this.queue.put(rs),
      pauseStream: () => this.repl?.pause(),
      resumeStream: () => {
        if (this.queue.size < this.queue.limit) this.repl?.resume();
      },
      ping: () => this.repl?.ping(),
    });
    this.signals.restore(stored);
    this.session = this.runSessions();
  }

  async poll(): Promise<SourceRecord[] | null> {
    if (this.failure && this.queue.size === 0) throw this.failure;
    this.maybeHeartbeat();
    const batch = await this.queue.take(this.cfg.maxBatch, 500, this.ctx.signal);
    if (batch && this.ctx.transactionContext) this.endTransactions(batch, this.ctx.transactionContext);
    return batch;
  }

  /**
   * `transaction.boundary=connector`: the Kafka transaction ends at the last record of a batch that
   * closes a PostgreSQL transaction (its offset's `events_in_tx` is 0; snapshot and heartbeat records
   * close one too), so read_committed readers see every PostgreSQL transaction whole. Grouped, not
   * one Kafka transaction per PostgreSQL one: a Kafka commit costs milliseconds and most PostgreSQL
   * transactions are small. One bigger than MAX_OPEN_RECORDS is split at a batch end (still exactly
   * once; it resumes inside the transaction), so memory stays bounded.
   */
  private endTransactions(batch: SourceRecord[], tx: TransactionContext): void {
    this.openRecords += batch.length;
    for (let i = batch.length - 1; i >= 0; i--) {
      const n = batch[i]!.sourceOffset.events_in_tx;
      if (typeof n !== 'number' || n === 0) {
        tx.commitTransaction(batch[i]);
        this.openRecords = batch.length - 1 - i;
        return;
      }
    }
    if (this.openRecords >= MAX_OPEN_RECORDS) {
      tx.commitTransaction();
      this.openRecords = 0;
    }
  }

  /** The runtime stored offsets durably: confirm the slot up to the last stored complete transaction. */
  async commit(): Promise<void> {
    const stored = await this.ctx.offsetStorageReader.offset(this.partition);
    const lsn = lsnFromOffset(stored?.lsn_commit);
    if (lsn !== null) this.repl?.confirm(lsn);
  }

  /** A signal from the REST channel; a bad one throws (the caller hears 400), after being logged and notified. */
  onSignal(s: SourceSignal): void {
    if (!this.signals) throw new ConnectError('The task has not started yet', { code: 'PG_NOT_STARTED' });
    this.signals.receive({ ...s, channel: 'rest' });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.close();
    await this.closeConnections();
    await this.signals?.stop();
    await Promise.race([this.session?.catch(() => {}), sleep(2000)]);
    if (this.cfg?.dropSlotOnStop) await this.dropSlotQuietly();
  }

  /** Reads the stored offset: where to resume, and whether snapshot.mode asks for a snapshot. */
  private decideSnapshot(stored: SourceOffset | null): void {
    const mode = this.cfg.snapshotMode;
    const snapshotIncomplete =
      stored?.snapshot !== undefined && stored?.snapshot !== null && stored?.snapshot_completed !== true;
    if (stored && !snapshotIncomplete) this.storedPosition = storedPosition(stored);
    this.needSnapshot =
      mode === 'always' || mode === 'initial_only'
        ? !(mode === 'initial_only' && this.storedPosition !== null)
        : mode === 'no_data'
          ? false
          : this.storedPosition === null;
    this.snapshotOnly = mode === 'initial_only';
    if (stored && snapshotIncomplete && mode !== 'no_data')
      this.ctx.logger.info(`${this.ctx.id}: the previous snapshot did not complete; snapshotting again`);
  }

  /** Connect, snapshot if needed, stream; on a lost connection reconnect with backoff. */
  private async runSessions(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      try {
        await this.runSession(() => {
          attempt = 0;
        });
        if (this.stopped) return;
        throw new RetriableError('PostgreSQL ended the replication stream');
      } catch (e) {
        if (this.stopped || this.failure) return;
        const err = explainPgError(e, this.cfg, 'connecting to or streaming from PostgreSQL');
        await this.closeConnections();
        if (!isRetriable(err)) {
          this.fail(err);
          return;
        }
        const wait = Math.min(this.cfg.maxRetryWaitMs, 500 * 2 ** Math.min(attempt++, 10));
        this.ctx.logger.warn(`${this.ctx.id}: ${err.message}; reconnecting in ${wait} ms`);
        await sleep(wait, this.ctx.signal);
      }
    }
  }

  private async runSession(connected: () => void): Promise<void> {
    const cfg = this.cfg;
    const catalog = (this.catalog = await connect(cfg));
    // PostgreSQL's fast shutdown terminates ordinary connections first and then waits for each
    // walsender until its client has confirmed everything sent, which ours never does (it confirms
    // only what the runtime stored). So when this connection is cut, cut the stream too: the server
    // can stop, and the session loop reconnects with backoff.
    const onLost = () => {
      if (this.catalog === catalog) void this.closeConnections();
    };
    catalog.on('error', onLost);
    catalog.on('end', onLost);
    await preflight(catalog, cfg);
    const tables = await capturedTables(catalog, cfg);
    await this.checkReplicaIdentity(catalog, tables);
    await ensurePublication(catalog, cfg, tables);
    await this.signals?.sessionStarted(catalog);
    const repl = (this.repl = new ReplicationConnection(await connect(cfg, true)));
    const slot = await slotState(catalog, cfg.slot);
    if (slot?.active) return this.slotBusy(slot.activePid, await activeApplication(catalog, slot.activePid));
    this.slotBusySince = null;
    if (slot && slot.plugin !== 'pgoutput')
      throw new ConnectError(
        `Replication slot "${cfg.slot}" uses plugin ${slot.plugin}, not pgoutput: drop it or choose another slot.name`,
        { code: 'PG_SLOT_PLUGIN' },
      );
    if (
      cfg.snapshotMode === 'when_needed' &&
      this.storedPosition &&
      (!slot || (slot.confirmedFlush && parseLsn(slot.confirmedFlush) > this.storedPosition.lsnCommit))
    ) {
      this.ctx.logger.warn(
        `${this.ctx.id}: the stored position is no longer available in slot ${cfg.slot}; snapshot.mode=when_needed takes a new snapshot`,
      );
      this.needSnapshot = true;
    }
    connected();
    let start: StreamPosition;
    let resumed = this.storedPosition !== null;
    if (this.needSnapshot) {
      resumed = false;
      // A fresh slot, so that its exported snapshot and consistent point define the seam exactly.
      if (slot) await dropSlot(catalog, cfg.slot);
      const created = await repl.createSlot(cfg.slot, true);
      // One query at a time on the catalog connection (pg 9 drops the implicit queue).
      const planned: Array<{ ref: TableRef; schema: TableSchema }> = [];
      for (const ref of tables) planned.push({ ref, schema: await this.snapshotSchema(catalog, ref) });
      const plan = { tables: planned, snapshotName: created.snapshotName, lsn: created.consistentPoint };
      this.signals?.initialSnapshot('STARTED', tables, created.consistentPoint);
      await readSnapshot(
        catalog,
        cfg,
        plan,
        this.events,
        (rs) => this.queue.putAndWait(rs, this.ctx.signal),
        this.ctx.signal,
        (m) => this.ctx.logger.info(`${this.ctx.id}: ${m}`),
        () => connect(cfg),
        (ref, n) =>
          this.signals?.initialSnapshot('TABLE_SCAN_COMPLETED', tables, created.consistentPoint, { ref, rows: n }),
      );
      if (!this.ctx.signal.aborted) this.signals?.initialSnapshot('COMPLETED', tables, created.consistentPoint);
      this.needSnapshot = false;
      start = { lsnCommit: created.consistentPoint, txId: null, txEvents: 0 };
      if (this.snapshotOnly) {
        this.ctx.logger.info(`${this.ctx.id}: snapshot.mode=initial_only: not streaming`);
        await repl.close();
        return new Promise(() => {});
      }
    } else if (this.stream) {
      start = this.stream.restartPosition();
    } else if (!slot) {
      const created = await repl.createSlot(cfg.slot, false);
      start = this.storedPosition ?? { lsnCommit: created.consistentPoint, txId: null, txEvents: 0 };
    } else {
      start = this.storedPosition ?? { lsnCommit: 0n, txId: null, txEvents: 0 };
    }
    if (this.snapshotOnly && !this.stream) {
      await repl.close();
      return new Promise(() => {});
    }
    if (!this.stream) {
      this.stream = new ChangeStream(
        cfg,
        this.events,
        (rel) => this.relationSchema(rel),
        (rs) => this.deliver(rs),
        start,
        resumed,
        this.signals?.streamHooks(),
      );
    }
    const stored = await this.ctx.offsetStorageReader.offset(this.partition);
    const confirmed = lsnFromOffset(stored?.lsn_commit) ?? 0n;
    const from = requestLsn(start);
    const how = start.debezium
      ? ` (an offset written by Debezium: resuming after its last stored event, ${start.debezium.messageType ?? 'unknown type'})`
      : start.txEvents
        ? ` (skipping ${start.txEvents} records of transaction ${start.txId})`
        : '';
    this.ctx.logger.info(`${this.ctx.id}: streaming slot ${cfg.slot} from ${formatLsn(from)}${how}`);
    const inbox = new Inbox(
      (e) => this.onEvent(e),
      (err) => {
        this.fail(err);
        void this.closeConnections();
      },
    );
    this.signals?.attach((run) => inbox.push({ kind: 'task', run }));
    await repl.start(cfg.slot, cfg.publication, from, confirmed, cfg.statusIntervalMs, (e) => inbox.push(e));
  }

  private onEvent(e: InboxItem): void | Promise<void> {
    if (e.kind === 'task') return e.run();
    if (e.kind === 'keepalive') {
      this.lastKeepalive = e.walEnd;
      return this.signals?.walReached(e.walEnd);
    }
    return this.stream!.handle(e.payload, e.lsn);
  }

  private deliver(records: SourceRecord[]): void {
    if (this.queue.put(this.signals ? this.signals.decorate(records) : records)) this.repl?.pause();
  }

  private fail(err: Error): void {
    if (!this.failure) this.failure = err;
    this.queue.wake();
  }

  /**
   * Another client holds the slot. If it is one of ours (a killed worker's connection PostgreSQL has
   * not noticed yet) wait for it to go; otherwise fail at once with what to do.
   */
  private slotBusy(pid: number | null, application: string | null): Promise<void> {
    const now = Date.now();
    this.slotBusySince ??= now;
    const msg = `Replication slot "${this.cfg.slot}" is in use by another client (pid ${pid ?? '?'}${application ? `, application "${application}"` : ''}): stop the other consumer (SELECT pg_terminate_backend(${pid ?? 'active_pid'})) or give this connector its own slot.name`;
    if (application !== `tributary-${this.cfg.slot}` || now - this.slotBusySince > SLOT_BUSY_GRACE_MS)
      throw new ConnectError(msg, { code: 'PG_SLOT_IN_USE' });
    throw new RetriableError(
      `${msg} (waiting up to ${SLOT_BUSY_GRACE_MS / 1000} s in case it is our own previous connection)`,
      { code: 'PG_SLOT_IN_USE' },
    );
  }

  /** Without a primary key or a replica identity, PostgreSQL rejects UPDATE/DELETE on a published table. */
  private async checkReplicaIdentity(client: pg.Client, tables: TableRef[]): Promise<void> {
    for (const t of tables) {
      if (t.replicaIdentity === 'f' || t.replicaIdentity === 'i') continue;
      const cols = await tableColumns(client, t.oid);
      if (cols.primaryKey.length === 0) {
        throw new ConnectError(
          `Table ${t.schema}.${t.table} has neither a primary key nor a replica identity, so its updates and deletes cannot be captured (PostgreSQL even rejects them once the table is published): add a primary key, run ALTER TABLE ${t.schema}.${t.table} REPLICA IDENTITY FULL, or exclude it with table.exclude.list`,
          { code: 'PG_NO_REPLICA_IDENTITY' },
        );
      }
    }
  }

  private async loadTypes(client: pg.Client, oids: number[]): Promise<void> {
    const missing = [...new Set(oids)].filter((o) => !BUILTIN_OIDS.has(o) && !this.types.has(o));
    for (const t of await typeInfo(client, missing)) this.types.set(t.oid, t);
    const elements = [...this.types.values()]
      .map((t) => t.elementOid || t.baseOid)
      .filter((o) => o && !BUILTIN_OIDS.has(o) && !this.types.has(o));
    for (const t of await typeInfo(client, elements)) this.types.set(t.oid, t);
  }

  private async snapshotSchema(client: pg.Client, ref: TableRef): Promise<TableSchema> {
    const shape = await tableShape(client, ref.oid);
    const cols = await tableColumns(client, ref.oid);
    await this.loadTypes(
      client,
      shape.map((c) => c.typeOid),
    );
    return buildTableSchema(
      this.cfg,
      ref.schema,
      ref.table,
      shape,
      cols.notNull,
      cols.primaryKey,
      (o) => this.types.get(o),
      (m) => this.ctx.logger.warn(m),
      cols.defaults,
    );
  }

  private async relationSchema(rel: RelationMessage): Promise<TableSchema | null> {
    const client = this.catalog!;
    const cols = await tableColumns(client, rel.relationOid);
    await this.loadTypes(
      client,
      rel.columns.map((c) => c.typeOid),
    );
    // Under REPLICA IDENTITY FULL every column is flagged as key, so the key comes from pg_index.
    return buildTableSchema(
      this.cfg,
      rel.schema,
      rel.name,
      rel.columns,
      cols.notNull,
      cols.primaryKey,
      (o) => this.types.get(o),
      (m) => this.ctx.logger.warn(m),
      cols.defaults,
    );
  }

  /**
   * A heartbeat carries the current position, so the stored offset (and the slot) can advance while tables are idle.
   */
  private maybeHeartbeat(): void {
    if (this.cfg.heartbeatMs <= 0 || !this.stream || Date.now() - this.lastHeartbeat < this.cfg.heartbeatMs) return;
    this.lastHeartbeat = Date.now();
    if (this.cfg.heartbeatQuery && this.catalog)
      this.catalog
        .query(this.cfg.heartbeatQuery)
        .catch((err) =>
          this.ctx.logger.warn(`${this.ctx.id}: heartbeat.action.query failed: ${(err as Error).message}`),
        );
    const pos = this.stream.idleAdvance(this.lastKeepalive);
    if (!pos) return;
    const now = Date.now();
    const lsn = Number(pos.lsnCommit);
    const heartbeat: SourceRecord[] = [
      {
        topic: this.cfg.heartbeatTopic,
        keySchema: HEARTBEAT_KEY,
        key: new Struct(HEARTBEAT_KEY).put('serverName', this.cfg.prefix),
        valueSchema: HEARTBEAT_VALUE,
        value: new Struct(HEARTBEAT_VALUE).put('ts_ms', now),
        timestamp: now,
        headers: [],
        sourcePartition: this.partition,
        sourceOffset: { lsn, lsn_proc: lsn, lsn_commit: lsn, txId: null, ts_usec: now * 1000, events_in_tx: 0 },
      },
    ];
    // While an incremental snapshot runs, its state rides on every offset, heartbeats included.
    this.queue.put(this.signals ? this.signals.decorate(heartbeat) : heartbeat);
  }

  private async closeConnections(): Promise<void> {
    const repl = this.repl,
      catalog = this.catalog;
    this.repl = null;
    this.catalog = null;
    await this.signals?.close();
    await repl?.close();
    await catalog?.end().catch(() => {});
  }

  private async dropSlotQuietly(): Promise<void> {
    let client: pg.Client | null = null;
    try {
      client = await connect(this.cfg);
      for (let i = 0; i < 20; i++) {
        const s = await slotState(client, this.cfg.slot);
        if (!s) return;
        if (!s.active) {
          await dropSlot(client, this.cfg.slot);
          this.ctx.logger.info(`${this.ctx.id}: dropped slot ${this.cfg.slot} (slot.drop.on.stop)`);
          return;
        }
        await sleep(250);
      }
      this.ctx.logger.warn(`${this.ctx.id}: slot ${this.cfg.slot} still active; not dropped`);
    } catch (err) {
      this.ctx.logger.warn(`${this.ctx.id}: could not drop slot ${this.cfg.slot}: ${(err as Error).message}`);
    } finally {
      await client?.end().catch(() => {});
    }
  }
}

/**
 * Feeds stream events to a handler one at a time, in order, even when the handler is async (a
 * Relation message needs the catalog). Synchronous handling is the fast path.
 */
/** A stream event, or work that must run between two of them (a signal from Kafka or REST). */
type InboxItem = StreamEvent | { kind: 'task'; run: () => Promise<void> };

class Inbox {
  private readonly pending: InboxItem[] = [];
  private busy = false;
  private dead = false;

  constructor(
    private readonly handler: (e: InboxItem) => void | Promise<void>,
    private readonly onError: (err: Error) => void,
  ) {}

  push(e: InboxItem): void {
    if (this.dead) return;
    // The payload is a view into the connection's receive buffer, which is reused: copy what waits.
    if (this.busy) {
      this.pending.push(e.kind === 'data' ? { ...e, payload: Buffer.from(e.payload) } : e);
      return;
    }
    this.run(e);
  }

  private run(first: InboxItem): void {
    let e: InboxItem | undefined = first;
    try {
      while (e) {
        const r = this.handler(e);
        if (r) {
          this.busy = true;
          r.then(
            () => {
              this.busy = false;
              const next = this.pending.shift();
              if (next) this.run(next);
            },
            (err) => this.die(err),
          );
          return;
        }
        e = this.pending.shift();
      }
    } catch (err) {
      this.die(err);
    }
  }

  private die(err: unknown): void {
    this.dead = true;
    this.pending.length = 0;
    this.onError(err instanceof Error ? err : new Error(String(err)));
  }
}

/**
 * The position a stored streaming offset gives. Ours carries `events_in_tx`; one Debezium wrote instead
 * has `lsn_proc` (the last event it stored) and `messageType`, and resumes as Debezium would.
 */
export function storedPosition(stored: SourceOffset): StreamPosition {
  const lsnCommit = lsnFromOffset(stored.lsn_commit);
  // A completed snapshot (ours or Debezium's) resumes at its consistent point: every later commit is new.
  if (stored.snapshot !== undefined && stored.snapshot !== null)
    return { lsnCommit: lsnCommit ?? lsnFromOffset(stored.lsn) ?? 0n, txId: null, txEvents: 0 };
  if (typeof stored.events_in_tx === 'number') {
    const txEvents = stored.events_in_tx;
    return {
      lsnCommit: lsnCommit ?? lsnFromOffset(stored.lsn) ?? 0n,
      txId: txEvents > 0 && typeof stored.txId === 'number' ? stored.txId : null,
      txEvents,
    };
  }
  const lastEvent = lsnFromOffset(stored.lsn_proc) ?? lsnFromOffset(stored.lsn);
  if (lastEvent === null) return { lsnCommit: lsnCommit ?? 0n, txId: null, txEvents: 0 };
  const messageType = typeof stored.messageType === 'string' ? stored.messageType : null;
  return {
    lsnCommit: lsnCommit ?? lastEvent,
    txId: null,
    txEvents: 0,
    debezium: { lastCommit: lsnCommit, lastEvent, messageType },
  };
}

async function activeApplication(client: pg.Client, pid: number | null): Promise<string | null> {
  if (pid === null) return null;
  const r = await client.query('SELECT application_name FROM pg_stat_activity WHERE pid = $1', [pid]);
  return (r.rows[0]?.application_name as string | undefined) ?? null;
}
