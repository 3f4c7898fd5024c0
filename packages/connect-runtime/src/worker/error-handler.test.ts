import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError, RetriableError } from '@tributary/connect-api';
import { openEmbeddedLog } from '../log/embedded/index.js';
import type { Log, LogRecord } from '../log/log.js';
import { ErrorHandler, type Stage } from './error-handler.js';
import { FakeClock, silentLogger } from './test-support.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const logs: Log[] = [];
after(async () => {
  for (const l of logs) await l.close();
});

async function embedded(): Promise<Log> {
  const log = await openEmbeddedLog({
    dir: await mkdtemp(join(tmpdir(), 'error-handler-')),
    logger: silentLogger as never,
  });
  logs.push(log);
  return log;
}

async function readAll(log: Log, topic: string, n: number, ms = 3000): Promise<LogRecord[]> {
  const c = log.consumer({ topics: [topic] });
  await c.start();
  const out: LogRecord[] = [];
  const end = Date.now() + ms;
  while (out.length < n && Date.now() < end) out.push(...(await c.poll(50)));
  await c.close();
  return out;
}

const handler = (config: Record<string, string>, log?: Log, lines: string[] = []) =>
  new ErrorHandler({
    connector: 'orders',
    taskId: 2,
    config: { name: 'orders', 'connector.class': 'X', ...config },
    logger: {
      ...silentLogger,
      error: (_o: unknown, msg?: string) => {
        lines.push(String(msg));
      },
    },
    producer: log?.producer(),
    clock: new FakeClock(),
  });

describe('ErrorHandler', () => {
  it('with errors.tolerance=none rethrows the error of any stage, logging it', async () => {
    const lines: string[] = [];
    const h = handler({}, undefined, lines);
    const err = new DataError('bad row');
    await assert.rejects(h.handle(err, { stage: 'VALUE_CONVERTER' }), (e) => e === err);
    assert.deepEqual(lines, ['Error encountered in task orders-2 at stage VALUE_CONVERTER']);
    assert.equal(h.skipped, 0);
    assert.equal(h.hasReporter, false);
  });

  it('with errors.tolerance=all skips converter, transform, poll and put failures, silently unless errors.log.enable', async () => {
    const quiet: string[] = [];
    const h = handler({ 'errors.tolerance': 'all' }, undefined, quiet);
    for (const stage of [
      'KEY_CONVERTER',
      'VALUE_CONVERTER',
      'HEADER_CONVERTER',
      'TRANSFORMATION',
      'TASK_POLL',
      'TASK_PUT',
    ] as Stage[]) {
      await h.handle(new DataError(stage), { stage });
    }
    assert.equal(h.skipped, 6);
    assert.deepEqual(quiet, []);
    const logged: string[] = [];
    const loud = handler({ 'errors.tolerance': 'all', 'errors.log.enable': 'true' }, undefined, logged);
    await loud.handle(new DataError('x'), { stage: 'TRANSFORMATION' });
    assert.equal(logged.length, 1);
    assert.equal(loud.hasReporter, true);
  });

  it('does not tolerate a non-retriable failure of a stage outside the record path (KAFKA_CONSUME)', async () => {
    const h = handler({ 'errors.tolerance': 'all' });
    await assert.rejects(h.handle(new Error('broker says no'), { stage: 'KAFKA_CONSUME' }), /broker says no/);
    await h.handle(new RetriableError('away for now'), { stage: 'KAFKA_CONSUME' });
    assert.equal(h.skipped, 1, 'a retriable one is tolerated');
  });

  it("dead-letters the original bytes with Connect's context headers on the embedded log", async () => {
    const log = await embedded();
    const h = handler(
      {
        'errors.tolerance': 'all',
        'errors.deadletterqueue.topic.name': 'orders-dlq',
        'errors.deadletterqueue.context.headers.enable': 'true',
      },
      log,
    );
    await h.handle(new DataError('Unexpected end of JSON input'), {
      stage: 'VALUE_CONVERTER',
      topic: 'orders',
      partition: 0,
      offset: 41,
      key: enc.encode('k1'),
      value: enc.encode('{"id":'),
      headers: [{ key: 'trace', value: enc.encode('abc') }],
    });
    await h.close();
    const [rec] = await readAll(log, 'orders-dlq', 1);
    assert.ok(rec);
    assert.equal(dec.decode(rec.key!), 'k1');
    assert.equal(dec.decode(rec.value!), '{"id":');
    const headers = Object.fromEntries(rec.headers.map((x) => [x.key, x.value === null ? null : dec.decode(x.value)]));
    assert.equal(headers.trace, 'abc', "the record's own headers come first");
    assert.deepEqual(
      [headers['__connect.errors.topic'], headers['__connect.errors.partition'], headers['__connect.errors.offset']],
      ['orders', '0', '41'],
    );
    assert.deepEqual(
      [
        headers['__connect.errors.connector.name'],
        headers['__connect.errors.task.id'],
        headers['__connect.errors.stage'],
      ],
      ['orders', '2', 'VALUE_CONVERTER'],
    );
    assert.equal(headers['__connect.errors.exception.class.name'], 'DataError');
    assert.equal(headers['__connect.errors.exception.message'], 'Unexpected end of JSON input');
    assert.match(String(headers['__connect.errors.exception.stacktrace']), /DataError: Unexpected end of JSON input/);
  });

  it('leaves out the context headers unless asked, and never dead-letters what the log itself refused', async () => {
    const log = await embedded();
    const h = handler({ 'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': 'dlq' }, log);
    await h.handle(new DataError('x'), { stage: 'TRANSFORMATION', value: enc.encode('v') });
    await h.handle(new DataError('record too large'), { stage: 'KAFKA_PRODUCE', value: enc.encode('huge') });
    await h.close();
    const recs = await readAll(log, 'dlq', 2, 300);
    assert.deepEqual(
      recs.map((r) => dec.decode(r.value!)),
      ['v'],
    );
    assert.deepEqual(recs[0]!.headers, []);
    assert.equal(h.skipped, 2);
  });

  it('refuses an errors.* value that does not parse', () => {
    assert.throws(() => handler({ 'errors.tolerance': 'some' }), /errors\.tolerance/);
  });
});
