import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OffsetTracker } from './offset-tracker.js';

const tp = { topic: 't', partition: 0 };
const offsets = (o: number) => new Map([['t:0', { tp, offset: o }]]);

describe('OffsetTracker', () => {
  it('commits only up to the first record not yet acknowledged', () => {
    const t = new OffsetTracker();
    const r = [10, 11, 12, 13].map((o) => t.track('t', 0, o));
    assert.equal(t.pending, 4);
    t.markDone(r[1]!);
    t.markDone(r[3]!); // out of order
    assert.equal(t.committable(offsets(14)).get('t:0')!.offset, 10);
    t.markDone(r[0]!);
    assert.equal(t.committable(offsets(14)).get('t:0')!.offset, 12);
    t.markDone(r[2]!);
    assert.equal(t.committable(offsets(14)).get('t:0')!.offset, 14);
    assert.equal(t.pending, 0);
  });

  it('lets untracked records (filtered, skipped) through: the runtime offset wins when nothing is pending', () => {
    const t = new OffsetTracker();
    t.markDone(t.track('t', 0, 5));
    assert.equal(t.committable(offsets(9)).get('t:0')!.offset, 9);
  });

  it('forgets revoked partitions, ignoring their late acknowledgements', () => {
    const t = new OffsetTracker();
    const a = t.track('t', 0, 1);
    t.track('t', 0, 2);
    t.forget([tp]);
    assert.equal(t.pending, 0);
    t.markDone(a);
    assert.equal(t.pending, 0);
    assert.equal(t.committable(offsets(3)).get('t:0')!.offset, 3);
  });
});
