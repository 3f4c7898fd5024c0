import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectError, RetriableError } from '@tributary/connect-api';
import { SinkTaskRunner } from './sink-task-runner.js';
import { SourceTaskRunner } from './source-task-runner.js';
import {
  FakeClock,
  FakeConsumer,
  FakeProducer,
  ScriptedSinkTask,
  ScriptedSourceTask,
  StatusLog,
  flakyLookup,
  jsonConverters,
  logRecord,
  memoryOffsets,
  sinkDeps,
  sourceDeps,
  sourceRecord,
  until,
} from './test-support.js';

const away = () => new RetriableError('log away', { code: 'LOG_UNAVAILABLE' });

describe('SourceTaskRunner retries', () => {
  it('waits out a log outage with errors.retry.timeout=0: nothing lost, the task keeps running', async () => {
    const producer = new FakeProducer([away(), away(), away(), away(), away()]);
    const task = new ScriptedSourceTask([[sourceRecord(1), sourceRecord(2)]]);
    const clock = new FakeClock();
    const status = new StatusLog();
    const runner = new SourceTaskRunner(sourceDeps(task, producer, { clock, status }), 'STARTED');
    runner.start();
    await until(() => producer.sent.length === 1);
    assert.deepEqual(
      producer.sent[0]!.map((r) => r.value && JSON.parse(new TextDecoder().decode(r.value))),
      [{ n: 1 }, { n: 2 }],
    );
    assert.deepEqual(clock.waits, [300, 600, 1200, 2400, 4800]);
    await until(() => task.committed.length === 2);
    assert.ok(task.committed.every((c) => c.acked));
    await runner.stop();
    assert.equal(
      status.tasks.some((s) => s.state === 'FAILED'),
      false,
    );
  });

  it('with errors.tolerance=ALL skips a batch the log refuses for good, and the task goes on', async () => {
    const refused = new ConnectError('record too large', { code: 'MESSAGE_TOO_LARGE' });
    const producer = new FakeProducer([refused]);
    const task = new ScriptedSourceTask([[sourceRecord(1)], [sourceRecord(2)]]);
    const offsets = memoryOffsets();
    const runner = new SourceTaskRunner(
      sourceDeps(task, producer, { config: { 'errors.tolerance': 'ALL' }, offsets }),
      'STARTED',
    );
    runner.start();
    await until(() => task.committed.length === 2);
    const acked = (n: number) => task.committed.find((c) => (c.record.value as { n: number }).n === n)!.acked;
    assert.deepEqual([acked(1), acked(2)], [false, true]);
    await runner.stop();
    assert.deepEqual(offsets.written.at(-1), { n: 2 });
    assert.notEqual(runner.state, 'FAILED');
  });

  it('with errors.tolerance=none fails on a refused batch and commits nothing for it', async () => {
    const producer = new FakeProducer([new ConnectError('record too large')]);
    const task = new ScriptedSourceTask([[sourceRecord(1)]]);
    const status = new StatusLog();
    const offsets = memoryOffsets();
    const runner = new SourceTaskRunner(sourceDeps(task, producer, { status, offsets }), 'STARTED');
    runner.start();
    await until(() => status.last?.state === 'FAILED');
    await runner.stop();
    assert.deepEqual(offsets.written, []);
  });

  it('retries converter preparation within errors.retry.timeout, then errors.tolerance decides', async () => {
    // 3 failures need 300 + 600 + 1200 ms: a 5 s timeout rides them out.
    const clock = new FakeClock();
    const producer = new FakeProducer();
    const r1 = new SourceTaskRunner(
      sourceDeps(new ScriptedSourceTask([[sourceRecord(1)]]), producer, {
        clock,
        converters: jsonConverters(flakyLookup(3)),
        config: { 'errors.retry.timeout': '5000' },
      }),
      'STARTED',
    );
    r1.start();
    await until(() => producer.sent.length === 1);
    assert.deepEqual(clock.waits, [300, 600, 1200]);
    await r1.stop();

    // The default timeout (0) does not retry: with tolerance ALL the record is skipped.
    const task = new ScriptedSourceTask([[sourceRecord(1), sourceRecord(2)]]);
    const p2 = new FakeProducer();
    const r2 = new SourceTaskRunner(
      sourceDeps(task, p2, { converters: jsonConverters(flakyLookup(1)), config: { 'errors.tolerance': 'all' } }),
      'STARTED',
    );
    r2.start();
    await until(() => task.committed.length === 2);
    assert.deepEqual(
      task.committed.map((c) => c.acked),
      [false, true],
    );
    await r2.stop();
  });
});

describe('SinkTaskRunner retries', () => {
  it('joins the group through a log outage', async () => {
    const consumer = new FakeConsumer([[logRecord(0)]], [away(), away()]);
    const task = new ScriptedSinkTask();
    const clock = new FakeClock();
    const runner = new SinkTaskRunner(sinkDeps(task, consumer, { clock }), 'STARTED');
    runner.start();
    await until(() => task.puts.some((b) => b.length === 1));
    assert.deepEqual(clock.waits, [300, 600]);
    await runner.stop();
  });

  it('re-delivers the same batch after a retriable put(), waiting ctx.timeout once, then the backoff', async () => {
    const consumer = new FakeConsumer([[logRecord(0), logRecord(1)]]);
    const clock = new FakeClock();
    const task = new ScriptedSinkTask([
      (ctx: { timeout(ms: number): void }) => {
        ctx.timeout(2500);
        throw new RetriableError('es away');
      },
      new RetriableError('es away'),
    ]);
    const runner = new SinkTaskRunner(sinkDeps(task, consumer, { clock }), 'STARTED');
    runner.start();
    await until(() => task.puts.filter((b) => b.length === 2).length === 3);
    assert.deepEqual(clock.waits, [2500, 600]);
    const offsets = task.puts.filter((b) => b.length === 2).map((b) => b.map((r) => r.kafkaOffset));
    assert.deepEqual(offsets, [
      [0, 1],
      [0, 1],
      [0, 1],
    ]);
    await runner.stop();
    assert.deepEqual(consumer.committed.at(-1), { topic: 'in', partition: 0, offset: 2 });
  });

  it('dead-letters a record whose converter stays unprepared past errors.retry.timeout (tolerance all)', async () => {
    const consumer = new FakeConsumer([[logRecord(0), logRecord(1)]]);
    const dlq = new FakeProducer([away()]);
    const task = new ScriptedSinkTask();
    const clock = new FakeClock();
    const runner = new SinkTaskRunner(
      sinkDeps(task, consumer, {
        clock,
        dlq,
        converters: jsonConverters(flakyLookup(1)),
        config: { 'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': 'dlq' },
      }),
      'STARTED',
    );
    runner.start();
    await until(() => task.puts.some((b) => b.length === 1));
    assert.deepEqual(
      task.puts.find((b) => b.length === 1)!.map((r) => r.kafkaOffset),
      [1],
    );
    assert.equal(dlq.sent.length, 1, 'the DLQ write waited out its own log outage');
    assert.equal(dlq.sent[0]![0]!.topic, 'dlq');
    assert.deepEqual(clock.waits, [300]);
    await runner.stop();
  });

  it('fails the task when a converter stays unprepared and errors.tolerance=none', async () => {
    const status = new StatusLog();
    const consumer = new FakeConsumer([[logRecord(0)]]);
    const runner = new SinkTaskRunner(
      sinkDeps(new ScriptedSinkTask(), consumer, {
        status,
        converters: jsonConverters(flakyLookup(Infinity)),
        config: { 'errors.retry.timeout': '1000' },
      }),
      'STARTED',
    );
    runner.start();
    await until(() => status.last?.state === 'FAILED');
    await runner.stop();
    assert.deepEqual(consumer.committed, []);
  });
});
