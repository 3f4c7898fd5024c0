import type { Lsn } from './lsn.js';

/** Where a Debezium-written offset says the connector was: its `lsn_commit`, `lsn_proc` and `messageType`. */
export interface DebeziumPosition {
  /** `lsn_commit`: the last commit whose events were all stored (null when unknown). */
  readonly lastCommit: Lsn | null;
  /** `lsn_proc` (or `lsn`): the last event stored; streaming is requested from here. */
  readonly lastEvent: Lsn;
  /** `messageType`: the operation of that event (INSERT, UPDATE, DELETE, TRUNCATE, BEGIN, COMMIT, …). */
  readonly messageType: string | null;
}

export type Resume = 'here' | 'transaction';

/**
 * Finds where to resume after an offset Debezium stored, as Debezium's WalPositionLocator does: PostgreSQL
 * re-sends every transaction that commits after the requested LSN, so the messages up to the last stored
 * event are passed over and streaming resumes at the message after it. A transaction whose commit lies
 * beyond the stored commit but which does not hold the stored event is taken whole. Fed every message in
 * order; says `here` (resume at this message) or `transaction` (at the BEGIN of the current transaction)
 * once it knows, null before.
 */
export class WalLocator {
  private txStart: Lsn | null = null;
  private afterLastEvent = false;
  private first = true;

  constructor(private readonly at: DebeziumPosition) {}

  feed(lsn: Lsn, kind: 'begin' | 'commit' | 'change'): Resume | null {
    const first = this.first;
    this.first = false;
    if (this.afterLastEvent) {
      if (lsn === this.at.lastEvent) {
        // BEGIN and its first change share an LSN: when the stored event was a BEGIN or a COMMIT, that
        // change was not processed yet, so the transaction is taken from its start.
        const boundary =
          this.at.messageType === null || this.at.messageType === 'BEGIN' || this.at.messageType === 'COMMIT';
        return this.txStart !== null && boundary ? 'transaction' : null;
      }
      return 'here';
    }
    if (lsn === this.at.lastEvent) this.afterLastEvent = true;
    if (this.at.lastCommit === null) return first ? 'here' : null;
    if (kind === 'begin') this.txStart = lsn;
    else if (kind === 'commit' && lsn > this.at.lastCommit) return 'transaction';
    return null;
  }
}
