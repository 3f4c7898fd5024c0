import { ConnectError } from '@tributary/connect-api';

/** Where a signal came from (`signal.enabled.channels`). */
export type SignalChannel = 'source' | 'kafka' | 'rest';

/** A signal as Debezium defines its rows: an id, a type and JSON `data` (or null). */
export interface Signal {
  readonly id: string;
  readonly type: string;
  readonly data: string | null;
  readonly channel: SignalChannel;
}

/** Signal types we act on; the window types are the incremental snapshot's own watermarks. */
export const SIGNAL_TYPES = ['execute-snapshot', 'stop-snapshot', 'pause-snapshot', 'resume-snapshot', 'log'] as const;
export const WINDOW_OPEN = 'snapshot-window-open';
export const WINDOW_CLOSE = 'snapshot-window-close';

/** The data of `execute-snapshot` (and, with `type` only, of `stop-snapshot`), in Debezium's keys. */
export interface SnapshotRequest {
  readonly dataCollections: string[];
  readonly type: 'incremental' | 'blocking';
  /** Per data-collection pattern, a SQL condition (`additional-conditions`). */
  readonly conditions: Array<{ dataCollection: string; filter: string }>;
  readonly surrogateKey: string | null;
}

/** A signal we refuse: logged and notified, never fatal. */
export class SignalError extends ConnectError {
  constructor(message: string) {
    super(message, { code: 'PG_BAD_SIGNAL' });
  }
}

/** Checks a signal's type and data as far as that needs no database, so a REST caller hears of a mistake at once. */
export function checkSignal(s: Pick<Signal, 'type' | 'data'>): SnapshotRequest | { message: string } | null {
  if (s.type === WINDOW_OPEN || s.type === WINDOW_CLOSE) return null;
  if (!(SIGNAL_TYPES as readonly string[]).includes(s.type))
    throw new SignalError(`Unknown signal type "${s.type}": expected one of ${SIGNAL_TYPES.join(', ')}`);
  if (s.type === 'pause-snapshot' || s.type === 'resume-snapshot') return null;
  const data = parseData(s.data);
  if (s.type === 'log') {
    if (typeof data.message !== 'string') throw new SignalError('A "log" signal needs data {"message": "…"}');
    return { message: data.message };
  }
  return snapshotRequest(s.type, data);
}

function parseData(raw: string | null): Record<string, unknown> {
  if (raw === null || raw.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (e) {
    throw new SignalError(`Signal data is not JSON: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new SignalError('Signal data must be a JSON object');
  return v as Record<string, unknown>;
}

function snapshotRequest(type: string, d: Record<string, unknown>): SnapshotRequest {
  const collections = d['data-collections'];
  const stop = type === 'stop-snapshot';
  if (collections !== undefined && collections !== null) {
    if (!Array.isArray(collections) || collections.some((c) => typeof c !== 'string' || c.trim() === ''))
      throw new SignalError('"data-collections" must be an array of table names or regular expressions');
  } else if (!stop) throw new SignalError('An execute-snapshot signal needs "data-collections"');
  const dataCollections = ((collections as string[] | undefined) ?? []).map((c) => c.trim());
  if (!stop && dataCollections.length === 0) throw new SignalError('"data-collections" is empty');
  for (const c of dataCollections) {
    try {
      new RegExp(c);
    } catch (e) {
      throw new SignalError(`"${c}" in data-collections is not a regular expression: ${(e as Error).message}`);
    }
  }
  const kind = String(d.type ?? 'incremental').toLowerCase();
  if (kind !== 'incremental' && kind !== 'blocking')
    throw new SignalError(`Snapshot type "${String(d.type)}" is not supported: use incremental or blocking`);
  if (stop && kind !== 'incremental') throw new SignalError('Only an incremental snapshot can be stopped');
  const conditions: SnapshotRequest['conditions'] = [];
  const extra = d['additional-conditions'];
  if (extra !== undefined && extra !== null) {
    if (!Array.isArray(extra)) throw new SignalError('"additional-conditions" must be an array');
    for (const c of extra as unknown[]) {
      const o = c as Record<string, unknown> | null;
      if (typeof o?.['data-collection'] !== 'string' || typeof o.filter !== 'string')
        throw new SignalError('Each additional condition needs "data-collection" and "filter" strings');
      conditions.push({ dataCollection: o['data-collection'], filter: o.filter });
    }
  }
  // Debezium 1.x/2.0: one condition for every table.
  if (typeof d['additional-condition'] === 'string' && d['additional-condition'].trim() !== '')
    for (const c of dataCollections) conditions.push({ dataCollection: c, filter: d['additional-condition'] });
  const surrogate = d['surrogate-key'];
  if (surrogate !== undefined && surrogate !== null && typeof surrogate !== 'string')
    throw new SignalError('"surrogate-key" must be a column name');
  return {
    dataCollections,
    type: kind,
    conditions,
    surrogateKey: typeof surrogate === 'string' && surrogate !== '' ? surrogate : null,
  };
}
