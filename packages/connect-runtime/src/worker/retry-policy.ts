import { isRetriable } from '@tributary/connect-api';
import type { ErrorHandlingConfig } from '../config/connector-config.js';
import { sleep } from './sleep.js';

/** Time and waiting, replaceable in tests. `sleep` resolves early (without throwing) when `signal` aborts. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now(), sleep };

/** The first delay between two attempts, as Kafka Connect's `RetryWithToleranceOperator`. */
export const RETRY_DELAY_MIN_MS = 300;

/**
 * The largest delay between two attempts of an operation that is retried without limit (the log, a
 * sink's put). The log's own clients retry on a schedule of about a second; a source or sink should
 * resume within seconds of a broker coming back, not after a minute's sleep.
 */
export const UNBOUNDED_RETRY_DELAY_MAX_MS = 10_000;

export interface RetryOptions {
  /** Stops retrying (the last error is thrown) when aborted; the wait in between ends at once. */
  readonly signal?: AbortSignal;
  /** Called before each wait, e.g. to log a warning. `attempt` counts from 0. */
  readonly onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /** A delay to use instead of the backoff for one wait (a sink task's `ctx.timeout(ms)`); undefined → backoff. */
  readonly delayOverride?: () => number | undefined;
}

/**
 * One task's retry policy, built from its connector's parsed `errors.retry.timeout` and
 * `errors.retry.delay.max.ms`; modelled on Kafka Connect's `RetryWithToleranceOperator`.
 *
 * Only retriable failures (`isRetriable(err)`: a RetriableError, or any error with `retriable: true`)
 * are retried; anything else is thrown at once. The delay before retry n (from 0) is
 * 300 ms · 2ⁿ; once that reaches the cap, a random delay between half the cap and the cap, so the
 * tasks of a connector do not retry in step.
 *
 * Two kinds of loop, as in Kafka Connect:
 *
 * - {@link withinTimeout} — the operator stages: converter preparation (the I/O a converter does
 *   before converting, such as a schema registry lookup), for sources and sinks. Retried until
 *   `errors.retry.timeout` has passed since the first attempt: 0 (the default) means no retry, -1
 *   (any negative) forever. The delay is capped at `errors.retry.delay.max.ms` and never runs past
 *   the deadline. When it gives up, the last error is thrown and the caller hands it to the
 *   ErrorHandler, where `errors.tolerance` decides: `all` skips the record (logged, dead-lettered
 *   when a DLQ is set), `none` fails the task. (Kafka 3.9 skips a record whose retries ran out even
 *   with `none`; here `none` never drops a record silently.)
 * - {@link untilSuccess} — what Kafka Connect retries without limit, because a log or system that is
 *   away for a while must not fail the task or lose a record:
 *   - produce: a source batch the log rejects as retriable (broker away, leader moving) is sent again,
 *     the same records in the same order, until the log takes it (Kafka Connect's producer has
 *     `delivery.timeout.ms` = ∞ and its task re-sends synchronous retriable failures forever). A
 *     non-retriable rejection is not retried: with `errors.tolerance=all` the batch's records are
 *     skipped (stage KAFKA_PRODUCE, as Connect's `producerSendFailed`), with `none` the task fails.
 *   - DLQ writes: a dead-letter record is written until the log takes it.
 *   - topic creation (KIP-158): a source's topics are created once the log answers.
 *   - consumer join: a sink joins its group until the log answers (the Java consumer does the same).
 *   - put: a sink's `put()` that throws a RetriableError gets the same batch again, after the task's
 *     `ctx.timeout(ms)` when it set one (used once, as Connect resets it), else after the backoff.
 *   - source poll: a retriable error from `poll()` means poll again, after the backoff
 *     ({@link backoff}; Connect polls again at once).
 *   `errors.retry.timeout` does not bound these (it does not in Kafka Connect either); their delay is
 *   capped at the smaller of `errors.retry.delay.max.ms` (at least 300 ms) and
 *   {@link UNBOUNDED_RETRY_DELAY_MAX_MS}.
 *
 * A stopping task aborts its signal: the wait ends and the last error is thrown, so nothing is
 * acknowledged or committed for the operation; the records are delivered again after a restart.
 */
export class RetryPolicy {
  private readonly retryTimeoutMs: number;
  private readonly delayMaxMs: number;

  constructor(
    config: Pick<ErrorHandlingConfig, 'retryTimeoutMs' | 'retryDelayMaxMs'>,
    private readonly clock: Clock = systemClock,
    private readonly random: () => number = Math.random,
  ) {
    this.retryTimeoutMs = config.retryTimeoutMs;
    this.delayMaxMs = Math.max(0, config.retryDelayMaxMs);
  }

  /** The delay before retry `attempt` (from 0), at most `cap` (default `errors.retry.delay.max.ms`). */
  delay(attempt: number, cap = this.delayMaxMs): number {
    const exp = RETRY_DELAY_MIN_MS * 2 ** Math.min(attempt, 30);
    if (exp < cap) return exp;
    return Math.floor(cap / 2 + this.random() * (cap / 2));
  }

  /** The backoff of the unlimited loops. */
  unboundedDelay(attempt: number): number {
    return this.delay(attempt, Math.min(Math.max(this.delayMaxMs, RETRY_DELAY_MIN_MS), UNBOUNDED_RETRY_DELAY_MAX_MS));
  }

  /** Waits the backoff of the unlimited loops before attempt `attempt` + 1; resolves to the delay. */
  async backoff(attempt: number, signal?: AbortSignal): Promise<number> {
    const ms = this.unboundedDelay(attempt);
    await this.clock.sleep(ms, signal);
    return ms;
  }

  /** Runs `op`, retrying retriable failures until `errors.retry.timeout` has passed (see the class doc). */
  async withinTimeout<T>(op: () => T | Promise<T>, opts: RetryOptions = {}): Promise<T> {
    const start = this.clock.now();
    const deadline = this.retryTimeoutMs < 0 ? Infinity : start + this.retryTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await op();
      } catch (err) {
        const now = this.clock.now();
        if (!isRetriable(err) || opts.signal?.aborted || now >= deadline) throw err;
        const wait = Math.min(this.delay(attempt), deadline - now);
        opts.onRetry?.(err, attempt, wait);
        await this.clock.sleep(wait, opts.signal);
        if (opts.signal?.aborted) throw err;
      }
    }
  }

  /** Runs `op`, retrying retriable failures until it succeeds or `signal` aborts (see the class doc). */
  async untilSuccess<T>(op: () => T | Promise<T>, opts: RetryOptions = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await op();
      } catch (err) {
        if (!isRetriable(err) || opts.signal?.aborted) throw err;
        const wait = opts.delayOverride?.() ?? this.unboundedDelay(attempt);
        opts.onRetry?.(err, attempt, wait);
        await this.clock.sleep(wait, opts.signal);
        if (opts.signal?.aborted) throw err;
      }
    }
  }
}
