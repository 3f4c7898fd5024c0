/**
 * The Kafka log's producer owns ordering and retries: callers keep many `send()` calls in flight,
 * with fresh arrays every time (nothing is re-sent by the caller), the broker is stopped mid-stream
 * and started again, and every record arrives with the records of each partition in send order.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { openKafkaLog, type LogRecord, type ProduceRecord } from '@tributary/connect-runtime';
import { SERVICES, ensureService, stopService } from '../support/services.js';

const BATCHES = 120;
const PER_BATCH = 500;
const KEYS = 24;
const IN_FLIGHT = 8;
const run = `${Date.now().toString(36)}-${process.pid}`;

describe('Kafka producer: order through a broker outage', () => {
  before(() => ensureService('kafka'));
  after(() => ensureService('kafka'));

  it('keeps every record and per-partition order with several sends in flight while the broker restarts', async () => {
    const topic = `e2e-order-${run}`;
    const log = openKafkaLog({
      props: { 'bootstrap.servers': SERVICES.kafka },
      clientId: 'e2e-order',
      logger: pino({ level: 'silent' }),
    });
    await log.admin().createTopics([{ topic, partitions: 3, replicationFactor: 1 }]);
    const producer = log.producer();
    const seq = new Map<number, number>();
    const batch = (b: number): ProduceRecord[] =>
      Array.from({ length: PER_BATCH }, (_, i) => {
        const key = (b * PER_BATCH + i) % KEYS;
        const n = seq.get(key) ?? 0;
        seq.set(key, n + 1);
        return { topic, key: Buffer.from(`k${key}`), value: Buffer.from(`${key}:${n}`) };
      });

    let sent = 0;
    let outage: Promise<void> | null = null;
    const inFlight = new Set<Promise<unknown>>();
    const acks: Array<{ partition: number; offset: number; value: string }> = [];
    for (let b = 0; b < BATCHES; b++) {
      const records = batch(b);
      const p = producer.send(records).then((a) => {
        a.forEach((x, i) =>
          acks.push({ partition: x.partition, offset: x.offset, value: records[i]!.value!.toString() }),
        );
      });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
      if (++sent === BATCHES / 3) {
        outage = (async () => {
          stopService('kafka');
          await new Promise((r) => setTimeout(r, 8_000));
          ensureService('kafka');
        })();
      }
    }
    await Promise.all(inFlight);
    await outage;
    assert.equal(acks.length, BATCHES * PER_BATCH, 'every record acknowledged');

    // Read everything back and check per key (one partition each): every record, first copies in order.
    // The topic's end offsets count what was written, copies included.
    const written = (await log.admin().partitionOffsets(topic)).reduce((n, p) => n + p.high - p.low, 0);
    const consumer = log.consumer({ groupId: `e2e-order-${run}`, topics: [topic] });
    await consumer.start();
    const got: LogRecord[] = [];
    const deadline = Date.now() + 120_000;
    while (got.length < written && Date.now() < deadline) got.push(...(await consumer.poll(1_000)));
    await consumer.close();
    await producer.close();
    await log.close();
    const byKey = new Map<number, number[]>();
    for (const r of got) {
      const [key, n] = r.value!.toString().split(':').map(Number) as [number, number];
      (byKey.get(key) ?? byKey.set(key, []).get(key)!).push(n);
    }
    let duplicates = 0;
    for (const [key, ns] of byKey) {
      let next = 0;
      for (const n of ns) {
        if (n === next) next++;
        else if (n < next) duplicates++;
        else assert.fail(`key ${key}: record ${n} arrived before record ${next}`);
      }
      assert.equal(next, seq.get(key), `key ${key}: every record arrived`);
    }
    console.log(`# ${got.length} records read back, ${duplicates} duplicates`);
  });
});
