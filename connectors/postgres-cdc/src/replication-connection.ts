import type pg from 'pg';
import { formatLsn, parseLsn, PG_EPOCH_US, type Lsn } from './lsn.js';

/** What the stream hands to its consumer, in arrival order. */
export type StreamEvent =
  { kind: 'data'; lsn: Lsn; payload: Buffer } | { kind: 'keepalive'; walEnd: Lsn; replyRequested: boolean };

export interface CreatedSlot {
  readonly consistentPoint: Lsn;
  readonly snapshotName: string | null;
}

/**
 * A replication-mode connection (`replication=database`), talking the streaming protocol itself so
 * that nothing is acknowledged behind our back: the only standby status updates sent carry the LSN
 * given to {@link confirm}, and keepalives are answered with that same LSN, never with the position
 * of a keepalive or of a message merely received (see reference part B, pitfalls 1 and 2).
 */
export class ReplicationConnection {
  private confirmed: Lsn = 0n;
  private statusTimer: NodeJS.Timeout | null = null;
  private streaming = false;
  /** The socket under the client, handed to the START_REPLICATION query by pg (for writes and backpressure). */
  private stream: pg.Connection['stream'] | null = null;

  constructor(private readonly client: pg.Client) {}

  /**
   * `CREATE_REPLICATION_SLOT … LOGICAL pgoutput EXPORT_SNAPSHOT`: the exported snapshot stays valid
   * while this connection stays open and idle, i.e. until {@link start} is called.
   */
  async createSlot(slot: string, exportSnapshot: boolean): Promise<CreatedSlot> {
    const res = await this.client.query(
      `CREATE_REPLICATION_SLOT "${slot}" LOGICAL pgoutput ${exportSnapshot ? 'EXPORT_SNAPSHOT' : 'NOEXPORT_SNAPSHOT'}`,
    );
    const row = res.rows[0] as { consistent_point: string; snapshot_name: string | null };
    return { consistentPoint: parseLsn(row.consistent_point), snapshotName: row.snapshot_name };
  }

  /**
   * Starts streaming from `startLsn` (0 = the slot's confirmed position) and calls `onEvent` for each
   * message. Resolves when the server ends the stream; rejects when the connection fails.
   * `confirmedLsn` is what status updates report until {@link confirm} moves it.
   */
  start(
    slot: string,
    publication: string,
    startLsn: Lsn,
    confirmedLsn: Lsn,
    statusIntervalMs: number,
    onEvent: (e: StreamEvent) => void,
  ): Promise<void> {
    this.confirmed = confirmedLsn;
    const sql = `START_REPLICATION SLOT "${slot}" LOGICAL ${formatLsn(startLsn)} ("proto_version" '1', "publication_names" '${publication.replace(/'/g, "''")}')`;
    return new Promise<void>((resolve, reject) => {
      // pg's extension point for queries with their own protocol (as pg-cursor and pg-copy-streams use it):
      // the client hands the submittable its connection and routes the server's messages to it.
      const query: pg.Submittable & Record<string, unknown> = {
        submit: (connection: pg.Connection) => {
          this.stream = connection.stream;
          this.streaming = true;
          this.statusTimer = setInterval(() => this.sendStatus(false), statusIntervalMs);
          this.statusTimer.unref();
          connection.query(sql);
        },
        handleCopyData: ({ chunk }: { chunk: Buffer }) => this.onCopyData(chunk, onEvent),
        handleError: (err: Error) => {
          this.stopTimer();
          reject(err);
        },
        handleReadyForQuery: () => {
          this.stopTimer();
          resolve();
        },
        handleCommandComplete: () => {},
        handleRowDescription: () => {},
        handleDataRow: () => {},
        handleEmptyQuery: () => {},
      };
      this.client.query(query);
    });
  }

  private onCopyData(chunk: Buffer, onEvent: (e: StreamEvent) => void): void {
    const type = chunk[0];
    if (type === 0x77) {
      // 'w' XLogData: start LSN, WAL end, send time, then the pgoutput message
      onEvent({ kind: 'data', lsn: chunk.readBigUInt64BE(1), payload: chunk.subarray(25) });
    } else if (type === 0x6b) {
      // 'k' primary keepalive
      const replyRequested = chunk[17] === 1;
      if (replyRequested) this.sendStatus(false);
      onEvent({ kind: 'keepalive', walEnd: chunk.readBigUInt64BE(1), replyRequested });
    }
  }

  /** Moves the flush position reported to the server (it becomes the slot's confirmed_flush_lsn). */
  confirm(lsn: Lsn): void {
    if (lsn <= this.confirmed) return;
    this.confirmed = lsn;
    this.sendStatus(false);
  }

  /** A status update asking for an immediate keepalive, which tells how far the server has sent the WAL. */
  ping(): void {
    this.sendStatus(true);
  }

  get confirmedLsn(): Lsn {
    return this.confirmed;
  }

  /** Backpressure: stop reading the socket (the server then stops sending) and start again. */
  pause(): void {
    this.stream?.pause();
  }
  resume(): void {
    this.stream?.resume();
  }

  async close(): Promise<void> {
    this.stopTimer();
    this.streaming = false;
    // A connection in CopyBoth mode does not end politely while the server streams; cut the socket
    // (the server notices at once and releases the slot).
    const ended = this.client.end().catch(() => {});
    (this.stream ?? this.client.connection.stream).destroy();
    await Promise.race([ended, new Promise((r) => setTimeout(r, 1000).unref())]);
  }

  /** Standby status update 'r': write = flush = apply = the confirmed LSN. */
  private sendStatus(replyRequested: boolean): void {
    if (!this.streaming) return;
    const b = Buffer.alloc(34);
    b[0] = 0x72;
    b.writeBigUInt64BE(this.confirmed, 1);
    b.writeBigUInt64BE(this.confirmed, 9);
    b.writeBigUInt64BE(this.confirmed, 17);
    b.writeBigInt64BE(BigInt(Date.now()) * 1000n - PG_EPOCH_US, 25);
    b[33] = replyRequested ? 1 : 0;
    // A CopyData message ('d', length, payload); a write to a closing socket fails through start().
    const header = Buffer.alloc(5);
    header[0] = 0x64;
    header.writeInt32BE(4 + b.length, 1);
    if (this.stream && !this.stream.destroyed) this.stream.write(Buffer.concat([header, b]));
  }

  private stopTimer(): void {
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.statusTimer = null;
  }
}
