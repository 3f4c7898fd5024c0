import type { SinkSettings } from './config.js';

/**
 * When to try a failed request again. Waits are Confluent's full jitter: random in
 * [0, retry.backoff.ms · 2^attempt], here capped by errors.retry.delay.max.ms so that a long outage
 * is probed often enough to notice its end. Confluent gives up after max.retries; we also keep
 * going while errors.retry.timeout (-1 = forever) has not passed since the first failure, so a
 * task can ride out an Elasticsearch restart and stay RUNNING meanwhile.
 */
export class RetryPolicy {
  constructor(
    private readonly s: Pick<SinkSettings, 'maxRetries' | 'retryBackoffMs' | 'retryTimeoutMs' | 'retryDelayMaxMs'>,
    private readonly random: () => number = Math.random,
  ) {}

  /** The wait before retry number `attempt` (1-based), or null to give up. */
  nextDelay(attempt: number, firstFailureAt: number, now = Date.now()): number | null {
    const withinRetries = attempt <= this.s.maxRetries;
    const withinTimeout = this.s.retryTimeoutMs < 0 || now - firstFailureAt < this.s.retryTimeoutMs;
    if (!withinRetries && !withinTimeout) return null;
    const ceiling = Math.min(
      this.s.retryBackoffMs * 2 ** Math.min(attempt, 30),
      Math.max(this.s.retryDelayMaxMs, this.s.retryBackoffMs),
    );
    let delay = Math.round(this.random() * ceiling);
    // Never sleep past the deadline by much: the last retry happens just before it.
    if (!withinRetries && this.s.retryTimeoutMs >= 0)
      delay = Math.min(delay, Math.max(0, firstFailureAt + this.s.retryTimeoutMs - now));
    return delay;
  }
}
