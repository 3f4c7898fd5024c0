/**
 * Maps the Kafka client's errors onto Tributary's error family by their codes (never their texts):
 * anything that may pass when the broker is back — connection refused or reset, a timeout, a leader
 * moving, a protocol error Kafka marks retriable, and also a failed TLS handshake or SASL
 * authentication, which an operator fixes without restarting us — becomes a RetriableError, so the
 * runtime keeps trying with backoff and says why. The rest is a ConnectError.
 */
import { ConnectError, RetriableError } from '@tributary/connect-api';

interface ClientError {
  code?: string;
  apiId?: string;
  canRetry?: boolean;
  errors?: unknown[];
  cause?: unknown;
  message?: string;
}

/** The client's codes for failures that are about reaching the cluster, not about the request. */
const TRANSIENT_CODES = new Set(['PLT_KFK_NETWORK', 'PLT_KFK_TIMEOUT', 'PLT_KFK_AUTHENTICATION']);
/** Node's socket and TLS errors (`err.code`). */
const SOCKET_CODES = /^(E[A-Z]+|ERR_SSL_.*|ERR_TLS_.*|UNABLE_TO_.*|SELF_SIGNED_.*|DEPTH_ZERO_.*|CERT_.*)$/;

/** True when `err` (or what it wraps) says the operation may succeed later. */
export function isTransientKafkaError(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 6) return false;
  const e = err as ClientError;
  if (e.code && TRANSIENT_CODES.has(e.code)) return true;
  if (e.code === 'PLT_KFK_PROTOCOL') return e.canRetry === true || e.apiId === 'SASL_AUTHENTICATION_FAILED';
  if (e.code && SOCKET_CODES.test(e.code)) return true;
  if (Array.isArray(e.errors) && e.errors.length > 0) return e.errors.every((x) => isTransientKafkaError(x, depth + 1));
  return e.cause !== undefined && isTransientKafkaError(e.cause, depth + 1);
}

/** The Kafka protocol error name carried by `err` or what it wraps (e.g. `REBALANCE_IN_PROGRESS`). */
export function protocolErrorOf(err: unknown, depth = 0): string | undefined {
  if (!err || typeof err !== 'object' || depth > 6) return undefined;
  const e = err as ClientError;
  if (e.apiId) return e.apiId;
  for (const x of e.errors ?? []) {
    const id = protocolErrorOf(x, depth + 1);
    if (id) return id;
  }
  return protocolErrorOf(e.cause, depth + 1);
}

/**
 * What went wrong, from the innermost errors (the client's outer ones are generic: "metadata failed
 * 3 times"), with the broker's own words where it sent some (e.g. why SASL authentication failed).
 */
export function reasonOf(err: unknown): string {
  const leaves: string[] = [];
  const walk = (e: unknown, depth: number): void => {
    if (!e || typeof e !== 'object' || depth > 6) return;
    const x = e as ClientError & { serverErrorMessage?: string | null };
    const inner = [...(x.errors ?? []), ...(x.cause ? [x.cause] : [])];
    if (inner.length === 0 || depth === 6) {
      const text = [x.message, x.serverErrorMessage].filter(Boolean).join(': ');
      if (text) leaves.push(text);
    }
    for (const i of inner) walk(i, depth + 1);
  };
  walk(err, 0);
  return [...new Set(leaves)].join('; ') || String(err);
}

/** Wraps a client error: RetriableError when transient, else a ConnectError; both keep the cause. */
export function toLogError(err: unknown, what: string, brokers: readonly string[], how?: string): Error {
  if (err instanceof ConnectError) return err;
  const message = `${what} failed (Kafka at ${brokers.join(',')}${how ? `, ${how}` : ''}): ${reasonOf(err)}`;
  return isTransientKafkaError(err)
    ? new RetriableError(message, { code: 'LOG_UNAVAILABLE', cause: err })
    : new ConnectError(message, { code: 'LOG_ERROR', cause: err });
}
