import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBudget } from './spill-buffer.js';

describe('MemoryBudget / SpillBuffer', () => {
  it('keeps the bytes held in memory by all buffers under the budget by spilling the largest, and loses nothing', async () => {
    const budget = new MemoryBudget(1000, '');
    const bufs = Array.from({ length: 10 }, () => budget.buffer());
    for (let round = 0; round < 5; round++) {
      bufs.forEach((b, i) => b.append(Buffer.alloc(100, 65 + i)));
      await budget.enforce();
      assert.ok(budget.bytesInMemory <= 1000, `in memory ${budget.bytesInMemory}`);
    }
    assert.ok(budget.spills > 0);
    const all = await bufs[3]!.takeAll();
    assert.equal(all.length, 500);
    assert.ok(all.every((c) => c === 68));
    bufs[3]!.restore(all); // a failed upload gives the bytes back
    assert.equal(bufs[3]!.size, 500);
    assert.equal((await bufs[3]!.takeAll()).toString(), 'D'.repeat(500));
    await budget.dispose();
    assert.equal(budget.bytesInMemory, 0);
  });

  it('does not spill a buffer while an upload holds its bytes, and keeps the order when they come back', async () => {
    const budget = new MemoryBudget(100, '');
    const a = budget.buffer();
    a.append(Buffer.from('first-'));
    await a.spill();
    const taken = await a.takeAll(); // an upload in flight
    a.append(Buffer.alloc(200, 'x'));
    await budget.enforce(); // over budget, but the only buffer is pinned: nothing to do
    assert.equal(budget.spills, 0);
    a.restore(taken); // the upload failed
    assert.equal((await a.takeAll()).toString(), `first-${'x'.repeat(200)}`);
    a.release();
    await budget.dispose();
  });
});
