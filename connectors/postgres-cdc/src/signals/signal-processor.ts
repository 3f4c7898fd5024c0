import type pg from 'pg';
import { tableIncluded } from '../config.js';
import type { IncrementalSnapshot } from '../incremental-snapshot.js';
import type { Notifier } from '../notifications.js';
import { capturedTables, ident, type TableRef } from '../pg-client.js';
import type { SignalConfig } from './signal-config.js';
import { checkSignal, SignalError, WINDOW_CLOSE, WINDOW_OPEN, type Signal, type SnapshotRequest } from './signal.js';
import type { CdcConfig } from '../config.js';

export interface SignalProcessorHost {
  readonly cfg: CdcConfig;
  readonly signals: SignalConfig;
  readonly notifier: Notifier;
  readonly incremental: IncrementalSnapshot;
  connection(): Promise<pg.Client>;
  /** Streaming pauses, the tables are read in one transaction, streaming resumes. */
  blockingSnapshot(tables: TableRef[], signalId: string): Promise<void>;
  log(msg: string): void;
  warn(msg: string): void;
}

/**
 * Acts on signals from every channel, one at a time on the stream's serial path: a signal-table row is handled
 * where it is in the WAL, a Kafka or REST signal between two stream events. A bad signal is logged and notified
 * (aggregate type `Signal`, type `REJECTED`); streaming goes on.
 */
export class SignalProcessor {
  /** Whether the signal table exists and is published, so incremental snapshots can write watermarks. */
  watermarks = false;

  constructor(private readonly host: SignalProcessorHost) {}

  /** The stream saw a row written to the signal table. */
  async sourceRow(op: 'insert' | 'delete', id: string | null, type: string | null, data: string | null): Promise<void> {
    if (id === null) return;
    if (op === 'delete') return this.host.incremental.watermark(id, 'close');
    if (type === WINDOW_OPEN) return this.host.incremental.watermark(id, 'open');
    if (type === WINDOW_CLOSE) return this.host.incremental.watermark(id, 'close');
    if (!this.host.signals.channels.has('source')) return;
    await this.handle({ id, type: type ?? '', data, channel: 'source' });
  }

  async handle(s: Signal): Promise<void> {
    try {
      await this.act(s);
    } catch (e) {
      if (!(e instanceof SignalError)) throw e;
      this.reject(s, e.message);
    }
  }

  reject(s: Pick<Signal, 'id' | 'type' | 'channel'>, reason: string): void {
    this.host.warn(`signal ${s.id} (${s.type}, ${s.channel} channel) rejected: ${reason}`);
    this.host.notifier.notify('Signal', 'REJECTED', {
      signal_id: s.id,
      signal_type: s.type,
      channel: s.channel,
      reason,
    });
  }

  private async act(s: Signal): Promise<void> {
    const checked = checkSignal(s);
    const inc = this.host.incremental;
    this.host.log(`signal ${s.id} (${s.type}) from the ${s.channel} channel`);
    switch (s.type) {
      case 'log':
        this.host.log(`signal ${s.id}: ${(checked as { message: string }).message}`);
        return;
      case 'pause-snapshot':
        return inc.pause();
      case 'resume-snapshot':
        return inc.resume();
      case 'stop-snapshot':
        return inc.stop((checked as SnapshotRequest).dataCollections.map(anchored));
      case 'execute-snapshot':
        return this.execute(s, checked as SnapshotRequest);
    }
  }

  private async execute(s: Signal, req: SnapshotRequest): Promise<void> {
    const client = await this.host.connection();
    const sig = this.host.signals.table;
    // The signal table holds the watermarks: a pattern such as `public\..*` does not snapshot it.
    const tables = (await capturedTables(client, this.host.cfg)).filter(
      (t) => !sig || t.schema !== sig.schema || t.table !== sig.table,
    );
    const picked: TableRef[] = [];
    for (const pattern of req.dataCollections) {
      const re = anchored(pattern);
      const hits = tables.filter((t) => re.test(`${t.schema}.${t.table}`) && !picked.includes(t));
      if (hits.length === 0) this.unknown(s, req, pattern);
      picked.push(...hits);
    }
    if (picked.length === 0) throw new SignalError(`no captured table matches ${req.dataCollections.join(', ')}`);
    if (req.type === 'blocking') return this.host.blockingSnapshot(picked, s.id);
    if (!this.watermarks && !this.host.signals.readOnly) {
      const t = this.host.signals.table;
      throw new SignalError(
        t
          ? `the signal table ${t.schema}.${t.table} is missing or not in publication ${this.host.cfg.publication}, so no watermark can be written: ${publicationFix(this.host.cfg, t)}`
          : 'an incremental snapshot needs signal.data.collection (its watermarks are written there)',
      );
    }
    const conditionOf = (id: string) => {
      const filters = req.conditions.filter((c) => anchored(c.dataCollection).test(id)).map((c) => `(${c.filter})`);
      return filters.length > 0 ? filters.join(' AND ') : null;
    };
    await this.host.incremental.add(
      picked.map((t) => `${t.schema}.${t.table}`),
      conditionOf,
      req.surrogateKey,
      s.id,
    );
  }

  private unknown(s: Signal, req: SnapshotRequest, pattern: string): void {
    this.host.warn(`signal ${s.id}: no captured table matches "${pattern}"`);
    this.host.notifier.notify(
      req.type === 'blocking' ? 'Initial Snapshot' : 'Incremental Snapshot',
      'TABLE_SCAN_COMPLETED',
      { data_collections: pattern, scanned_collection: pattern, total_rows_scanned: '0', status: 'UNKNOWN_SCHEMA' },
      s.id,
    );
  }

  /**
   * At start: is the signal table there and published? In `filtered` mode it is added to the publication;
   * otherwise a missing piece is reported with the SQL that fixes it (signals from other channels still work).
   */
  async checkSignalTable(client: pg.Client): Promise<void> {
    const t = this.host.signals.table;
    this.watermarks = false;
    if (!t) return;
    const name = `${ident(t.schema)}.${ident(t.table)}`;
    const exists = await client.query('SELECT to_regclass($1) IS NOT NULL AS ok', [name]);
    if (exists.rows[0].ok !== 't' && exists.rows[0].ok !== true) {
      this.host.warn(
        `the signal table ${t.schema}.${t.table} does not exist: CREATE TABLE ${name} (id varchar(42) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048) NULL); ${publicationFix(this.host.cfg, t)}`,
      );
      return;
    }
    const published = await client.query(
      'SELECT 1 FROM pg_publication_tables WHERE pubname = $1 AND schemaname = $2 AND tablename = $3',
      [this.host.cfg.publication, t.schema, t.table],
    );
    // read.only: the connector writes nothing, not even to the publication.
    if (published.rowCount === 0 && this.host.cfg.publicationMode === 'filtered' && !this.host.signals.readOnly) {
      await client.query(`ALTER PUBLICATION ${ident(this.host.cfg.publication)} ADD TABLE ${name}`);
    } else if (published.rowCount === 0) {
      this.host.warn(
        `the signal table ${t.schema}.${t.table} is not in publication ${this.host.cfg.publication}, so its signals and incremental snapshot watermarks never reach the connector: ${publicationFix(this.host.cfg, t)}`,
      );
      return;
    }
    this.watermarks = true;
    if (!tableIncluded(this.host.cfg.filters, t.schema, t.table)) return;
    this.host.log(`the signal table ${t.schema}.${t.table} is also captured: its rows are emitted as change events`);
  }
}

function anchored(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'i');
}

function publicationFix(cfg: CdcConfig, t: { schema: string; table: string }): string {
  return `ALTER PUBLICATION ${ident(cfg.publication)} ADD TABLE ${ident(t.schema)}.${ident(t.table)};`;
}
