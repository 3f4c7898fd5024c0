import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SinkRecord } from '@tributary/connect-api';
import { BatchWriter, chunk, type Executor } from './batch-writer.js';
import type { WriteOp } from './table-writer.js';

const op = (offset: number, group: string | null, query = 'INSERT'): WriteOp => ({
  query,
  params: [offset],
  consistency: 1,
  group,
  record: { kafkaOffset: offset } as SinkRecord,
});

class FakeSession implements Executor {
  inFlight = 0;
  maxInFlight = 0;
  calls: number[][] = [];
  constructor(private readonly fail: (params: unknown[][]) => Error | null = () => null) {}
  async execute(_q: string, params: unknown[]): Promise<void> {
    await this.run([params]);
  }
  async batch(qs: Array<{ query: string; params: unknown[] }>): Promise<void> {
    await this.run(qs.map((q) => q.params));
  }
  private async run(params: unknown[][]): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.calls.push(params.map((p) => p[0] as number));
    await new Promise((r) => setTimeout(r, 2));
    this.inFlight--;
    const err = this.fail(params);
    if (err) throw err;
  }
}

class ClusterDown extends Error {}

describe('chunk', () => {
  it('groups by partition in arrival order, cuts at the batch size, never batches unknown partitions', () => {
    const chunks = chunk([op(0, 'a'), op(1, 'b'), op(2, 'a'), op(3, null), op(4, 'a'), op(5, 'b')], 2);
    assert.deepEqual(
      chunks.map((c) => c.map((o) => o.record.kafkaOffset)),
      [[0, 2], [3], [1, 5], [4]],
    );
  });
});

describe('BatchWriter', () => {
  it('keeps at most maxConcurrent requests in flight', async () => {
    const s = new FakeSession();
    const ops = Array.from({ length: 100 }, (_, i) => op(i, `p${i % 20}`));
    const out = await new BatchWriter(s, 2, 3, () => false).write(ops);
    assert.equal(out.written.length, 100);
    assert.equal(s.calls.length, 60);
    assert.ok(s.maxInFlight <= 3 && s.maxInFlight > 1, `max in flight ${s.maxInFlight}`);
  });

  it('splits a rejected batch to report only the bad statement', async () => {
    const s = new FakeSession((params) => (params.some((p) => p[0] === 3) ? new Error('Key may not be empty') : null));
    const out = await new BatchWriter(s, 10, 4, (e) => e instanceof ClusterDown).write(
      [0, 1, 2, 3, 4].map((i) => op(i, 'a')),
    );
    assert.deepEqual(out.written.map((o) => o.record.kafkaOffset).sort(), [0, 1, 2, 4]);
    assert.deepEqual(
      out.rejected.map((r) => r.op.record.kafkaOffset),
      [3],
    );
    assert.equal(out.unavailable.length, 0);
  });

  it('leaves statements that failed because the cluster did for a retry', async () => {
    const s = new FakeSession((params) => (params[0]![0] === 2 ? new ClusterDown('no host') : null));
    const out = await new BatchWriter(s, 1, 4, (e) => e instanceof ClusterDown).write(
      [0, 1, 2, 3].map((i) => op(i, null)),
    );
    assert.deepEqual(
      out.unavailable.map((o) => o.record.kafkaOffset),
      [2],
    );
    assert.equal(out.written.length, 3);
    assert.ok(out.clusterError instanceof ClusterDown);
  });
});
