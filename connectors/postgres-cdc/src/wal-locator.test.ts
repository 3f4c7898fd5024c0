import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WalLocator } from './wal-locator.js';

// A WAL of two transactions as pgoutput sends it: BEGIN shares its LSN with the first change.
// tx1: BEGIN@100, c@100, c@200, c@300, COMMIT@400; tx2: BEGIN@500, c@500, COMMIT@600.
const WAL: Array<[bigint, 'begin' | 'commit' | 'change']> = [
  [100n, 'begin'],
  [100n, 'change'],
  [200n, 'change'],
  [300n, 'change'],
  [400n, 'commit'],
  [500n, 'begin'],
  [500n, 'change'],
  [600n, 'commit'],
];

/** Index of the first message processed again, and how (`here` or from the BEGIN of its transaction). */
function resume(lastCommit: bigint | null, lastEvent: bigint, messageType: string | null): [number, string] | null {
  const l = new WalLocator({ lastCommit, lastEvent, messageType });
  for (let i = 0; i < WAL.length; i++) {
    const r = l.feed(WAL[i]![0], WAL[i]![1]);
    if (r) return [i, r];
  }
  return null;
}

describe('WalLocator (resuming from offsets Debezium wrote)', () => {
  it('resumes at the message after the last stored event, inside its transaction', () => {
    assert.deepEqual(resume(50n, 200n, 'INSERT'), [3, 'here']);
  });

  it('after the last event of a transaction, resumes at its COMMIT: nothing of it is replayed', () => {
    assert.deepEqual(resume(50n, 300n, 'INSERT'), [4, 'here']);
  });

  it("the first change shares the BEGIN's LSN: stored there, it is not replayed", () => {
    assert.deepEqual(resume(50n, 100n, 'INSERT'), [2, 'here']);
  });

  it('stored at a BEGIN or COMMIT position, the transaction starting there is taken whole', () => {
    assert.deepEqual(resume(50n, 100n, 'BEGIN'), [1, 'transaction']);
    assert.deepEqual(resume(400n, 400n, 'COMMIT'), [5, 'here']);
  });

  it('a transaction committing after the stored commit without the stored event is taken whole', () => {
    assert.deepEqual(resume(50n, 42n, 'INSERT'), [4, 'transaction']);
  });

  it('without a stored commit, everything sent is processed', () => {
    assert.deepEqual(resume(null, 42n, null), [0, 'here']);
  });
});
