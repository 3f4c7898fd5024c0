/**
 * The contract every {@link Log} implementation passes: the embedded log and Kafka run this same suite
 * (test/unit/embedded-log-contract.test.ts, and test/e2e/kafka-log-contract.test.ts against a real broker).
 * It uses nothing but the `Log` interface, gives each test fresh topic and group names, and allows for
 * Kafka's slower group joins with generous timeouts and polling until a condition holds rather than fixed sleeps.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  Consumer,
  ConsumerOptions,
  Log,
  LogRecord,
  ProduceRecord,
  TopicPartitionRef,
} from '@tributary/connect-runtime';

export interface LogUnderTest {
  readonly log: Log;
  cleanup(): Promise<void>;
}

const TEST_TIMEOUT_MS = 120_000;
/** How long a test waits for records or an assignment before failing. */
const WAIT_MS = 60_000;

let counter = 0;
function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${process.pid}-${++counter}`;
}

const bytes = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const text = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString('utf8'));

/** Polls until `n` records arrived (more may come in the last poll). */
async function pollFor(consumer: Consumer, n: number, what = 'records'): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  const deadline = Date.now() + WAIT_MS;
  while (out.length < n) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${n} ${what}, got ${out.length}`);
    out.push(...(await consumer.poll(500)));
  }
  return out;
}

/** Polls (discarding nothing: records are returned) until `cond()` holds. */
async function pollUntil(consumer: Consumer, cond: () => boolean, what: string): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  const deadline = Date.now() + WAIT_MS;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    out.push(...(await consumer.poll(200)));
  }
  return out;
}

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function values(records: readonly LogRecord[]): Array<string | null> {
  return records.map((r) => text(r.value));
}

function recordsTo(topic: string, partition: number | undefined, vals: readonly string[]): ProduceRecord[] {
  return vals.map((v) => ({ topic, partition, key: null, value: bytes(v) }));
}

const range = (n: number, f: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => f(i));

export function runLogContract(name: string, makeLog: () => Promise<LogUnderTest>): void {
  /** Runs `body` with a fresh log and closes everything it opened, even on failure. */
  async function withLog(body: (log: Log, track: (c: Consumer) => Consumer) => Promise<void>): Promise<void> {
    const { log, cleanup } = await makeLog();
    const consumers: Consumer[] = [];
    try {
      await body(log, (c) => (consumers.push(c), c));
    } finally {
      await Promise.allSettled(consumers.map((c) => c.close()));
      await cleanup();
    }
  }

  async function topicWith(log: Log, partitions: number, prefix = 'topic'): Promise<string> {
    const topic = unique(prefix);
    await log.admin().createTopics([{ topic, partitions, replicationFactor: 1 }]);
    return topic;
  }

  describe(`log contract: ${name}`, { timeout: TEST_TIMEOUT_MS }, () => {
    it('acks every produced record with its offset, in input order', async () => {
      await withLog(async (log) => {
        const topic = await topicWith(log, 1);
        const producer = log.producer();
        const acks = await producer.send([
          { topic, key: null, value: bytes('a'), timestamp: 1_700_000_000_000 },
          { topic, key: bytes('k'), value: bytes('b') },
          { topic, partition: 0, key: null, value: null },
        ]);
        assert.deepEqual(
          acks.map((a) => [a.topic, a.partition, a.offset]),
          [
            [topic, 0, 0],
            [topic, 0, 1],
            [topic, 0, 2],
          ],
        );
        assert.equal(acks[0]!.timestamp, 1_700_000_000_000);
        assert.ok(acks[1]!.timestamp > 1_600_000_000_000, 'a record without timestamp gets the current time');
        const more = await producer.send(recordsTo(topic, 0, ['c', 'd']));
        assert.deepEqual(
          more.map((a) => a.offset),
          [3, 4],
        );
        assert.deepEqual(await producer.send([]), []);
        await producer.close();
      });
    });

    it('consumes from earliest with keys, values, headers and timestamps intact', async () => {
      await withLog(async (log, track) => {
        const topic = await topicWith(log, 1);
        const producer = log.producer();
        await producer.send([
          {
            topic,
            key: bytes('key-0'),
            value: bytes('value-0'),
            timestamp: 1_700_000_000_123,
            headers: [
              { key: 'h1', value: bytes('x') },
              { key: 'h-null', value: null },
              { key: 'h1', value: bytes('again') },
            ],
          },
          { topic, key: null, value: null, timestamp: 1_700_000_000_124 },
          ...recordsTo(
            topic,
            undefined,
            range(8, (i) => `v${i + 2}`),
          ),
        ]);
        const consumer = track(
          log.consumer({ groupId: unique('group'), topics: [topic], autoOffsetReset: 'earliest' }),
        );
        await consumer.start();
        const records = await pollFor(consumer, 10);
        assert.equal(records.length, 10);
        assert.deepEqual(
          records.map((r) => r.offset),
          Array.from({ length: 10 }, (_, i) => i),
        );
        const [first, second] = records;
        assert.equal(first!.topic, topic);
        assert.equal(first!.partition, 0);
        assert.equal(text(first!.key), 'key-0');
        assert.equal(text(first!.value), 'value-0');
        assert.equal(first!.timestamp, 1_700_000_000_123);
        assert.deepEqual(
          first!.headers.map((h) => [h.key, text(h.value)]),
          [
            ['h1', 'x'],
            ['h-null', null],
            ['h1', 'again'],
          ],
        );
        assert.equal(second!.key, null);
        assert.equal(second!.value, null);
        assert.deepEqual(second!.headers, []);
        assert.deepEqual(
          values(records.slice(2)),
          range(8, (i) => `v${i + 2}`),
        );
      });
    });

    it('consumes from latest: only records produced after the assignment', async () => {
      await withLog(async (log, track) => {
        const topic = await topicWith(log, 1);
        const producer = log.producer();
        await producer.send(recordsTo(topic, 0, ['old-1', 'old-2', 'old-3']));
        const consumer = track(log.consumer({ groupId: unique('group'), topics: [topic], autoOffsetReset: 'latest' }));
        await consumer.start();
        await pollUntil(consumer, () => consumer.assignment().length === 1, 'the assignment');
        assert.deepEqual(await consumer.poll(500), []);
        await producer.send(recordsTo(topic, 0, ['new-1', 'new-2']));
        const records = await pollFor(consumer, 2);
        assert.deepEqual(values(records), ['new-1', 'new-2']);
        assert.deepEqual(
          records.map((r) => r.offset),
          [3, 4],
        );
      });
    });

    it('resumes a new consumer of the group from the committed offsets', async () => {
      await withLog(async (log, track) => {
        const topic = await topicWith(log, 1);
        const groupId = unique('group');
        await log.producer().send(
          recordsTo(
            topic,
            0,
            range(10, (i) => `v${i}`),
          ),
        );
        const first = track(log.consumer({ groupId, topics: [topic] }));
        await first.start();
        const records = await pollFor(first, 10);
        await first.commit([{ topic, partition: 0, offset: 6 }]);
        await first.close();
        assert.deepEqual(await log.admin().groupOffsets(groupId), [{ topic, partition: 0, offset: 6 }]);

        const second = track(log.consumer({ groupId, topics: [topic], autoOffsetReset: 'latest' }));
        await second.start();
        const resumed = await pollFor(second, 4);
        assert.deepEqual(
          resumed.map((r) => r.offset),
          [6, 7, 8, 9],
        );
        assert.deepEqual(values(resumed), values(records.slice(6)));
      });
    });

    it('keeps per-partition order across sends and partitions', async () => {
      await withLog(async (log, track) => {
        const topic = await topicWith(log, 3);
        const producer = log.producer();
        const sent: ProduceRecord[] = [];
        for (let batch = 0; batch < 5; batch++) {
          const records = range(60, (i) => `${batch}:${i}`).map((v, i) => ({
            topic,
            key: bytes(`key-${i % 7}`),
            value: bytes(v),
          }));
          sent.push(...records);
          await producer.send(records);
        }
        const consumer = track(log.consumer({ groupId: unique('group'), topics: [topic], maxPollRecords: 37 }));
        await consumer.start();
        const records = await pollFor(consumer, sent.length);
        assert.equal(records.length, sent.length);
        for (let p = 0; p < 3; p++) {
          const offsets = records.filter((r) => r.partition === p).map((r) => r.offset);
          assert.deepEqual(
            offsets,
            [...offsets].sort((a, b) => a - b),
            `partition ${p} in offset order`,
          );
        }
        for (let k = 0; k < 7; k++) {
          const key = `key-${k}`;
          const expected = sent.filter((r) => text(r.key) === key).map((r) => text(r.value));
          const got = records.filter((r) => text(r.key) === key).map((r) => text(r.value));
          assert.deepEqual(got, expected, `${key} in production order`);
        }
      });
    });

    it('partitions keyed records as Kafka does (murmur2), deterministically', async () => {
      await withLog(async (log) => {
        const topic = await topicWith(log, 4);
        const producer = log.producer();
        // toPositive(murmur2(key)) % 4, from Kafka's own murmur2 test vectors.
        const expected: Record<string, number> = { '21': 0, foobar: 2, abc: 3, 'a-little-bit-longer-string': 3 };
        for (let round = 0; round < 2; round++) {
          const acks = await producer.send(
            Object.keys(expected).map((k) => ({ topic, key: bytes(k), value: bytes(`${k}-${round}`) })),
          );
          assert.deepEqual(
            acks.map((a) => a.partition),
            Object.values(expected),
          );
        }
        const explicit = await producer.send([{ topic, partition: 1, key: bytes('foobar'), value: null }]);
        assert.equal(explicit[0]!.partition, 1, 'an explicit partition wins over the key');
      });
    });

    it('splits partitions between two members and rebalances when one leaves, losing nothing committed', async () => {
      await withLog(async (log, track) => {
        const topic = await topicWith(log, 4);
        const groupId = unique('group');
        const producer = log.producer();
        const produced = new Set<string>();
        let seq = 0;
        const produce = async (n: number): Promise<void> => {
          const acks = await producer.send(
            range(n, () => `r${seq++}`).map((v, i) => ({ topic, partition: i % 4, key: null, value: bytes(v) })),
          );
          for (const a of acks) produced.add(`${a.partition}:${a.offset}`);
        };
        /** Which members got each record (partition:offset). */
        const delivered = new Map<string, string[]>();

        // Like a sink that flushes rarely, members commit only when partitions are revoked (and on
        // close), so a rebalance always has processed but uncommitted records to hand over. A correct
        // group never gives them to the other member too.
        const member = (label: string): { consumer: Consumer; stop: () => Promise<void> } => {
          const processed = new Map<number, number>();
          const options: ConsumerOptions = {
            groupId,
            topics: [topic],
            maxPollRecords: 10,
            listener: {
              onAssigned: async () => {},
              onRevoked: async (tps) => {
                const offsets = tps
                  .filter((tp) => processed.has(tp.partition))
                  .map((tp) => ({ topic, partition: tp.partition, offset: processed.get(tp.partition)! }));
                for (const tp of tps) processed.delete(tp.partition);
                if (offsets.length > 0) await consumer.commit(offsets);
              },
            },
          };
          const consumer = track(log.consumer(options));
          let running = true;
          const loop = (async () => {
            await consumer.start();
            while (running) {
              for (const r of await consumer.poll(100)) {
                const key = `${r.partition}:${r.offset}`;
                delivered.set(key, [...(delivered.get(key) ?? []), label]);
                processed.set(r.partition, r.offset + 1);
              }
            }
          })();
          return {
            consumer,
            stop: async () => {
              running = false;
              await loop;
              await consumer.close();
            },
          };
        };
        const allDelivered = (): boolean => [...produced].every((k) => delivered.has(k));

        await produce(100);
        const a = member('a');
        await waitFor(() => a.consumer.assignment().length === 4 && allDelivered(), 'member a to get all 4 partitions');

        const b = member('b');
        await waitFor(() => {
          const pa = a.consumer.assignment().map((tp) => tp.partition);
          const pb = b.consumer.assignment().map((tp) => tp.partition);
          return pa.length > 0 && pb.length > 0 && pa.length + pb.length === 4 && !pa.some((p) => pb.includes(p));
        }, 'the two members to split the 4 partitions');
        await produce(100);
        await waitFor(allDelivered, 'all records with two members');
        assert.ok(
          [...delivered.values()].some((who) => who.includes('b')),
          'the second member consumed records',
        );

        await b.stop();
        await waitFor(() => a.consumer.assignment().length === 4, 'member a to take back all partitions');
        await produce(100);
        await waitFor(allDelivered, 'all records after member b left');
        await a.stop();

        const twice = [...delivered].filter(([, who]) => who.length > 1).map(([k, who]) => `${k} to ${who}`);
        assert.deepEqual(twice, [], 'no record delivered twice');
        for (const key of produced) assert.ok(delivered.has(key), `record ${key} delivered`);
        const committed = await log.admin().groupOffsets(groupId);
        assert.deepEqual(
          committed.map((o) => `${o.partition}:${o.offset}`).sort(),
          ['0:75', '1:75', '2:75', '3:75'],
          'everything processed was committed',
        );
      });
    });

    it('pauses, resumes and seeks partitions', async () => {
      await withLog(async (log, track) => {
        const topic = await topicWith(log, 2);
        const producer = log.producer();
        await producer.send([
          ...recordsTo(
            topic,
            0,
            range(10, (i) => `p0-${i}`),
          ),
          ...recordsTo(
            topic,
            1,
            range(10, (i) => `p1-${i}`),
          ),
        ]);
        const consumer = track(log.consumer({ groupId: unique('group'), topics: [topic] }));
        await consumer.start();
        const p0 = { topic, partition: 0 };
        const p1 = { topic, partition: 1 };
        // Records polled while waiting for the assignment are dropped: seeking to 0 re-reads them.
        await pollUntil(consumer, () => consumer.assignment().length === 2, 'the assignment');
        consumer.seek(p0, 0);
        consumer.seek(p1, 0);
        consumer.pause([p0]);
        const fromP1 = await pollFor(consumer, 10);
        assert.ok(
          fromP1.every((r) => r.partition === 1),
          'a paused partition is not fetched',
        );
        assert.deepEqual(
          values(fromP1),
          range(10, (i) => `p1-${i}`),
        );
        assert.deepEqual(await consumer.poll(300), [], 'nothing else while p0 is paused');
        assert.deepEqual(
          consumer
            .assignment()
            .map((tp) => tp.partition)
            .sort(),
          [0, 1],
          'a paused partition stays assigned',
        );
        consumer.resume([p0]);
        const fromP0 = await pollFor(consumer, 10);
        assert.deepEqual(
          values(fromP0),
          range(10, (i) => `p0-${i}`),
        );

        consumer.seek(p0, 7);
        consumer.seek(p1, 8);
        const again = await pollFor(consumer, 5);
        assert.deepEqual(again.map((r) => `${r.partition}:${r.offset}`).sort(), ['0:7', '0:8', '0:9', '1:8', '1:9']);
      });
    });

    it('subscribes by pattern', async () => {
      await withLog(async (log, track) => {
        const prefix = unique('pattern');
        await log.admin().createTopics([
          { topic: `${prefix}-a`, partitions: 1 },
          { topic: `${prefix}-b`, partitions: 1 },
          { topic: `${prefix}-skipped`, partitions: 1 },
        ]);
        const producer = log.producer();
        await producer.send([
          ...recordsTo(`${prefix}-a`, 0, ['a']),
          ...recordsTo(`${prefix}-b`, 0, ['b']),
          ...recordsTo(`${prefix}-skipped`, 0, ['skipped']),
        ]);
        const consumer = track(log.consumer({ groupId: unique('group'), topics: new RegExp(`${prefix}-(a|b)`) }));
        await consumer.start();
        const records = await pollFor(consumer, 2);
        assert.deepEqual(values(records).sort(), ['a', 'b']);
        assert.deepEqual(await consumer.poll(300), []);
      });
    });

    it('reads every partition without a group, twice over, and leaves no group behind', async () => {
      await withLog(async (log, track) => {
        const topic = await topicWith(log, 3);
        await log.producer().send([0, 1, 2].flatMap((p) => recordsTo(topic, p, [`p${p}a`, `p${p}b`])));
        for (let round = 0; round < 2; round++) {
          const consumer = track(log.consumer({ topics: [topic], autoOffsetReset: 'earliest' }));
          await consumer.start();
          const got: Array<string | null> = [];
          const deadline = Date.now() + WAIT_MS;
          while (got.length < 6 && Date.now() < deadline) got.push(...values(await consumer.poll(200)));
          assert.deepEqual(got.sort(), ['p0a', 'p0b', 'p1a', 'p1b', 'p2a', 'p2b']);
          assert.equal(consumer.assignment().length, 3);
          await assert.rejects(consumer.commit([{ topic, partition: 0, offset: 1 }]));
          await consumer.close();
        }
      });
    });

    it('resolves a waiting poll empty when the consumer closes', async () => {
      await withLog(async (log, track) => {
        const topic = await topicWith(log, 1);
        const consumer = track(log.consumer({ groupId: unique('group'), topics: [topic] }));
        await consumer.start();
        await pollUntil(consumer, () => consumer.assignment().length === 1, 'the assignment');
        const started = Date.now();
        const waiting = consumer.poll(30_000);
        await new Promise((r) => setTimeout(r, 100));
        await consumer.close();
        assert.deepEqual(await waiting, []);
        assert.ok(Date.now() - started < 20_000, 'poll returned on close, not on its timeout');
      });
    });

    it('administers topics and groups', async () => {
      await withLog(async (log, track) => {
        const admin = log.admin();
        const topic = unique('admin');
        await admin.createTopics([{ topic, partitions: 3, configs: { 'retention.ms': '86400000' } }]);
        await admin.createTopics([{ topic, partitions: 5 }]);
        assert.equal(await admin.partitionCount(topic), 3, 'an existing topic is left as it is');
        assert.equal(await admin.partitionCount(unique('missing')), null);
        assert.ok((await admin.listTopics()).includes(topic));

        await log.producer().send([...recordsTo(topic, 0, ['a', 'b']), ...recordsTo(topic, 2, ['c'])]);
        assert.deepEqual(
          (await admin.partitionOffsets(topic)).sort((x, y) => x.partition - y.partition),
          [
            { partition: 0, low: 0, high: 2 },
            { partition: 1, low: 0, high: 0 },
            { partition: 2, low: 0, high: 1 },
          ],
        );

        const groupId = unique('group');
        assert.deepEqual(await admin.groupOffsets(groupId), []);
        await admin.setGroupOffsets(groupId, [
          { topic, partition: 0, offset: 1 },
          { topic, partition: 2, offset: 1 },
        ]);
        const sortTp = (xs: Array<TopicPartitionRef & { offset: number }>) =>
          [...xs].sort((x, y) => x.partition - y.partition);
        assert.deepEqual(sortTp(await admin.groupOffsets(groupId)), [
          { topic, partition: 0, offset: 1 },
          { topic, partition: 2, offset: 1 },
        ]);

        const consumer = track(log.consumer({ groupId, topics: [topic] }));
        await consumer.start();
        const records = await pollFor(consumer, 1);
        assert.deepEqual(
          records.map((r) => `${r.partition}:${r.offset}:${text(r.value)}`),
          ['0:1:b'],
        );
        await consumer.close();

        await admin.deleteGroup(groupId);
        assert.deepEqual(await admin.groupOffsets(groupId), []);
      });
    });
  });
}
