/**
 * The one error family of Tributary. Every error a plugin or the runtime raises on purpose is a
 * {@link ConnectError}: it carries a stable `code` (for programs and dashboards), a `retriable` flag
 * (read by the runtime's retry loop) and an optional `cause`.
 *
 * - {@link RetriableError}: the operation may succeed if tried again (a broker or database that is
 *   briefly away). The runtime retries with backoff; a source `poll()` is simply called again, a sink
 *   `put()` is re-delivered the same batch.
 * - {@link DataError}: one record is bad (does not parse, does not fit its schema). It goes to the
 *   error handler: fail the task, skip, log, or dead-letter queue, per `errors.tolerance`.
 * - {@link ConfigError}: a configuration is invalid; `errors` lists every offending key.
 * - Any other error is fatal: the task goes FAILED with its trace in the status.
 */
export class ConnectError extends Error {
  readonly code: string;
  readonly retriable: boolean;

  constructor(message: string, options: { code?: string; retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? 'CONNECT_ERROR';
    this.retriable = options.retriable ?? false;
  }
}

/** A transient failure: retrying the same operation later may succeed. */
export class RetriableError extends ConnectError {
  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, { code: options.code ?? 'RETRIABLE', retriable: true, cause: options.cause });
  }
}

/** One record (or value) that cannot be converted, transformed or written. */
export class DataError extends ConnectError {
  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, { code: options.code ?? 'DATA_ERROR', retriable: false, cause: options.cause });
  }
}

/** One problem with one configuration key. */
export interface ConfigProblem {
  key: string;
  message: string;
}

/** An invalid configuration. `problems` names every offending key, not only the first. */
export class ConfigError extends ConnectError {
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[] | string, options: { cause?: unknown } = {}) {
    const list = typeof problems === 'string' ? [{ key: '', message: problems }] : problems;
    super(list.map((p) => (p.key ? `${p.key}: ${p.message}` : p.message)).join('; '), {
      code: 'CONFIG_INVALID',
      cause: options.cause,
    });
    this.problems = list;
  }
}

/** True when the runtime should retry what raised `err`. Works for foreign errors that carry `retriable`. */
export function isRetriable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { retriable?: unknown }).retriable === true;
}
