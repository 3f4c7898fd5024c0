import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, loggerLevels, loggerName } from './logging.js';

/** A root logger writing to memory, and the messages it has written. */
function capture() {
  const lines: Array<{ level: number; msg: string; connector?: string; task?: number }> = [];
  const out = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  const saved = process.env.TRIBUTARY_LOG_LEVEL;
  process.env.TRIBUTARY_LOG_LEVEL = 'info';
  const root = createLogger('test', out);
  if (saved === undefined) delete process.env.TRIBUTARY_LOG_LEVEL;
  else process.env.TRIBUTARY_LOG_LEVEL = saved;
  return { root, msgs: () => lines.map((l) => l.msg) };
}

describe('logger levels per name (/admin/loggers)', () => {
  it('names loggers after what they are bound to', () => {
    assert.equal(loggerName({ component: 'rest' }), 'runtime');
    assert.equal(loggerName({ connector: 'orders' }), 'connector.orders');
    assert.equal(loggerName({ connector: 'orders', task: 2 }), 'connector.orders.task.2');
  });

  it('a level set on a connector reaches its tasks, their children and later loggers, and no other connector', () => {
    const { root, msgs } = capture();
    const levels = loggerLevels(root);
    const task = root.child({ connector: 'a', task: 0 });
    const taskPart = task.child({ component: 'reader' });
    const other = root.child({ connector: 'ab' });
    task.debug('hidden');
    assert.deepEqual(levels.setLevel('connector.a', 'debug', 1000), ['connector.a', 'connector.a.task.0']);
    task.debug('task debug');
    taskPart.debug('child debug');
    other.debug('other debug');
    root.debug('runtime debug');
    root.child({ connector: 'a', task: 1 }).debug('new task debug');
    assert.deepEqual(msgs(), ['task debug', 'child debug', 'new task debug']);
    assert.deepEqual(levels.describe('connector.a.task.0'), { level: 'DEBUG', last_modified: 1000 });
    assert.deepEqual(levels.describe('connector.ab'), { level: 'INFO', last_modified: null });
    assert.equal(levels.describe('connector.nope'), undefined);
    assert.deepEqual(Object.keys(levels.list()), ['connector.a', 'connector.a.task.0', 'root']);
  });

  it('root sets every logger, the runtime included; OFF silences; an unknown level is refused', () => {
    const { root, msgs } = capture();
    const levels = loggerLevels(root);
    const c = root.child({ connector: 'c' });
    assert.deepEqual(levels.list(), { root: { level: 'INFO', last_modified: null } });
    const affected = levels.setLevel('root', 'WARN');
    assert.ok(affected.includes('root') && affected.includes('runtime') && affected.includes('connector.c'));
    root.info('runtime info');
    c.info('connector info');
    c.warn('connector warn');
    levels.setLevel('connector.c', 'OFF');
    c.error('silenced');
    root.warn('runtime warn');
    assert.deepEqual(msgs(), ['connector warn', 'runtime warn']);
    assert.equal(levels.describe('root')!.level, 'WARN');
    assert.throws(() => levels.setLevel('runtime', 'LOUD'), /invalid log level 'LOUD'/);
  });
});
