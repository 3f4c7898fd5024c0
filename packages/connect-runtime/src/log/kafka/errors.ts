/**
 * Maps kafkajs errors onto Tributary's error family: anything that may pass when the broker is back
 * (connection refused, request timeout, leader moving, retries exhausted on a retriable cause) becomes
 * a RetriableError, so the runtime's retry loop — not kafkajs — decides how long to keep trying.
 */
import { ConnectError, RetriableError } from '@tributary/connect-api';

const TRANSIENT_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSStaleTopicMetadataAssignment',
  'KafkaJSLockTimeout',
]);

interface KafkaJsLike {
  name?: string;
  message?: string;
  retriable?: boolean;
  type?: string;
  originalError?: unknown;
  cause?: unknown;
}

/** True when `err` (or what it wraps) says the operation may succeed later. */
export function isTransientKafkaError(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as KafkaJsLike;
  if (e.name && TRANSIENT_NAMES.has(e.name)) return true;
  if (e.retriable === true) return true;
  if (e.name === 'KafkaJSNumberOfRetriesExceeded' || e.name === 'KafkaJSNonRetriableError') {
    return isTransientKafkaError(e.originalError ?? e.cause, depth + 1);
  }
  return false;
}

/** Wraps a kafkajs error: RetriableError when transient, else a ConnectError; both keep the cause. */
export function toLogError(err: unknown, what: string, brokers: readonly string[]): Error {
  if (err instanceof ConnectError) return err;
  const message = `${what} failed (Kafka at ${brokers.join(',')}): ${(err as Error)?.message ?? String(err)}`;
  return isTransientKafkaError(err)
    ? new RetriableError(message, { code: 'LOG_UNAVAILABLE', cause: err })
    : new ConnectError(message, { code: 'LOG_ERROR', cause: err });
}
