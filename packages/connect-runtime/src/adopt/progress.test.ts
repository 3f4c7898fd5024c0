import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { activityOf, advanced, progressVerdict } from './progress.js';

const at = (position: number, file = '/in.txt') => ({
  offsets: [{ partition: { filename: file }, offset: { position } }],
});

describe('records moving', () => {
  it('offsets advanced when a partition has a new offset or a new partition appears, in any order', () => {
    assert.equal(advanced(at(1), at(1)), false);
    assert.equal(advanced(at(1), at(2)), true);
    assert.equal(advanced({ offsets: [] }, at(0)), true);
    const two = { offsets: [...at(1, '/a').offsets, ...at(2, '/b').offsets] };
    assert.equal(advanced(two, { offsets: [...two.offsets].reverse() }), false);
    const keysSwapped = { offsets: [{ partition: { b: 1, a: 2 }, offset: { y: 1, x: 2 } }] };
    assert.equal(advanced({ offsets: [{ partition: { a: 2, b: 1 }, offset: { x: 2, y: 1 } }] }, keysSwapped), false);
  });

  it('a connector is moving when its offsets changed while it ran or across the stop, idle when not', () => {
    assert.equal(activityOf([at(1), at(5)], at(5)), 'moving', 'committed after each batch: moved while running');
    assert.equal(activityOf([at(1), at(1)], at(5)), 'moving', 'committed at the stop (flush interval not reached)');
    assert.equal(activityOf([at(5), at(5)], at(5)), 'idle');
    assert.equal(activityOf([], at(5)), 'unknown', 'stopped before this run');
  });

  it('a moving connector must advance in the target; an idle or unknown one is reported, not failed', () => {
    assert.equal(progressVerdict('moving', true), 'ok');
    assert.equal(progressVerdict('moving', false), 'stalled');
    assert.equal(progressVerdict('idle', false), 'idle');
    assert.equal(progressVerdict('unknown', false), 'idle');
    assert.equal(progressVerdict('idle', true), 'ok');
  });
});
