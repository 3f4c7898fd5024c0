import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TaskTable, taskLabel, transactionalIdOf } from './task-id.js';

describe('task ids', () => {
  it('keeps tasks apart by connector even when names look like task labels', () => {
    const t = new TaskTable<string>();
    t.set({ connector: 'a-1', task: 0 }, 'a-1 #0');
    t.set({ connector: 'a', task: 10 }, 'a #10');
    t.set({ connector: 'a', task: 2 }, 'a #2');
    assert.equal(taskLabel({ connector: 'a-1', task: 0 }), 'a-1-0');
    assert.deepEqual(t.tasksOf('a'), [2, 10]);
    assert.deepEqual(t.tasksOf('a-1'), [0]);
    assert.equal(t.get({ connector: 'a', task: 1 }), undefined);
    assert.equal(t.delete({ connector: 'a', task: 2 }), 'a #2');
    assert.deepEqual(
      [...t.entries()],
      [
        [{ connector: 'a-1', task: 0 }, 'a-1 #0'],
        [{ connector: 'a', task: 10 }, 'a #10'],
      ],
    );
    assert.equal(t.delete({ connector: 'a-1', task: 0 }), 'a-1 #0');
    assert.deepEqual(t.tasksOf('a-1'), []);
  });

  it("derives KIP-618's transactional id as Connect does", () => {
    assert.equal(transactionalIdOf('connect-cluster', { connector: 'orders', task: 3 }), 'connect-cluster-orders-3');
  });
});
