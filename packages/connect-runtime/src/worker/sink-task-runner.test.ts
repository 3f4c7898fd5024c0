import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError, sleep, tpKey, type SinkRecord, type TopicPartition } from '@tributary/connect-api';
import { openEmbeddedLog } from '../log/embedded/index.js';
import type { Log } from '../log/log.js';
import { ErrorHandler } from './error-handler.js';
import { SinkTaskRunner } from './sink-task-runner.js';
import { ScriptedSinkTask, silentLogger, sinkDeps, StatusLog, until } from './test-support.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const logs: Log[] = [];
after(async () => {
  for (const l of logs) await l.close();
});

async function embedded(): Promise<Log> {
  const log = await openEmbeddedLog({
    dir: await mkdtemp(join(tmpdir(), 'sink-runner-')),
    logger: silentLogger as never,
  });
  logs.push(log);
  return log;
}

async function produce(log: Log, topic: string, values: Array<string | null>): Promise<void> {
  const p = log.producer();
  await p.send(
    values.map((v) => ({ topic, partition: 0, key: null, value: v === null ? null : enc.encode(v), headers: [] })),
  );
  await p.close();
}

/** A runner on the embedded log's group `connect-c`, as the worker builds it. */
function runner(
  log: Log,
  task: ScriptedSinkTask,
  config: Record<string, string> = {},
  status = new StatusLog(),
): SinkTaskRunner {
  const deps = sinkDeps(task, log.consumer({ topics: [] }), { config, status });
  const errors = new ErrorHandler({
    connector: 'c',
    taskId: 0,
    config: { name: 'c', 'connector.class': 'X', topics: 'in', ...config },
    logger: silentLogger,
    producer: log.producer(),
  });
  return new SinkTaskRunner(
    {
      ...deps,
      errors,
      flushIntervalMs: 10,
      makeConsumer: (r) => log.consumer({ groupId: 'connect-c', topics: ['in'], listener: r.listener }),
    },
    'STARTED',
  );
}

/** Resolves once the async `check` holds, or rejects after `ms`. */
async function eventually(check: () => Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await sleep(5);
  }
}

const ns = (batches: SinkRecord[][]) => batches.flat().map((r) => (r.value as { n: number }).n);
const committed = async (log: Log) =>
  (await log.admin().groupOffsets('connect-c')).find((o) => o.topic === 'in')?.offset;

describe('SinkTaskRunner over the embedded log', () => {
  it('puts records in log order and commits to the group only what preCommit confirms', async () => {
    const log = await embedded();
    await produce(
      log,
      'in',
      Array.from({ length: 10 }, (_, n) => JSON.stringify({ n })),
    );
    const task = new ScriptedSinkTask();
    let confirmUpTo = 4; // the task says only the first four are durable
    Object.assign(task, {
      preCommit: (offsets: Map<string, { tp: TopicPartition; offset: number }>) =>
        new Map([...offsets].map(([k, v]) => [k, { tp: v.tp, offset: Math.min(v.offset, confirmUpTo) }])),
    });
    const r = runner(log, task);
    r.start();
    try {
      await until(() => ns(task.puts).length === 10);
      await eventually(async () => (await committed(log)) === 4);
      await sleep(50);
      assert.equal(await committed(log), 4, 'the group offset is what preCommit returned, not what was put');
      confirmUpTo = 10;
      await eventually(async () => (await committed(log)) === 10);
    } finally {
      await r.stop();
    }
    assert.deepEqual(ns(task.puts), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('re-delivers after a restart from the committed offset, not from what was put', async () => {
    const log = await embedded();
    await produce(
      log,
      'in',
      Array.from({ length: 6 }, (_, n) => JSON.stringify({ n })),
    );
    const first = new ScriptedSinkTask();
    Object.assign(first, {
      preCommit: () =>
        new Map([[tpKey({ topic: 'in', partition: 0 }), { tp: { topic: 'in', partition: 0 }, offset: 3 }]]),
    });
    const r1 = runner(log, first);
    r1.start();
    try {
      await until(() => ns(first.puts).length === 6);
    } finally {
      await r1.stop();
    }
    const second = new ScriptedSinkTask();
    const r2 = runner(log, second);
    r2.start();
    try {
      await until(() => ns(second.puts).length === 3);
    } finally {
      await r2.stop();
    }
    assert.deepEqual(ns(second.puts), [3, 4, 5]);
  });

  it('dead-letters a record its converter refuses with the original bytes, and one put() reports; the rest flows', async () => {
    const log = await embedded();
    const config = {
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': 'dlq',
      'errors.deadletterqueue.context.headers.enable': 'true',
    };
    await produce(log, 'in', ['{"n": 0}', '{"n": 1', '{"n": 2}', '{"n": 3}']);
    const task = new ScriptedSinkTask();
    const put = task.put.bind(task);
    task.put = async (records) => {
      for (const rec of records)
        if ((rec.value as { n: number }).n === 3)
          await task.ctx.errantRecordReporter!(rec, new DataError('n=3 is refused downstream'));
      await put(records.filter((rec) => (rec.value as { n: number }).n !== 3));
    };
    const r = runner(log, task, config);
    r.start();
    try {
      await until(() => ns(task.puts).includes(2));
    } catch (e) {
      await r.stop();
      throw e;
    }
    const consumer = log.consumer({ topics: ['dlq'] });
    await consumer.start();
    const dead: Array<{ value: string; stage: string }> = [];
    const deadline = Date.now() + 5000;
    while (dead.length < 2 && Date.now() < deadline) {
      for (const rec of await consumer.poll(50)) {
        dead.push({
          value: dec.decode(rec.value!),
          stage: dec.decode(rec.headers.find((h) => h.key === '__connect.errors.stage')!.value!),
        });
      }
    }
    await consumer.close();
    await r.stop();
    assert.deepEqual(dead, [
      { value: '{"n": 1', stage: 'VALUE_CONVERTER' },
      { value: '{"n": 3}', stage: 'TASK_PUT' },
    ]);
    assert.deepEqual(ns(task.puts), [0, 2]);
    assert.equal(await committed(log), 4, 'dead-lettered records commit too');
  });

  it('fails the task on a bad record with errors.tolerance=none, and commits nothing past it', async () => {
    const log = await embedded();
    await produce(log, 'in', ['{"n": 0}', 'not json']);
    const status = new StatusLog();
    const task = new ScriptedSinkTask();
    const r = runner(log, task, {}, status);
    r.start();
    try {
      await until(() => status.last?.state === 'FAILED');
    } finally {
      await r.stop();
    }
    assert.match(status.last!.trace!, /JSON/i);
    assert.ok(((await committed(log)) ?? 0) < 2);
  });

  it('returns promptly from stop() during a put() that waits on ctx.signal, and calls stop() once', async () => {
    const log = await embedded();
    await produce(log, 'in', ['{"n": 0}']);
    const task = new ScriptedSinkTask();
    let inPut = false;
    task.put = async () => {
      inPut = true;
      await sleep(60_000, task.ctx.signal);
    };
    const r = runner(log, task);
    r.start();
    try {
      await until(() => inPut);
    } catch (e) {
      await r.stop();
      throw e;
    }
    const started = Date.now();
    await r.stop();
    assert.ok(Date.now() - started < 1000, `stopped in ${Date.now() - started} ms`);
    assert.equal(task.stops, 1);
  });
});
