import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assignRange } from './range-assignor.js';

const show = (m: Map<string, Array<{ topic: string; partition: number }>>) =>
  Object.fromEntries([...m].map(([id, tps]) => [id, tps.map((tp) => `${tp.topic}-${tp.partition}`)]));

describe('range assignor', () => {
  it('gives contiguous ranges per topic, the first members one more (as Kafka)', () => {
    const members = [
      { memberId: 'm1', topics: ['t'] },
      { memberId: 'm2', topics: ['t', 'u'] },
      { memberId: 'm3', topics: ['t'] },
    ];
    const counts = new Map([
      ['t', 5],
      ['u', 2],
    ]);
    assert.deepEqual(show(assignRange(members, counts)), {
      m1: ['t-0', 't-1'],
      m2: ['t-2', 't-3', 'u-0', 'u-1'],
      m3: ['t-4'],
    });
  });

  it('leaves extra members empty and ignores unknown topics', () => {
    const members = [
      { memberId: 'a', topics: ['t', 'missing'] },
      { memberId: 'b', topics: ['t'] },
    ];
    assert.deepEqual(show(assignRange(members, new Map([['t', 1]]))), { a: ['t-0'], b: [] });
  });
});
