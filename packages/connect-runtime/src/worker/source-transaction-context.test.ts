import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceRecord, SourceTaskContext } from '@tributary/connect-api';
import type { ProduceAck, ProduceRecord, TransactionalProducer } from '../log/log.js';
import type { ExactlyOnce, OffsetEntries } from './source-transactions.js';
import { SourceTaskRunner } from './source-task-runner.js';
import { TaskTransactionContext } from './source-transaction-context.js';
import { ScriptedSourceTask, sourceDeps, sourceRecord, until } from './test-support.js';

const dec = new TextDecoder();
const enc = new TextEncoder();

/** Each send is one committed transaction: its record values (JSON), offsets-topic records included. */
class FakeTransactions implements TransactionalProducer {
  readonly transactionalId = 'g-c-0';
  readonly transactions: unknown[][] = [];
  async init(): Promise<void> {}
  async send(records: readonly ProduceRecord[]): Promise<ProduceAck[]> {
    this.transactions.push(records.map((r) => JSON.parse(dec.decode(r.value!)) as unknown));
    return records.map((r, offset) => ({ topic: r.topic, partition: 0, offset, timestamp: 0 }));
  }
  async close(): Promise<void> {}
}

function exactlyOnce(producer: TransactionalProducer): ExactlyOnce {
  return {
    producer,
    intervalMs: null,
    taskDefined: true,
    offsetRecords: (entries: OffsetEntries) =>
      entries.map(([, o]) => ({ topic: 'offsets', key: null, value: enc.encode(JSON.stringify({ offset: o })) })),
    committed: () => {},
  };
}

/** A task that, as it returns each batch, asks its TransactionContext what `plan` says. */
class BoundaryTask extends ScriptedSourceTask {
  ctx!: SourceTaskContext;
  constructor(
    batches: SourceRecord[][],
    private readonly plan: Array<(tx: NonNullable<SourceTaskContext['transactionContext']>, b: SourceRecord[]) => void>,
  ) {
    super(batches);
  }
  override start(c: Record<string, string>, ctx: SourceTaskContext): void {
    this.ctx = ctx;
    super.start(c, ctx);
  }
  override async poll(): Promise<SourceRecord[] | null> {
    const b = await super.poll();
    if (b) this.plan.shift()?.(this.ctx.transactionContext!, b);
    return b;
  }
}

describe('transaction.boundary=connector', () => {
  it('commits and aborts where the task asks, at a record or after a batch', async () => {
    const producer = new FakeTransactions();
    const task = new BoundaryTask(
      [[sourceRecord(1), sourceRecord(2), sourceRecord(3)], [sourceRecord(4), sourceRecord(5)], [sourceRecord(6)]],
      [(tx, b) => tx.commitTransaction(b[1]), (tx) => tx.abortTransaction(), (tx) => tx.commitTransaction()],
    );
    const runner = new SourceTaskRunner(
      { ...sourceDeps(task, producer as never), exactlyOnce: exactlyOnce(producer) },
      'STARTED',
    );
    runner.start();
    try {
      await until(() => producer.transactions.length === 2);
    } finally {
      await runner.stop();
    }
    assert.deepEqual(producer.transactions, [
      [{ n: 1 }, { n: 2 }, { offset: { n: 2 } }],
      // 3 stayed in the open transaction, which the second batch's abort dropped with 4 and 5.
      [{ n: 6 }, { offset: { n: 6 } }],
    ]);
    assert.deepEqual(
      task.committed.map((c) => (c.record.value as { n: number }).n),
      [1, 2, 6],
      'the task hears of committed records only',
    );
  });

  it('lets an abort win over a commit asked for the same point', () => {
    const tx = new TaskTransactionContext();
    const r = sourceRecord(1);
    tx.abortTransaction(r);
    tx.commitTransaction(r);
    tx.commitTransaction();
    assert.deepEqual(tx.segments([r, sourceRecord(2)]), [
      { end: 1, then: 'abort' },
      { end: 2, then: 'commit' },
    ]);
    assert.deepEqual(tx.segments([sourceRecord(3)]), [{ end: 1, then: null }], 'requests are taken once');
  });
});
