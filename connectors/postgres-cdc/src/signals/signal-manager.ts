import type pg from 'pg';
import type { SourceOffset, SourcePartition, SourceRecord, SourceTaskContext } from '@tributary/connect-api';
import { configDef, type CdcConfig } from '../config.js';
import type { ChangeEventFactory } from '../change-events.js';
import type { TableSchema } from '../change-event-schemas.js';
import type { ChangeStream, StreamHooks, StreamPosition } from '../change-stream.js';
import { IncrementalSnapshot } from '../incremental-snapshot.js';
import { Notifier } from '../notifications.js';
import { capturedTables, connect, type TableRef } from '../pg-client.js';
import type { TupleData } from '../pgoutput-decoder.js';
import { readSnapshot } from '../snapshot-reader.js';
import { KafkaSignalChannel } from './kafka-signal-channel.js';
import { parseSignalConfig, type SignalConfig } from './signal-config.js';
import { SignalProcessor } from './signal-processor.js';
import { checkSignal, SignalError, type Signal } from './signal.js';

/** What the manager needs from the task. */
export interface SignalTaskHooks {
  readonly cfg: CdcConfig;
  readonly ctx: SourceTaskContext;
  readonly partition: SourcePartition;
  readonly events: ChangeEventFactory;
  schemaOf(client: pg.Client, ref: TableRef): Promise<TableSchema>;
  stream(): ChangeStream | null;
  putAndWait(records: SourceRecord[]): Promise<void>;
  /** Queues records as they are (no stream position involved). */
  put(records: SourceRecord[]): void;
  /** Stops and restarts reading the replication stream (a blocking snapshot). */
  pauseStream(): void;
  resumeStream(): void;
  /** Asks the server for a keepalive (read-only incremental snapshots wait for its WAL position). */
  ping(): void;
}

/**
 * Signals, incremental and blocking snapshots and notifications for one task: the task keeps a few hooks
 * (stream hooks, offset decoration, a serial runner) and everything else lives here.
 */
export class SignalManager {
  readonly config: SignalConfig;
  private readonly notifier: Notifier;
  private readonly incremental: IncrementalSnapshot;
  private readonly processor: SignalProcessor;
  private client: pg.Client | null = null;
  private run: ((fn: () => Promise<void>) => void) | null = null;
  private readonly pending: Array<() => Promise<void>> = [];
  private kafka: KafkaSignalChannel | null = null;
  private pingTimer: NodeJS.Timeout | null = null;

  constructor(
    props: Readonly<Record<string, string>>,
    private readonly task: SignalTaskHooks,
  ) {
    this.config = parseSignalConfig(configDef, props);
    const log = (m: string) => task.ctx.logger.info(`${task.ctx.id}: ${m}`);
    const warn = (m: string) => task.ctx.logger.warn(`${task.ctx.id}: ${m}`);
    this.notifier = new Notifier(
      this.config,
      task.cfg.prefix,
      log,
      (build) => this.emitBetween((offset) => build(offset)),
      task.partition as Record<string, string>,
    );
    const common = {
      cfg: task.cfg,
      signals: this.config,
      notifier: this.notifier,
      connection: () => this.connection(),
      log,
      warn,
    };
    this.incremental = new IncrementalSnapshot({
      ...common,
      events: task.events,
      schemaOf: (c, ref) => task.schemaOf(c, ref),
      findTable: async (c, id) =>
        (await capturedTables(c, task.cfg)).find((t) => `${t.schema}.${t.table}` === id) ?? null,
      emitBetween: (build) => this.emitBetween(build),
      ping: () => this.ping(),
    });
    this.processor = new SignalProcessor({
      ...common,
      incremental: this.incremental,
      blockingSnapshot: (tables, id) => this.blocking(tables, id),
    });
  }

  /**
   * The connector's own initial snapshot, with Debezium's `Initial Snapshot` notifications: STARTED, IN_PROGRESS
   * for every table, TABLE_SCAN_COMPLETED as each is read (`table`), COMPLETED. They carry snapshot offsets (an
   * incomplete one until the end, as the snapshot's own records), so a restart in between snapshots again.
   */
  initialSnapshot(
    type: 'STARTED' | 'TABLE_SCAN_COMPLETED' | 'COMPLETED',
    tables: TableRef[],
    lsn: bigint,
    table?: { ref: TableRef; rows: number },
  ): void {
    const l = Number(lsn);
    const done = type === 'COMPLETED';
    const offset = {
      value: {
        lsn: l,
        lsn_proc: l,
        lsn_commit: l,
        txId: null,
        ts_usec: Date.now() * 1000,
        snapshot: 'INITIAL',
        last_snapshot_record: done,
        snapshot_completed: done,
      },
      emit: (records: SourceRecord[]) => this.task.put(records),
    };
    const notices = snapshotNotices(type, tables, table);
    for (const [t, data] of notices) this.notifier.notify('Initial Snapshot', t, data, undefined, offset);
  }

  /** Picks up an incremental snapshot the stored offset says is under way. */
  restore(stored: SourceOffset | null): void {
    this.incremental.restore(stored);
  }

  /** Every record carries the incremental snapshot's state while one runs, so a restart resumes it. */
  decorate(records: SourceRecord[]): SourceRecord[] {
    if (!this.incremental.active) return records;
    const fields = this.incremental.offsetFields();
    return records.map((r) =>
      r.sourceOffset.incremental_snapshot_collections !== undefined
        ? r
        : { ...r, sourceOffset: { ...r.sourceOffset, ...fields } },
    );
  }

  /** Hooks for the ChangeStream: signal-table rows and streamed changes (window de-duplication). */
  streamHooks(): StreamHooks | undefined {
    const t = this.config.table;
    if (!t && !this.config.readOnly) return undefined;
    return {
      isSignalTable: (schema, table) => t !== null && schema === t.schema && table === t.table,
      signalRow: (op, tuple) => this.processor.sourceRow(op, text(tuple[0]), text(tuple[1]), text(tuple[2])),
      streamed: (table, tuple) => this.incremental.streamed(table, tuple),
      ...(this.config.readOnly ? { beforeTransaction: (lsn: bigint) => this.incremental.beforeTransaction(lsn) } : {}),
    };
  }

  /** A keepalive between transactions (the task's serial path): a read-only window may close. */
  walReached(walEnd: bigint): Promise<void> | undefined {
    if (!this.config.readOnly || this.task.stream()?.inTransaction !== false) return undefined;
    return this.incremental.walReached(walEnd);
  }

  /** At most one keepalive request per 100 ms: a walsender catching up answers each one at once. */
  private ping(): void {
    if (this.pingTimer) return;
    this.pingTimer = setTimeout(() => {
      this.pingTimer = null;
      this.task.ping();
    }, 100);
    this.pingTimer.unref();
  }

  /** At the start of each session: checks the signal table and starts the Kafka channel. */
  async sessionStarted(catalog: pg.Client): Promise<void> {
    await this.processor.checkSignalTable(catalog);
    if (this.config.channels.has('kafka') && !this.kafka) {
      this.kafka = new KafkaSignalChannel(this.config, this.task.cfg.prefix, this.task.ctx, (s) => this.receive(s));
      this.kafka.start();
    }
  }

  /** The session's serial runner (the task's inbox): queued signals run now, and a resumed snapshot continues. */
  attach(run: (fn: () => Promise<void>) => void): void {
    this.run = run;
    for (const fn of this.pending.splice(0)) run(fn);
    run(() => this.incremental.kick());
  }

  detach(): void {
    this.run = null;
  }

  /**
   * A signal from the Kafka or REST channel. Its type and data are checked at once (a SignalError for the
   * caller); the work is queued on the stream's serial path.
   */
  receive(s: Signal): void {
    if (!this.config.channels.has(s.channel)) {
      const msg = `the ${s.channel} signal channel is not enabled (signal.enabled.channels=${[...this.config.channels].join(',')})`;
      this.processor.reject(s, msg);
      throw new SignalError(msg);
    }
    try {
      checkSignal(s);
    } catch (e) {
      if (e instanceof SignalError) this.processor.reject(s, e.message);
      throw e;
    }
    const fn = () => this.processor.handle(s);
    if (this.run) this.run(fn);
    else this.pending.push(fn);
  }

  async close(): Promise<void> {
    if (this.pingTimer) clearTimeout(this.pingTimer);
    this.pingTimer = null;
    const c = this.client;
    this.client = null;
    this.run = null;
    await c?.end().catch(() => {});
  }

  async stop(): Promise<void> {
    await this.close();
    await this.kafka?.stop();
    this.kafka = null;
  }

  private async connection(): Promise<pg.Client> {
    if (!this.client) {
      const c = await connect(this.task.cfg);
      const drop = () => {
        if (this.client === c) this.client = null;
      };
      c.on('error', drop);
      c.on('end', drop);
      this.client = c;
    }
    return this.client;
  }

  /** Emits records at the stream's current point (after what it released), with that position's offset. */
  private emitBetween(build: (offset: SourceOffset, lsn: bigint) => SourceRecord[]): void {
    const stream = this.task.stream();
    if (!stream) return; // before streaming: nothing to order with, and no position to store
    stream.between((pos) => {
      const records = build(positionOffset(pos), pos.lsnCommit);
      if (records.length > 0) stream.emitOutOfBand(records);
    });
  }

  /** Debezium's blocking snapshot: the stream stops, the tables are read in one transaction, the stream resumes. */
  private async blocking(tables: TableRef[], signalId: string): Promise<void> {
    const ids = tables.map((t) => `${t.schema}.${t.table}`).join(',');
    const stream = this.task.stream();
    if (!stream) throw new SignalError('a blocking snapshot needs the connector to be streaming');
    // Debezium's blocking snapshot notifies as its initial one does, with ids of their own (not the signal's).
    const notify = (type: Parameters<typeof snapshotNotices>[0], table?: { ref: TableRef; rows: number }) => {
      for (const [t, data] of snapshotNotices(type, tables, table)) this.notifier.notify('Initial Snapshot', t, data);
    };
    notify('STARTED');
    this.task.pauseStream();
    const client = await connect(this.task.cfg);
    try {
      let base: SourceOffset = {};
      let lsn = 0n;
      stream.between((pos) => {
        base = positionOffset(pos);
        lsn = pos.lsnCommit;
      });
      const planned: Array<{ ref: TableRef; schema: TableSchema }> = [];
      for (const ref of tables) planned.push({ ref, schema: await this.task.schemaOf(client, ref) });
      // The rows carry the stream's position, not a snapshot offset: a restart resumes streaming, not this snapshot.
      await readSnapshot(
        client,
        this.task.cfg,
        { tables: planned, snapshotName: null, lsn, kind: 'BLOCKING', offset: () => ({ ...base }) },
        this.task.events,
        (rs) => this.task.putAndWait(this.decorate(rs)),
        this.task.ctx.signal,
        (m) => this.task.ctx.logger.info(`${this.task.ctx.id}: blocking ${m}`),
        () => connect(this.task.cfg),
        (ref, rows) => notify('TABLE_SCAN_COMPLETED', { ref, rows }),
      );
      notify('COMPLETED');
    } catch (e) {
      this.notifier.notify('Initial Snapshot', 'ABORTED', {});
      throw new SignalError(`the blocking snapshot of ${ids} (signal ${signalId}) failed: ${(e as Error).message}`);
    } finally {
      await client.end().catch(() => {});
      this.task.resumeStream();
    }
  }
}

/**
 * Debezium's `Initial Snapshot` notifications (initial and blocking snapshots): STARTED and COMPLETED carry only
 * the connector name; STARTED is followed by IN_PROGRESS for each table, each table ends with TABLE_SCAN_COMPLETED.
 */
function snapshotNotices(
  type: 'STARTED' | 'TABLE_SCAN_COMPLETED' | 'COMPLETED',
  tables: TableRef[],
  table?: { ref: TableRef; rows: number },
): Array<[string, Record<string, string>]> {
  const ids = tables.map((t) => `${t.schema}.${t.table}`);
  if (type === 'STARTED')
    return [
      ['STARTED', {}],
      ...ids.map((id): [string, Record<string, string>] => [
        'IN_PROGRESS',
        { current_collection_in_progress: id, data_collections: ids.join(',') },
      ]),
    ];
  if (type === 'COMPLETED') return [['COMPLETED', {}]];
  return [
    [
      'TABLE_SCAN_COMPLETED',
      {
        scanned_collection: `${table!.ref.schema}.${table!.ref.table}`,
        total_rows_scanned: String(table!.rows),
        status: 'SUCCEEDED',
        data_collections: ids.join(','),
      },
    ],
  ];
}

function text(v: TupleData[number] | undefined): string | null {
  return typeof v === 'string' ? v : null;
}

/** The offset of a stream position, as the stream writes it (see ChangeStream.release). */
export function positionOffset(pos: StreamPosition): SourceOffset {
  const lsn = Number(pos.lsnCommit);
  return {
    lsn,
    lsn_proc: lsn,
    lsn_commit: lsn,
    txId: pos.txId,
    ts_usec: Date.now() * 1000,
    events_in_tx: pos.txEvents,
  };
}
