import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceOffset, SourcePartition } from '@tributary/connect-api';
import type { ProduceAck, ProduceRecord, TransactionalProducer } from '../log/log.js';
import { MAX_HELD_RECORDS, SourceTransactions, type OffsetEntries } from './source-transactions.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const PARTITION: SourcePartition = { file: 'in' };

/** Each send is one transaction, committed when the test lets it (`release`). */
class GatedProducer implements TransactionalProducer {
  readonly transactionalId = 'g-c-0';
  readonly sent: string[][] = [];
  private gates: Array<() => void> = [];
  async init(): Promise<void> {}
  async send(records: readonly ProduceRecord[]): Promise<ProduceAck[]> {
    this.sent.push(records.map((r) => dec.decode(r.value!)));
    await new Promise<void>((r) => this.gates.push(r));
    return records.map((r, offset) => ({ topic: r.topic, partition: 0, offset, timestamp: 0 }));
  }
  release(): void {
    this.gates.shift()?.();
  }
  async close(): Promise<void> {}
}

const record = (v: string): ProduceRecord => ({ topic: 't', key: null, value: enc.encode(v) });
const offsets = (n: number) => new Map<string, [SourcePartition, SourceOffset]>([['in', [PARTITION, { n }]]]);
const tick = () => new Promise((r) => setImmediate(r));

function poll(producer: GatedProducer, committed: OffsetEntries[]): SourceTransactions {
  return new SourceTransactions(
    {
      producer,
      intervalMs: null,
      offsetRecords: (e) => e.map(([, o]) => record(`offset ${JSON.stringify(o)}`)),
      committed: (e) => committed.push(e),
    },
    async () => {},
  );
}

describe('SourceTransactions, transaction.boundary=poll', () => {
  it('holds the batches polled while a transaction commits and sends them together in the next one', async () => {
    const producer = new GatedProducer();
    const committed: OffsetEntries[] = [];
    const heard: string[][] = [];
    const tx = poll(producer, committed);
    const hear = (acks: ProduceAck[]) => {
      heard.push(acks.map((a) => String(a.offset)));
      return Promise.resolve();
    };
    await tx.add([record('a')], offsets(1), hear);
    await tx.add([record('b'), record('c')], offsets(3), hear);
    await tx.add([record('d')], offsets(4), hear);
    await tick();
    assert.deepEqual(producer.sent, [['a', 'offset {"n":1}']], 'one transaction at a time');
    producer.release();
    await tick();
    await tick();
    assert.deepEqual(producer.sent[1], ['b', 'c', 'd', 'offset {"n":4}'], 'the held batches in one transaction');
    const done = tx.commit();
    producer.release();
    assert.equal(await done, false, 'nothing was left to commit after the transaction in flight');
    assert.deepEqual(
      committed.map((e) => e.map(([, o]) => o)),
      [[{ n: 1 }], [{ n: 4 }]],
    );
    assert.deepEqual(heard, [['0'], ['0', '1'], ['2']], 'each batch hears of its own records');
  });

  it('makes the task wait once the held records reach the bound', async () => {
    const producer = new GatedProducer();
    const tx = poll(producer, []);
    await tx.add([record('first')], offsets(1), async () => {});
    const big = Array.from({ length: MAX_HELD_RECORDS }, (_, i) => record(`r${i}`));
    let returned = false;
    const adding = tx.add(big, offsets(2), async () => {}).then(() => (returned = true));
    await tick();
    assert.equal(returned, false, 'waits for the transaction in flight');
    producer.release();
    await adding;
    assert.equal(producer.sent.length, 2);
    assert.equal(producer.sent[1]!.length, MAX_HELD_RECORDS + 1);
    producer.release();
    assert.equal(await tx.commit(), false);
  });
});
