import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RetryPolicy } from './retry.js';

describe('RetryPolicy', () => {
  const base = { maxRetries: 2, retryBackoffMs: 100, retryDelayMaxMs: 1000 };
  it('gives up after max.retries when errors.retry.timeout is 0 (Confluent behaviour)', () => {
    const p = new RetryPolicy({ ...base, retryTimeoutMs: 0 }, () => 1);
    assert.equal(p.nextDelay(1, 0, 0), 200);
    assert.equal(p.nextDelay(2, 0, 0), 400);
    assert.equal(p.nextDelay(3, 0, 0), null);
  });
  it('keeps retrying until errors.retry.timeout, with the wait capped by errors.retry.delay.max.ms', () => {
    const p = new RetryPolicy({ ...base, retryTimeoutMs: 30_000 }, () => 1);
    assert.equal(p.nextDelay(10, 0, 10_000), 1000);
    assert.equal(p.nextDelay(10, 0, 29_500), 500); // not past the deadline
    assert.equal(p.nextDelay(10, 0, 30_000), null);
    assert.equal(new RetryPolicy({ ...base, retryTimeoutMs: -1 }, () => 1).nextDelay(1000, 0, 1e12), 1000);
  });
});
