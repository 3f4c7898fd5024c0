import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, DataError, RetriableError } from '@tributary/connect-api';
import { errorHandlingConfig } from '../config/connector-config.js';
import { RetryPolicy, UNBOUNDED_RETRY_DELAY_MAX_MS } from './retry-policy.js';
import { FakeClock } from './test-support.js';

/** An operation that throws `n` retriable errors, then returns 'ok'. */
function failing(n: number, err: () => Error = () => new RetriableError('away')) {
  const op = async () => {
    op.calls++;
    if (op.calls <= n) throw err();
    return 'ok';
  };
  op.calls = 0;
  return op;
}

function policy(retryTimeoutMs: number, retryDelayMaxMs = 60_000, clock = new FakeClock(), random = () => 0.5) {
  return { clock, p: new RetryPolicy({ retryTimeoutMs, retryDelayMaxMs }, clock, random) };
}

describe('RetryPolicy', () => {
  it('backs off from 300 ms, doubling, then a jittered delay between half the cap and the cap', () => {
    const { p } = policy(-1, 5000, new FakeClock(), () => 0.999);
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((a) => p.delay(a)),
      [300, 600, 1200, 2400, 4800],
    );
    const jittered = new RetryPolicy({ retryTimeoutMs: -1, retryDelayMaxMs: 5000 }, new FakeClock(), () => 0);
    assert.equal(jittered.delay(5), 2500);
    assert.equal(p.delay(5), 4997);
    assert.equal(p.delay(40), 4997);
  });

  it('errors.retry.timeout=0 (the default) does not retry', async () => {
    const { p, clock } = policy(0);
    const op = failing(1);
    await assert.rejects(p.withinTimeout(op), RetriableError);
    assert.equal(op.calls, 1);
    assert.deepEqual(clock.waits, []);
  });

  it('retries until errors.retry.timeout has passed, never waiting past it, then throws the last error', async () => {
    const { p, clock } = policy(2000);
    const op = failing(100);
    await assert.rejects(p.withinTimeout(op), RetriableError);
    assert.deepEqual(clock.waits, [300, 600, 1100]);
    assert.equal(op.calls, 4);
  });

  it('caps each delay at errors.retry.delay.max.ms', async () => {
    const { p, clock } = policy(10_000, 1000);
    await assert.rejects(p.withinTimeout(failing(100)));
    assert.ok(
      clock.waits.every((w) => w <= 1000),
      String(clock.waits),
    );
    assert.equal(
      clock.waits.reduce((a, b) => a + b, 0),
      10_000,
    );
  });

  it('errors.retry.timeout=-1 retries until the operation succeeds', async () => {
    const { p } = policy(-1);
    const op = failing(40);
    assert.equal(await p.withinTimeout(op), 'ok');
    assert.equal(op.calls, 41);
  });

  it('does not retry an error that is not retriable', async () => {
    for (const run of [
      (p: RetryPolicy, op: () => Promise<string>) => p.withinTimeout(op),
      (p: RetryPolicy, op: () => Promise<string>) => p.untilSuccess(op),
    ]) {
      const { p } = policy(-1);
      const op = failing(1, () => new DataError('bad'));
      await assert.rejects(run(p, op), DataError);
      assert.equal(op.calls, 1);
    }
  });

  it('gives up with the last error when the task stops', async () => {
    const { p } = policy(-1);
    const ac = new AbortController();
    const op = async () => {
      ac.abort();
      throw new RetriableError('away');
    };
    await assert.rejects(p.untilSuccess(op, { signal: ac.signal }), RetriableError);
    await assert.rejects(p.withinTimeout(op, { signal: ac.signal }), RetriableError);
  });

  it('untilSuccess ignores errors.retry.timeout and caps its delay at 10 s', async () => {
    const { p, clock } = policy(0);
    const op = failing(12);
    assert.equal(await p.untilSuccess(op), 'ok');
    assert.equal(op.calls, 13);
    assert.ok(
      clock.waits.every((w) => w <= UNBOUNDED_RETRY_DELAY_MAX_MS),
      String(clock.waits),
    );
    assert.equal(clock.waits.at(-1), UNBOUNDED_RETRY_DELAY_MAX_MS * 0.75);
  });

  it('untilSuccess uses a delay override when one is given', async () => {
    const { p, clock } = policy(0);
    let once: number | undefined = 1234;
    await p.untilSuccess(failing(2), {
      delayOverride: () => {
        const v = once;
        once = undefined;
        return v;
      },
    });
    assert.deepEqual(clock.waits, [1234, 600]);
  });
});

describe('errorHandlingConfig', () => {
  it('parses through the declarations: any case, defaults, booleans', () => {
    const c = errorHandlingConfig({
      'errors.tolerance': 'ALL',
      'errors.log.enable': 'TRUE',
      'errors.retry.timeout': '-1',
    });
    assert.equal(c.toleranceAll, true);
    assert.equal(c.logEnable, true);
    assert.equal(c.retryTimeoutMs, -1);
    assert.equal(c.retryDelayMaxMs, 60_000);
    assert.equal(c.dlqTopic, '');
    const d = errorHandlingConfig({});
    assert.equal(d.toleranceAll, false);
    assert.equal(d.retryTimeoutMs, 0);
  });

  it('names a bad key', () => {
    assert.throws(
      () => errorHandlingConfig({ 'errors.retry.timeout': 'soon' }),
      (e: unknown) => e instanceof ConfigError && e.problems[0]!.key === 'errors.retry.timeout',
    );
  });
});
