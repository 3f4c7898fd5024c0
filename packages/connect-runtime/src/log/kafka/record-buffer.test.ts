import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogRecord } from '../log.js';
import { RecordBuffer, tpKey } from './record-buffer.js';

const rec = (partition: number, offset: number): LogRecord => ({
  topic: 't',
  partition,
  offset,
  timestamp: 0,
  key: null,
  value: null,
  headers: [],
});
const all = () => true;

describe('RecordBuffer', () => {
  it('hands records out in order, up to max, and releases a chunk once all are taken', async () => {
    const b = new RecordBuffer();
    let released = false;
    const done = b.offer({ topic: 't', partition: 0 }, [rec(0, 0), rec(0, 1), rec(0, 2)]).then(() => {
      released = true;
    });
    assert.deepEqual(
      b.take(2, all).map((r) => r.offset),
      [0, 1],
    );
    await Promise.resolve();
    assert.equal(released, false, 'still one record to hand out');
    assert.deepEqual(
      b.take(10, all).map((r) => r.offset),
      [2],
    );
    await done;
    assert.equal(released, true);
  });

  it('skips partitions that are not allowed (paused) and keeps them', () => {
    const b = new RecordBuffer();
    void b.offer({ topic: 't', partition: 0 }, [rec(0, 0)]);
    void b.offer({ topic: 't', partition: 1 }, [rec(1, 5)]);
    const p1 = tpKey({ topic: 't', partition: 1 });
    assert.deepEqual(
      b.take(10, (k) => k === p1).map((r) => r.partition),
      [1],
    );
    assert.equal(b.has(all), true);
  });

  it('drops chunks, releasing them, and reports the first offset not handed out', async () => {
    const b = new RecordBuffer();
    const done = b.offer({ topic: 't', partition: 0 }, [rec(0, 3), rec(0, 4)]);
    b.take(1, all);
    const first = b.drop();
    assert.deepEqual([...first], [[tpKey({ topic: 't', partition: 0 }), 4]]);
    await done;
    assert.deepEqual(b.take(10, all), []);
  });

  it('wakes a waiter when records arrive or on interrupt', async () => {
    const b = new RecordBuffer();
    const w1 = b.changed();
    void b.offer({ topic: 't', partition: 0 }, [rec(0, 0)]);
    await w1;
    const w2 = b.changed();
    b.interrupt();
    await w2;
  });
});
