import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError, sleep, type SourceRecord, type SourceTaskContext } from '@tributary/connect-api';
import { openEmbeddedLog } from '../log/embedded/index.js';
import type { Log, ProduceAck, ProduceRecord, Producer } from '../log/log.js';
import { ErrorHandler } from './error-handler.js';
import { MAX_IN_FLIGHT_BATCHES, MAX_IN_FLIGHT_RECORDS, SourceTaskRunner } from './source-task-runner.js';
import {
  jsonConverters,
  memoryOffsets,
  ScriptedSourceTask,
  silentLogger,
  sourceDeps,
  sourceRecord,
  StatusLog,
  until,
} from './test-support.js';

const dec = new TextDecoder();
const logs: Log[] = [];
after(async () => {
  for (const l of logs) await l.close();
});

async function embedded(): Promise<Log> {
  const log = await openEmbeddedLog({
    dir: await mkdtemp(join(tmpdir(), 'source-runner-')),
    logger: silentLogger as never,
  });
  logs.push(log);
  return log;
}

/** Every record of `topic`, in log order, values decoded from JSON. */
async function readTopic(log: Log, topic: string, n: number): Promise<unknown[]> {
  const consumer = log.consumer({ topics: [topic] });
  await consumer.start();
  const out: unknown[] = [];
  const deadline = Date.now() + 5000;
  while (out.length < n && Date.now() < deadline) {
    for (const r of await consumer.poll(50)) out.push(r.value === null ? null : JSON.parse(dec.decode(r.value)));
  }
  await consumer.close();
  return out;
}

/** The embedded producer, but acknowledgements wait until `release()`. */
class GatedProducer implements Producer {
  sends = 0;
  private gate: Promise<void>;
  private open!: () => void;
  constructor(private readonly inner: Producer) {
    this.gate = new Promise((r) => {
      this.open = r;
    });
  }
  release(): void {
    this.open();
  }
  async send(records: readonly ProduceRecord[]): Promise<ProduceAck[]> {
    this.sends++;
    const acks = await this.inner.send(records);
    await this.gate;
    return acks;
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const numbers = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => sourceRecord(from + i));

describe('SourceTaskRunner over the embedded log', () => {
  it('writes records in poll order and stores an offset only after the log acknowledged it, then commit()', async () => {
    const log = await embedded();
    const producer = new GatedProducer(log.producer());
    const offsets = memoryOffsets();
    const task = new ScriptedSourceTask([numbers(1, 3), numbers(4, 6)]);
    let commits = 0;
    Object.assign(task, {
      commit: () => {
        commits++;
      },
    });
    const runner = new SourceTaskRunner({ ...sourceDeps(task, producer, { offsets }), flushIntervalMs: 5 }, 'STARTED');
    runner.start();
    try {
      await until(() => producer.sends === 2);
      await sleep(50);
      assert.deepEqual(offsets.written, [], 'nothing stored while the log has not acknowledged');
      assert.equal(commits, 0);
      assert.ok(task.committed.length === 0, 'commitRecord waits for the ack');
    } finally {
      producer.release();
    }
    try {
      await until(() => offsets.written.length > 0 && commits > 0);
    } finally {
      await runner.stop();
    }
    assert.deepEqual(offsets.written.at(-1), { n: 6 });
    assert.deepEqual(task.committed.map((c) => (c.record.value as { n: number }).n).sort(), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(
      await readTopic(log, 'out', 6),
      [1, 2, 3, 4, 5, 6].map((n) => ({ n })),
    );
  });

  // The SDK promises commitRecord in order per source partition: two batches acknowledged together
  // must not interleave their commitRecord loops (each call is awaited). (A record a transform or
  // the error handler skips is confirmed at once, with null metadata, as Kafka Connect does.)
  it('calls commitRecord in order per source partition when acks of several batches arrive together', async () => {
    const log = await embedded();
    const producer = new GatedProducer(log.producer());
    const task = new ScriptedSourceTask([numbers(1, 3), numbers(4, 6)]);
    const runner = new SourceTaskRunner(sourceDeps(task, producer), 'STARTED');
    runner.start();
    await until(() => producer.sends === 2);
    producer.release();
    try {
      await until(() => task.committed.length === 6);
    } finally {
      await runner.stop();
    }
    assert.deepEqual(
      task.committed.map((c) => (c.record.value as { n: number }).n),
      [1, 2, 3, 4, 5, 6],
    );
  });

  for (const [what, batches, size, bound] of [
    ['MAX_IN_FLIGHT_BATCHES small batches', MAX_IN_FLIGHT_BATCHES + 8, 1, MAX_IN_FLIGHT_BATCHES],
    ['MAX_IN_FLIGHT_RECORDS records', 6, MAX_IN_FLIGHT_RECORDS / 2 - 1, 2],
  ] as const) {
    it(`stops polling while ${what} wait for the log (backpressure), and resumes after`, async () => {
      const log = await embedded();
      const producer = new GatedProducer(log.producer());
      let n = 0;
      const task = new ScriptedSourceTask(
        Array.from({ length: batches }, () => Array.from({ length: size }, () => sourceRecord(n++))),
      );
      const runner = new SourceTaskRunner(sourceDeps(task, producer), 'STARTED');
      runner.start();
      try {
        try {
          await until(() => producer.sends >= bound);
          await sleep(100);
          assert.equal(producer.sends, bound, `${bound} batches in flight, no more sends`);
          assert.ok(
            task.batches.length >= batches - bound - 1,
            `at most one more batch polled and held (${batches - task.batches.length} polled)`,
          );
        } finally {
          producer.release();
        }
        await until(() => task.batches.length === 0);
      } finally {
        await runner.stop();
      }
      assert.equal((await readTopic(log, 'out', n)).length, n);
    });
  }

  it('returns promptly from stop() while poll() waits on ctx.signal', async () => {
    const log = await embedded();
    const status = new StatusLog();
    const task = new ScriptedSourceTask();
    let ctx!: SourceTaskContext;
    task.start = (_c, c) => {
      ctx = c;
    };
    task.poll = async () => {
      await sleep(60_000, ctx.signal);
      return null;
    };
    const runner = new SourceTaskRunner(sourceDeps(task, log.producer(), { status }), 'STARTED');
    runner.start();
    await until(() => status.last?.state === 'RUNNING');
    await sleep(20);
    const started = Date.now();
    await runner.stop();
    assert.ok(Date.now() - started < 1000, `stopped in ${Date.now() - started} ms`);
    assert.equal(task.stops, 1);
    assert.ok(!status.tasks.some((s) => s.state === 'FAILED'));
  });

  it('dead-letters an errant record and one its converter refuses, keeps the rest flowing, and still stores their offsets', async () => {
    const log = await embedded();
    const config = {
      name: 'c',
      'connector.class': 'X',
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': 'dlq',
      'errors.deadletterqueue.context.headers.enable': 'true',
    };
    const offsets = memoryOffsets();
    const errant: SourceRecord = {
      ...sourceRecord(2),
      errant: { error: new DataError('row 2 is malformed'), raw: 'a,"b' },
    };
    const unconvertible = { ...sourceRecord(3), value: { n: 3, big: 10n } };
    const task = new ScriptedSourceTask([[sourceRecord(1), errant, unconvertible, sourceRecord(4)]]);
    const deps = sourceDeps(task, log.producer(), { offsets, config });
    const errors = new ErrorHandler({
      connector: 'c',
      taskId: 0,
      config,
      logger: silentLogger,
      producer: log.producer(),
    });
    const runner = new SourceTaskRunner(
      { ...deps, errors, flushIntervalMs: 5, converters: jsonConverters() },
      'STARTED',
    );
    runner.start();
    try {
      await until(() => offsets.written.some((o) => (o as { n: number }).n === 4));
    } finally {
      await runner.stop();
    }
    assert.deepEqual(await readTopic(log, 'out', 2), [{ n: 1 }, { n: 4 }]);
    const consumer = log.consumer({ topics: ['dlq'] });
    await consumer.start();
    const dead: Array<{ value: string; stage: string | undefined }> = [];
    const deadline = Date.now() + 5000;
    while (dead.length < 2 && Date.now() < deadline) {
      for (const r of await consumer.poll(50)) {
        const stage = r.headers.find((h) => h.key === '__connect.errors.stage')?.value;
        dead.push({
          value: r.value === null ? 'null' : dec.decode(r.value),
          stage: stage ? dec.decode(stage) : undefined,
        });
      }
    }
    await consumer.close();
    assert.deepEqual(
      dead.map((d) => d.stage),
      ['TASK_POLL', 'VALUE_CONVERTER'],
    );
    assert.equal(dead[0]!.value, 'a,"b', 'the raw input of the errant record');
    const confirmed = new Map(task.committed.map((c) => [(c.record.value as { n: number }).n, c.acked]));
    assert.deepEqual(
      [...confirmed].sort(),
      [
        [1, true],
        [2, false],
        [3, false],
        [4, true],
      ],
      'metadata null for the skipped ones',
    );
  });

  it('delivers the records polled before one that fails the task, and stores their offsets (errors.tolerance=none)', async () => {
    const log = await embedded();
    const offsets = memoryOffsets();
    const status = new StatusLog();
    const errant: SourceRecord = { ...sourceRecord(3), errant: { error: new DataError('row 3 is malformed') } };
    const task = new ScriptedSourceTask([[sourceRecord(1), sourceRecord(2), errant, sourceRecord(4)]]);
    const runner = new SourceTaskRunner(
      { ...sourceDeps(task, log.producer(), { offsets, status }), flushIntervalMs: 5 },
      'STARTED',
    );
    runner.start();
    try {
      await until(() => status.tasks.some((s) => s.state === 'FAILED'));
    } finally {
      await runner.stop();
    }
    assert.deepEqual(await readTopic(log, 'out', 2), [{ n: 1 }, { n: 2 }], 'the records before the failing one');
    assert.deepEqual(offsets.written.at(-1), { n: 2 }, "their offsets, not the failing record's");
  });
});
