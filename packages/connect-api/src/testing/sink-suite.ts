import { describe, it } from 'node:test';
import type { ConnectorConfig } from '../config.js';
import type { SinkConnector } from '../connector.js';
import { tpKey, type SinkRecord, type TopicPartition } from '../records.js';
import { SchemaBuilder, Schemas } from '../schema.js';
import { Struct } from '../struct.js';
import type { SinkTask } from '../task.js';
import { fakeSinkTaskContext, type FakeSinkTaskContext } from './contexts.js';
import { checkRequiredKeys, ContractError, expectContract, firstTaskConfig, within } from './contract.js';

type Offsets = Map<string, { tp: TopicPartition; offset: number }>;

/** The external system prepared for one check, and how to look into it. */
export interface SinkFixture {
  /** A connector config, exactly as POSTed to the REST API (`topics` names the topic records come from). */
  config: ConnectorConfig;
  /** What the external system holds now from this fixture's topic (documents, rows, lines, objects' records). */
  stored: () => Promise<unknown[]>;
  teardown?: () => Promise<void>;
}

export interface SinkSuiteOptions {
  connector: () => SinkConnector;
  /** Prepares an empty destination and returns the fixture; called once per check. */
  setup: () => SinkFixture | Promise<SinkFixture>;
  /**
   * How delivering the same records again leaves the destination as it was: `'idempotent ids'`,
   * `'upserts'`, `'deterministic object names'`; or `{ duplicates: why }` for a sink that appends.
   */
  redelivery: string | { duplicates: string };
  /** The records of one partition from `from` on (default: a STRING key and an {id, name} struct). */
  records?: (tp: TopicPartition, from: number, count: number) => SinkRecord[];
  /** Records per partition per put (default 10). */
  batch?: number;
  /** How soon `stop()` and a `put()` in flight must return once the task is stopped (default 5000 ms). */
  stopWithinMs?: number;
}

const VALUE = SchemaBuilder.struct().name('kit.Value').field('id', Schemas.INT64).field('name', Schemas.STRING).build();

/** Records with a STRING key and a struct value {id, name}, ids unique per topic-partition-offset. */
export function kitRecords(tp: TopicPartition, from: number, count: number): SinkRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const offset = from + i;
    const id = tp.partition * 1_000_000 + offset;
    return {
      topic: tp.topic,
      kafkaPartition: tp.partition,
      kafkaOffset: offset,
      key: String(id),
      keySchema: Schemas.STRING,
      value: new Struct(VALUE).put('id', id).put('name', `record ${id}`),
      valueSchema: VALUE,
      timestamp: 1_700_000_000_000 + offset,
      timestampType: 'CreateTime' as const,
      headers: [],
      originalTopic: tp.topic,
      originalKafkaPartition: tp.partition,
      originalKafkaOffset: offset,
    };
  });
}

interface Running {
  task: SinkTask;
  ctx: FakeSinkTaskContext;
}

async function startTask(o: SinkSuiteOptions, f: SinkFixture): Promise<Running> {
  const connector = o.connector();
  const taskConfig = await firstTaskConfig(connector, f.config);
  const task = new (connector.taskClass())();
  const ctx = fakeSinkTaskContext({ connector: 'kit' });
  await task.start(taskConfig, ctx);
  return { task, ctx };
}

async function open(r: Running, tps: TopicPartition[]): Promise<void> {
  for (const tp of tps) r.ctx.assigned.set(tpKey(tp), tp);
  await r.task.open?.(tps);
}

/** What the runtime does at a commit: the next offsets in, the committable ones out (checked). */
async function commit(r: Running, next: Offsets): Promise<Offsets> {
  const out = r.task.preCommit ? await r.task.preCommit(new Map(next)) : (await r.task.flush?.(new Map(next)), next);
  for (const [key, { offset }] of out) {
    const given = next.get(key);
    expectContract(
      given && offset <= given.offset,
      'preCommit returns only what was delivered',
      () =>
        `preCommit returned ${key}@${offset}, the runtime offered ${given ? `${key}@${given.offset}` : `no ${key}`}`,
      'return, per offered partition, an offset no larger than the one offered',
    );
  }
  return out;
}

/** The runtime's close on rebalance or stop: a last commit of the revoked partitions, then close(). */
async function close(r: Running, tps: TopicPartition[], next: Offsets): Promise<Offsets> {
  const committed = await commit(r, new Map([...next].filter(([k]) => tps.some((tp) => tpKey(tp) === k))));
  await r.task.close?.(tps);
  for (const tp of tps) r.ctx.assigned.delete(tpKey(tp));
  return committed;
}

async function stop(r: Running): Promise<void> {
  r.ctx.abort();
  await r.task.stop();
}

const nextOffsets = (records: SinkRecord[]): Offsets => {
  const out: Offsets = new Map();
  for (const rec of records) {
    const tp = { topic: rec.topic, partition: rec.kafkaPartition };
    out.set(tpKey(tp), { tp, offset: rec.kafkaOffset + 1 });
  }
  return out;
};

const durable = (committed: Offsets, records: SinkRecord[]) =>
  records.filter(
    (rec) => rec.kafkaOffset < (committed.get(tpKey({ topic: rec.topic, partition: rec.kafkaPartition }))?.offset ?? 0),
  ).length;

/**
 * The conformance checks for a sink connector, as `node:test` cases: call it at the top level of a
 * test file. Each check prepares an empty destination with `setup`.
 */
export function sinkTaskSuite(name: string, o: SinkSuiteOptions): void {
  const make = o.records ?? kitRecords;
  const batch = o.batch ?? 10;
  const stopMs = o.stopWithinMs ?? 5_000;
  const topicOf = (f: SinkFixture) => (f.config.topics ?? 'kit').split(',')[0]!.trim();
  const withFixture = (fn: (f: SinkFixture) => Promise<void>) => async () => {
    const f = await o.setup();
    try {
      await fn(f);
    } finally {
      await f.teardown?.();
    }
  };

  describe(`${name}: sink connector conformance`, () => {
    it(
      'put() then preCommit() commits only what is durable',
      withFixture(async (f) => {
        const r = await startTask(o, f);
        const tp = { topic: topicOf(f), partition: 0 };
        await open(r, [tp]);
        const records = make(tp, 0, batch);
        await r.task.put(records);
        const committed = await commit(r, nextOffsets(records));
        const want = durable(committed, records);
        const stored = await f.stored();
        expectContract(
          stored.length >= want,
          'preCommit returns only what is durable',
          () => `preCommit let ${want} records commit but the destination holds ${stored.length}`,
          'write (or flush) records before preCommit returns their offsets; return a smaller offset for what is still buffered',
        );
        await close(r, [tp], nextOffsets(records));
        await stop(r);
      }),
    );

    it(
      `takes the same records again harmlessly (${typeof o.redelivery === 'string' ? o.redelivery : 'appends'})`,
      { skip: typeof o.redelivery === 'string' ? undefined : `the sink appends: ${o.redelivery.duplicates}` },
      withFixture(async (f) => {
        const tp = { topic: topicOf(f), partition: 0 };
        const records = make(tp, 0, batch);
        const deliver = async () => {
          const r = await startTask(o, f);
          await open(r, [tp]);
          await r.task.put(records);
          // As the runtime keeps committing: wait (bounded) until the sink says every record is durable,
          // so a sink that writes in the background is counted after its writes landed.
          const next = nextOffsets(records);
          for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
            const done = await commit(r, next);
            if ([...next].every(([k, v]) => done.get(k)?.offset === v.offset)) break;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          await close(r, [tp], next);
          await stop(r);
          return (await f.stored()).length;
        };
        const once = await deliver();
        const twice = await deliver();
        expectContract(
          twice === once,
          'redelivery is harmless',
          () => `after one delivery the destination holds ${once}, after the same records again ${twice}`,
          `make writes idempotent (${String(o.redelivery)}): ids, upserts or names derived from topic, partition and offset`,
        );
      }),
    );

    it(
      'opens and closes partitions on a rebalance',
      withFixture(async (f) => {
        const topic = topicOf(f);
        const [p0, p1] = [
          { topic, partition: 0 },
          { topic, partition: 1 },
        ];
        const r = await startTask(o, f);
        try {
          await open(r, [p0, p1]);
          const first = [...make(p0, 0, batch), ...make(p1, 0, batch)];
          await r.task.put(first);
          await close(r, [p1], nextOffsets(first));
          const more = make(p0, batch, batch);
          await r.task.put(more);
          const committed = await commit(r, nextOffsets([...first, ...more].filter((rec) => rec.kafkaPartition === 0)));
          const stray = [...committed.keys()].find((k) => k !== tpKey(p0));
          if (stray) {
            throw new ContractError(
              'close() on rebalance',
              `after close([${tpKey(p1)}]) preCommit returned an offset for ${stray}`,
              'forget a partition in close(): return offsets only for the partitions preCommit was given',
            );
          }
          await open(r, [p1]);
          await r.task.put(make(p1, batch, batch));
          await close(r, [p0, p1], nextOffsets([...more, ...make(p1, batch, batch)]));
        } finally {
          await stop(r);
        }
      }),
    );

    it(
      'returns promptly from stop() during put()',
      withFixture(async (f) => {
        const r = await startTask(o, f);
        const tp = { topic: topicOf(f), partition: 0 };
        await open(r, [tp]);
        const inFlight = r.task.put(make(tp, 0, batch * 20)).catch(() => undefined);
        await new Promise((res) => setTimeout(res, 5));
        r.ctx.abort();
        await within(
          inFlight,
          stopMs,
          'stop() during put()',
          'a put() in flight when the task was stopped',
          'pass ctx.signal to the writes put() waits for and return (or throw) when it aborts; unacknowledged records are delivered again',
        );
        await within(
          Promise.resolve(r.task.stop()),
          stopMs,
          'stop() during put()',
          'stop()',
          'do not wait in stop() for writes that ctx.signal ended',
        );
      }),
    );

    it(
      'refuses a config without a required key, naming the key',
      withFixture(async (f) => {
        await checkRequiredKeys(o.connector, f.config);
      }),
    );
  });
}
