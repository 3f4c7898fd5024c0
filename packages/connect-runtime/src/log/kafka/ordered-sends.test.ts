import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RetriableError } from '@tributary/connect-api';
import { OrderedSends } from './ordered-sends.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

/** A fake log: records what each request carried; acks are the items doubled. */
function fakeLog<T>() {
  const requests: T[][] = [];
  let inFlight = 0;
  let up = true;
  return {
    requests,
    setUp(v: boolean) { up = v; },
    send: async (xs: readonly T[]): Promise<string[]> => {
      assert.equal(++inFlight, 1, 'never two requests at once');
      await tick();
      inFlight--;
      if (!up) throw new RetriableError('broker away');
      requests.push([...xs]);
      return xs.map((x) => `ack:${String(x)}`);
    },
  };
}

describe('OrderedSends', () => {
  it('sends in call order, merging batches that queued behind a request in flight', async () => {
    const log = fakeLog<number>();
    const order = new OrderedSends(log.send);
    const acks = await Promise.all([order.run([1]), order.run([2, 3]), order.run([4])]);
    assert.deepEqual(acks, [['ack:1'], ['ack:2', 'ack:3'], ['ack:4']], 'each caller gets the acks of its own items');
    assert.deepEqual(log.requests, [[1], [2, 3, 4]]);
  });

  it('caps a merged request at maxItems', async () => {
    const log = fakeLog<number>();
    const order = new OrderedSends(log.send, { maxItems: 2 });
    await Promise.all([order.run([1]), order.run([2]), order.run([3]), order.run([4])]);
    assert.deepEqual(log.requests, [[1], [2, 3], [4]]);
  });

  it('fails the batches behind a failed one, and keeps them behind its retry', async () => {
    const log = fakeLog<string>();
    const order = new OrderedSends(log.send);
    log.setUp(false);
    const a = ['a'];
    const b = ['b'];
    const pa = order.run(a);
    const pb = order.run(b);
    await assert.rejects(pa, RetriableError);
    await assert.rejects(pb, RetriableError, 'b was not sent while a waits for its retry');
    log.setUp(true);
    // The runtime retries b first (its backoff ran out sooner): it must wait for a's retry.
    const rb = order.run(b);
    await tick();
    await tick();
    assert.deepEqual(log.requests, [], 'b waits for a');
    await order.run(a);
    await rb;
    assert.deepEqual(log.requests.flat(), ['a', 'b']);
  });

  it('stops holding later batches for a batch that is never retried', async () => {
    const log = fakeLog<string>();
    const order = new OrderedSends(log.send, { maxWaitMs: 50 });
    log.setUp(false);
    await assert.rejects(order.run(['lost']));
    log.setUp(true);
    const next = ['next'];
    await assert.rejects(order.run(next), /not retried in time/);
    await order.run(next);
    assert.deepEqual(log.requests, [['next']]);
  });

  it('fails waiting batches on close', async () => {
    let release!: () => void;
    const order = new OrderedSends<number, number>((xs) => new Promise((r) => { release = () => r(xs.map(() => 0)); }));
    const first = order.run([1]);
    const second = order.run([2]);
    order.close();
    await assert.rejects(second, /closed/);
    release();
    await first;
    await assert.rejects(order.run([3]), /closed/);
  });
});
