/** Options of {@link openEmbeddedLog}, their defaults and their validation. */
import { ConfigError, type ConfigProblem, type Logger } from '@tributary/connect-api';

export interface EmbeddedLogOptions {
  /** The data directory (created when missing, unless read-only). */
  readonly dir: string;
  /**
   * Open without the lock, never write, never truncate: for a command-line consumer reading while a
   * worker writes. Appends by the writing process are picked up every `tailIntervalMs`.
   */
  readonly readOnly?: boolean;
  /** Partitions of auto-created topics and of `createTopics` specs without a count. Default 1. */
  readonly defaultPartitions?: number;
  /** A segment rolls once it would grow past this. Default 64 MiB. */
  readonly segmentBytes?: number;
  /**
   * Per partition; -1 = unlimited (default). Whole old segments are deleted, never the active one.
   * A topic's own `retention.bytes` / `retention.ms` configs override these two.
   */
  readonly retentionBytes?: number;
  /** Segments whose newest record is older are deleted; -1 = forever. Default 7 days. */
  readonly retentionMs?: number;
  /** fsync appended data this often; 0 = before acking every write. Default 1000. */
  readonly flushIntervalMs?: number;
  /** How often retention runs (it also runs on every roll). Default 5 minutes, as Kafka. */
  readonly retentionCheckIntervalMs?: number;
  /** Read-only mode: how often to look for the writer's appends. Default 100. */
  readonly tailIntervalMs?: number;
  /** A pino-like logger; default: pino at level warn on stderr. */
  readonly logger?: Logger;
}

export type ResolvedOptions = Required<Omit<EmbeddedLogOptions, 'logger'>>;

export const DEFAULTS = {
  readOnly: false,
  defaultPartitions: 1,
  segmentBytes: 64 * 1024 * 1024,
  retentionBytes: -1,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  flushIntervalMs: 1000,
  retentionCheckIntervalMs: 5 * 60 * 1000,
  tailIntervalMs: 100,
} as const;

export function resolveOptions(options: EmbeddedLogOptions): ResolvedOptions {
  const r: ResolvedOptions = {
    dir: options.dir,
    readOnly: options.readOnly ?? DEFAULTS.readOnly,
    defaultPartitions: options.defaultPartitions ?? DEFAULTS.defaultPartitions,
    segmentBytes: options.segmentBytes ?? DEFAULTS.segmentBytes,
    retentionBytes: options.retentionBytes ?? DEFAULTS.retentionBytes,
    retentionMs: options.retentionMs ?? DEFAULTS.retentionMs,
    flushIntervalMs: options.flushIntervalMs ?? DEFAULTS.flushIntervalMs,
    retentionCheckIntervalMs: options.retentionCheckIntervalMs ?? DEFAULTS.retentionCheckIntervalMs,
    tailIntervalMs: options.tailIntervalMs ?? DEFAULTS.tailIntervalMs,
  };
  const problems: ConfigProblem[] = [];
  const check = (key: keyof ResolvedOptions, ok: boolean, message: string): void => {
    if (!ok) problems.push({ key, message: `${message}, got ${String(r[key])}` });
  };
  const int = (n: number): boolean => Number.isSafeInteger(n);
  check('dir', typeof r.dir === 'string' && r.dir.length > 0, 'must be a directory path');
  check('defaultPartitions', int(r.defaultPartitions) && r.defaultPartitions >= 1, 'must be an integer ≥ 1');
  check('segmentBytes', int(r.segmentBytes) && r.segmentBytes >= 1024, 'must be an integer ≥ 1024');
  check('retentionBytes', int(r.retentionBytes) && r.retentionBytes >= -1, 'must be an integer ≥ -1');
  check('retentionMs', int(r.retentionMs) && r.retentionMs >= -1, 'must be an integer ≥ -1');
  check('flushIntervalMs', int(r.flushIntervalMs) && r.flushIntervalMs >= 0, 'must be an integer ≥ 0');
  const positive = (n: number): boolean => int(n) && n >= 1;
  check('retentionCheckIntervalMs', positive(r.retentionCheckIntervalMs), 'must be an integer ≥ 1');
  check('tailIntervalMs', positive(r.tailIntervalMs), 'must be an integer ≥ 1');
  if (problems.length > 0) throw new ConfigError(problems);
  return r;
}
