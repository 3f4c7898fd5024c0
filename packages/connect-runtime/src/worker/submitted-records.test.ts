import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SubmittedRecords } from './submitted-records.js';

describe('SubmittedRecords', () => {
  it('commits a partition only up to its first unacknowledged record', () => {
    const s = new SubmittedRecords();
    const a = { file: 'a' };
    const b = { file: 'b' };
    const a1 = s.submit(a, 'a', { pos: 1 });
    const a2 = s.submit(a, 'a', { pos: 2 });
    const b1 = s.submit(b, 'b', { pos: 10 });
    const a3 = s.submit(a, 'a', { pos: 3 });
    s.ack(a2);
    s.ack(b1);
    assert.deepEqual(s.committable(), [[b, { pos: 10 }]]);
    s.ack(a1);
    assert.deepEqual(s.committable(), [[a, { pos: 2 }]]);
    assert.equal(s.pending, 1);
    s.ack(a3);
    assert.deepEqual(s.committable(), [[a, { pos: 3 }]]);
    assert.deepEqual(s.committable(), []);
  });
});
