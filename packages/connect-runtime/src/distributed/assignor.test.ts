import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assign, connectorItem as c, taskItem as t, type MemberState } from './assignor.js';

const base = { leaderUrl: 'http://a', configOffset: 7, now: 1000, maxDelayMs: 500 };
const m = (memberId: string, owned: string[] = []): MemberState => ({ memberId, url: `http://${memberId}`, owned });

describe('assignor', () => {
  it('spreads new work over the least-loaded workers', () => {
    const out = assign({
      ...base,
      members: [m('a'), m('b'), m('c')],
      configured: [c('x'), t('x', 0), t('x', 1), t('x', 2)],
      lostSince: new Map(),
    });
    const counts = [...out.values()].map((a) => a.assigned.length).sort();
    assert.deepEqual(counts, [1, 1, 2]);
    assert.equal([...out.values()].flatMap((a) => a.assigned).length, 4);
  });

  it('keeps work where it runs and revokes deleted work', () => {
    const out = assign({
      ...base,
      members: [m('a', [c('x'), t('x', 0), t('old', 0)]), m('b', [t('x', 1)])],
      configured: [c('x'), t('x', 0), t('x', 1)],
      lostSince: new Map(),
    });
    assert.deepEqual(out.get('a')!.assigned, [c('x'), t('x', 0)]);
    assert.deepEqual(out.get('a')!.revoked, [t('old', 0)]);
    assert.deepEqual(out.get('b')!.assigned, [t('x', 1)]);
  });

  it('holds lost work for the delay, then reassigns it', () => {
    const lost = new Map([[t('x', 1), 900]]);
    const held = assign({
      ...base,
      members: [m('a', [c('x'), t('x', 0)])],
      configured: [c('x'), t('x', 0), t('x', 1)],
      lostSince: lost,
    });
    assert.deepEqual(held.get('a')!.assigned, [c('x'), t('x', 0)]);
    assert.equal(held.get('a')!.delayUntil, 1400);
    const later = assign({
      ...base,
      now: 1500,
      members: [m('a', [c('x'), t('x', 0)])],
      configured: [c('x'), t('x', 0), t('x', 1)],
      lostSince: lost,
    });
    assert.deepEqual(later.get('a')!.assigned, [c('x'), t('x', 0), t('x', 1)]);
  });

  it('revokes surplus from an overloaded worker when a new one joins, never giving it away twice', () => {
    const owned = [t('x', 0), t('x', 1), t('x', 2), t('x', 3)];
    const out = assign({ ...base, members: [m('a', owned), m('b')], configured: owned, lostSince: new Map() });
    assert.equal(out.get('a')!.assigned.length, 2);
    assert.equal(out.get('a')!.revoked.length, 2);
    assert.deepEqual(out.get('b')!.assigned, []); // the follow-up rebalance hands them out
  });
});
