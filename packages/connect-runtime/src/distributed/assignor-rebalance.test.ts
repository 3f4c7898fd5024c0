import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assign, connectorItem as c, parseItem, taskItem as t, type MemberState } from './assignor.js';

const base = { leaderUrl: 'http://a', configOffset: 1, maxDelayMs: 0 };

/**
 * Rebalances until nothing is revoked, as the group does: each member keeps what it was assigned and
 * stops what was revoked, then everyone rejoins. Checks on every round that no item runs twice.
 */
function settle(
  members: Map<string, string[]>,
  configured: string[],
  now = 0,
): { rounds: number; owned: Map<string, string[]> } {
  for (let round = 1; round <= 5; round++) {
    const out = assign({
      ...base,
      now,
      lostSince: new Map(),
      configured,
      members: [...members].map(([id, owned]) => ({ memberId: id, url: `http://${id}`, owned }) as MemberState),
    });
    const running = [...out.values()].flatMap((a) => a.assigned);
    assert.equal(new Set(running).size, running.length, `round ${round}: an item assigned twice: ${running.join(' ')}`);
    for (const [id, a] of out) {
      for (const r of a.revoked) assert.ok(!a.assigned.includes(r), `round ${round}: ${id} told to run and stop ${r}`);
      members.set(id, a.assigned);
    }
    if ([...out.values()].every((a) => a.revoked.length === 0)) return { rounds: round, owned: members };
  }
  return assert.fail('no stable assignment within 5 rounds');
}

const work = (connectors: number, tasks: number) =>
  Array.from({ length: connectors }, (_, i) => [
    c(`conn-${i}`),
    ...Array.from({ length: tasks }, (_, n) => t(`conn-${i}`, n)),
  ]).flat();

describe('assignor over successive rebalances', () => {
  it('reaches a balanced assignment of everything, every item once, within two rounds when a worker joins', () => {
    const configured = work(3, 4); // 15 items
    const members = new Map([
      ['a', configured.slice()],
      ['b', [] as string[]],
    ]);
    const first = settle(members, configured);
    members.set('c', []);
    const { rounds, owned } = settle(first.owned, configured);
    assert.ok(rounds <= 2, `${rounds} rounds`);
    const all = [...owned.values()].flat();
    assert.deepEqual(all.slice().sort(), configured.slice().sort());
    const loads = [...owned.values()].map((o) => o.length);
    assert.ok(Math.max(...loads) - Math.min(...loads) <= 1, `loads ${loads.join(',')}`);
  });

  it('moves nothing that runs when the membership and the configs stay the same', () => {
    const configured = work(2, 3);
    const { owned } = settle(
      new Map([
        ['a', []],
        ['b', []],
      ]),
      configured,
    );
    const before = new Map([...owned].map(([k, v]) => [k, v.slice()]));
    const again = settle(owned, configured);
    assert.equal(again.rounds, 1);
    assert.deepEqual(again.owned, before);
  });

  it("hands a departed worker's work to the others at once when scheduled.rebalance.max.delay.ms is 0", () => {
    const configured = work(2, 3);
    const { owned } = settle(
      new Map([
        ['a', []],
        ['b', []],
        ['c', []],
      ]),
      configured,
    );
    owned.delete('b');
    const after = settle(owned, configured, 10);
    assert.deepEqual([...after.owned.values()].flat().sort(), configured.slice().sort());
  });

  it('reads task items of connectors whose names hold dashes and digits', () => {
    assert.deepEqual(parseItem(t('orders-eu-2', 13)), { kind: 'task', name: 'orders-eu-2', task: 13 });
    assert.deepEqual(parseItem(c('orders-eu-2')), { kind: 'connector', name: 'orders-eu-2' });
  });
});
