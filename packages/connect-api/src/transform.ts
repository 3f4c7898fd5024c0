import type { ConfigDef } from './config.js';
import type { ConnectRecord } from './records.js';

/**
 * A single-message transform. `configure` is called once with the keys under `transforms.<alias>.`
 * (prefix removed); then `apply` for each record, one at a time. Returning null drops the record.
 * Throwing a DataError sends the record to the error handler. `close` is called when the task stops.
 */
export interface Transformation {
  config(): ConfigDef;
  configure(config: Record<string, string>): void;
  apply<R extends ConnectRecord>(record: R): R | null;
  close?(): void;
}

/** A condition for applying a transform (`transforms.<alias>.predicate`, optionally `negate`d). */
export interface Predicate {
  config(): ConfigDef;
  configure(config: Record<string, string>): void;
  test(record: ConnectRecord): boolean;
  close?(): void;
}
