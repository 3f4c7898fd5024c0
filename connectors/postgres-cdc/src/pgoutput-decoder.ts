import type { Lsn } from './lsn.js';
import { PG_EPOCH_US } from './lsn.js';

/** One column of a Relation message. */
export interface RelationColumn {
  readonly name: string;
  /** Bit 1: part of the replica identity (every column under REPLICA IDENTITY FULL). */
  readonly flags: number;
  readonly typeOid: number;
  readonly typeMod: number;
}

export interface RelationMessage {
  readonly tag: 'relation';
  readonly relationOid: number;
  readonly schema: string;
  readonly name: string;
  /** d (default), n (nothing), f (full), i (index). */
  readonly replicaIdentity: string;
  readonly columns: readonly RelationColumn[];
}

/** A tuple as sent: text per column, null for SQL NULL, `UNCHANGED_TOAST` for an unchanged TOASTed value. */
export type TupleData = Array<string | null | typeof UNCHANGED_TOAST>;
export const UNCHANGED_TOAST: unique symbol = Symbol('unchanged-toast');

export type PgoutputMessage =
  | { tag: 'begin'; finalLsn: Lsn; commitTimeUs: bigint; xid: number }
  | { tag: 'commit'; commitLsn: Lsn; endLsn: Lsn; commitTimeUs: bigint }
  | { tag: 'origin'; originLsn: Lsn; name: string }
  | RelationMessage
  | { tag: 'type'; typeOid: number; schema: string; name: string }
  | { tag: 'insert'; relationOid: number; newTuple: TupleData }
  | { tag: 'update'; relationOid: number; keyTuple: TupleData | null; oldTuple: TupleData | null; newTuple: TupleData }
  | { tag: 'delete'; relationOid: number; keyTuple: TupleData | null; oldTuple: TupleData | null }
  | { tag: 'truncate'; options: number; relationOids: number[] }
  | { tag: 'message'; transactional: boolean; lsn: Lsn; prefix: string; content: Uint8Array };

/**
 * Decodes one pgoutput message (protocol version 1, text values). Values stay text: the type
 * mapping converts them by type OID, so no global `pg` type parser is ever involved.
 * Times are returned as microseconds since the Unix epoch.
 */
export function decodePgoutput(buf: Buffer): PgoutputMessage {
  const r = new Reader(buf);
  const tag = String.fromCharCode(r.u8());
  switch (tag) {
    case 'B':
      return { tag: 'begin', finalLsn: r.u64(), commitTimeUs: r.i64() + PG_EPOCH_US, xid: r.u32() };
    case 'C': {
      r.u8();
      return { tag: 'commit', commitLsn: r.u64(), endLsn: r.u64(), commitTimeUs: r.i64() + PG_EPOCH_US };
    }
    case 'O':
      return { tag: 'origin', originLsn: r.u64(), name: r.cstr() };
    case 'R': {
      const relationOid = r.u32();
      const schema = r.cstr();
      const name = r.cstr();
      const replicaIdentity = String.fromCharCode(r.u8());
      const n = r.u16();
      const columns: RelationColumn[] = [];
      for (let i = 0; i < n; i++) columns.push({ flags: r.u8(), name: r.cstr(), typeOid: r.u32(), typeMod: r.i32() });
      return {
        tag: 'relation',
        relationOid,
        schema: schema === '' ? 'pg_catalog' : schema,
        name,
        replicaIdentity,
        columns,
      };
    }
    case 'Y':
      return { tag: 'type', typeOid: r.u32(), schema: r.cstr(), name: r.cstr() };
    case 'I': {
      const relationOid = r.u32();
      r.expect('N');
      return { tag: 'insert', relationOid, newTuple: r.tuple() };
    }
    case 'U': {
      const relationOid = r.u32();
      let keyTuple: TupleData | null = null,
        oldTuple: TupleData | null = null;
      let kind = String.fromCharCode(r.u8());
      if (kind === 'K') {
        keyTuple = r.tuple();
        kind = String.fromCharCode(r.u8());
      } else if (kind === 'O') {
        oldTuple = r.tuple();
        kind = String.fromCharCode(r.u8());
      }
      if (kind !== 'N') throw new Error(`pgoutput: unexpected tuple kind ${kind} in Update`);
      return { tag: 'update', relationOid, keyTuple, oldTuple, newTuple: r.tuple() };
    }
    case 'D': {
      const relationOid = r.u32();
      const kind = String.fromCharCode(r.u8());
      const t = r.tuple();
      return { tag: 'delete', relationOid, keyTuple: kind === 'K' ? t : null, oldTuple: kind === 'O' ? t : null };
    }
    case 'T': {
      const n = r.u32();
      const options = r.u8();
      const relationOids: number[] = [];
      for (let i = 0; i < n; i++) relationOids.push(r.u32());
      return { tag: 'truncate', options, relationOids };
    }
    case 'M': {
      const flags = r.u8();
      const lsn = r.u64();
      const prefix = r.cstr();
      const len = r.u32();
      return { tag: 'message', transactional: (flags & 1) === 1, lsn, prefix, content: r.bytes(len) };
    }
    default:
      throw new Error(
        `pgoutput: unsupported message '${tag}' (streamed or two-phase transactions are not requested by this connector)`,
      );
  }
}

class Reader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}
  u8(): number {
    return this.buf.readUInt8(this.pos++);
  }
  u16(): number {
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  i32(): number {
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  i64(): bigint {
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  bytes(n: number): Uint8Array {
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  cstr(): string {
    const end = this.buf.indexOf(0, this.pos);
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }
  expect(kind: string): void {
    const k = String.fromCharCode(this.u8());
    if (k !== kind) throw new Error(`pgoutput: expected tuple kind ${kind}, got ${k}`);
  }
  tuple(): TupleData {
    const n = this.u16();
    const out: TupleData = new Array(n);
    for (let i = 0; i < n; i++) {
      const kind = this.u8();
      if (kind === 0x6e)
        out[i] = null; // n
      else if (kind === 0x75)
        out[i] = UNCHANGED_TOAST; // u
      else if (kind === 0x74) {
        const len = this.u32();
        out[i] = this.buf.toString('utf8', this.pos, this.pos + len);
        this.pos += len;
      } // t
      else
        throw new Error(
          `pgoutput: unsupported column kind ${String.fromCharCode(kind)} (binary mode is not requested)`,
        );
    }
    return out;
  }
}
