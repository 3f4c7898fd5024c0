import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceRecord } from '@tributary/connect-api';
import { SinkTaskRunner } from './sink-task-runner.js';
import { SourceTaskRunner } from './source-task-runner.js';
import {
  FakeConsumer,
  FakeProducer,
  ScriptedSinkTask,
  ScriptedSourceTask,
  StatusLog,
  logRecord,
  sinkDeps,
  sourceDeps,
  sourceRecord,
  until,
} from './test-support.js';

const dlqConfig = { 'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': 'dlq' };

describe('runners close the log clients they own', () => {
  it('a source task closes its producer and its DLQ producer once when it stops', async () => {
    const producer = new FakeProducer();
    const dlq = new FakeProducer();
    const task = new ScriptedSourceTask([[sourceRecord(1)]]);
    const runner = new SourceTaskRunner(sourceDeps(task, producer, { dlq, config: dlqConfig }), 'STARTED');
    runner.start();
    await until(() => producer.sent.length === 1);
    await runner.stop();
    await runner.stop();
    assert.deepEqual([producer.closes, dlq.closes, task.stops], [1, 1, 1]);
  });

  it('a sink task closes its consumer and its DLQ producer once when it stops', async () => {
    const consumer = new FakeConsumer([[logRecord(0)]]);
    const dlq = new FakeProducer();
    const task = new ScriptedSinkTask();
    const runner = new SinkTaskRunner(sinkDeps(task, consumer, { dlq, config: dlqConfig }), 'STARTED');
    runner.start();
    await until(() => task.puts.length > 0);
    await runner.stop();
    await runner.stop();
    assert.deepEqual([consumer.closes, dlq.closes, task.stops], [1, 1, 1]);
  });

  it('a task that failed to start still closes its clients', async () => {
    const status = new StatusLog();
    const producer = new FakeProducer();
    const dlq = new FakeProducer();
    const source = new SourceTaskRunner(
      sourceDeps(new ScriptedSourceTask([], new Error('bad credentials')), producer, {
        dlq,
        status,
        config: dlqConfig,
      }),
      'STARTED',
    );
    source.start();
    await until(() => status.last?.state === 'FAILED');
    await until(() => producer.closes === 1 && dlq.closes === 1);

    const consumer = new FakeConsumer();
    const sinkDlq = new FakeProducer();
    const sink = new SinkTaskRunner(
      sinkDeps(new ScriptedSinkTask([], new Error('bad credentials')), consumer, {
        dlq: sinkDlq,
        status,
        config: dlqConfig,
      }),
      'STARTED',
    );
    sink.start();
    await until(() => consumer.closes === 1 && sinkDlq.closes === 1);
    await source.stop();
    await sink.stop();
    assert.deepEqual([producer.closes, dlq.closes, consumer.closes, sinkDlq.closes], [1, 1, 1, 1]);
  });

  it('a task stopped before it started closes its clients', async () => {
    const producer = new FakeProducer();
    const runner = new SourceTaskRunner(sourceDeps(new ScriptedSourceTask(), producer), 'STARTED');
    await runner.stop();
    assert.equal(producer.closes, 1);
  });

  it('a task abandoned after task.shutdown.graceful.timeout.ms has its clients closed at once', async () => {
    let release!: () => void;
    const stuck = new ScriptedSourceTask();
    stuck.poll = () =>
      new Promise<SourceRecord[] | null>((r) => {
        release = () => r(null);
      });
    const producer = new FakeProducer();
    const runner = new SourceTaskRunner(sourceDeps(stuck, producer, { shutdownTimeoutMs: 30 }), 'STARTED');
    runner.start();
    await until(() => release !== undefined);
    await runner.stop();
    assert.equal(producer.closes, 1);
    release();
    await until(() => stuck.stops === 1);
    assert.equal(producer.closes, 1, 'closed once, not again when the abandoned loop ends');
  });

  it('50 restarts of a source and a sink task leave no client open', async () => {
    const opened: Array<FakeProducer | FakeConsumer> = [];
    for (let i = 0; i < 50; i++) {
      const producer = new FakeProducer();
      const dlq = new FakeProducer();
      const consumer = new FakeConsumer([[logRecord(i)]]);
      const sinkDlq = new FakeProducer();
      opened.push(producer, dlq, consumer, sinkDlq);
      const source = new SourceTaskRunner(
        sourceDeps(new ScriptedSourceTask([[sourceRecord(i)]]), producer, { dlq, config: dlqConfig }),
        'STARTED',
      );
      const sink = new SinkTaskRunner(
        sinkDeps(new ScriptedSinkTask(), consumer, { dlq: sinkDlq, config: dlqConfig }),
        'STARTED',
      );
      source.start();
      sink.start();
      await Promise.all([source.stop(), sink.stop()]);
    }
    assert.equal(opened.filter((c) => c.closes !== 1).length, 0);
  });
});
