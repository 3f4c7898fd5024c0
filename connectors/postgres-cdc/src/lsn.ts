/**
 * Log sequence numbers. PostgreSQL prints them as `X/Y` (two hex words); Debezium stores them as one
 * long. We keep them as bigint internally and as a JS number in offsets (exact below 2^53 bytes of
 * WAL, i.e. 8 PiB), so stored offsets have the same shape as Debezium's.
 */
export type Lsn = bigint;

export function parseLsn(text: string): Lsn {
  const m = /^([0-9A-Fa-f]+)\/([0-9A-Fa-f]+)$/.exec(text.trim());
  if (!m) throw new Error(`Not an LSN: ${text}`);
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

export function formatLsn(lsn: Lsn): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** An LSN from an offset value (number, numeric string or `X/Y`), or null. */
export function lsnFromOffset(v: unknown): Lsn | null {
  if (typeof v === 'number' && Number.isFinite(v)) return BigInt(v);
  if (typeof v === 'string' && /^\d+$/.test(v)) return BigInt(v);
  if (typeof v === 'string' && v.includes('/')) return parseLsn(v);
  return null;
}

/** Microseconds between 1970-01-01 and 2000-01-01, PostgreSQL's epoch. */
export const PG_EPOCH_US = 946_684_800_000_000n;
