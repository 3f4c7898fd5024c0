import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Status, StatusListener } from '../worker/status.js';
import { AutoRestarter, STABLE_MS, type Clock } from './auto-restarter.js';

/** Time that moves only when the test says so; timers fire in order as it passes them. */
class ManualClock implements Clock {
  private t = 1_000_000;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private nextId = 1;
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== h);
  }
  get pending(): number[] {
    return this.timers.map((x) => x.at - this.t);
  }
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = due.at;
      due.fn();
      await new Promise((r) => setImmediate(r));
    }
    this.t = end;
  }
}

class Recorder implements StatusListener {
  readonly tasks: Array<[string, number, Status]> = [];
  readonly connectors: Array<[string, Status]> = [];
  onConnector(name: string, s: Status): void {
    this.connectors.push([name, s]);
  }
  onTask(c: string, t: number, s: Status): void {
    this.tasks.push([c, t, s]);
  }
  lastTask(): Status {
    return this.tasks.at(-1)![2];
  }
}

const logger = { debug() {}, info() {}, warn() {}, error() {} };
const defaults = { enabled: true, maxRestarts: 3, initialMs: 10_000, maxMs: 1_800_000 };
const failed = (trace = 'Error: disk full\n    at write'): Status => ({ state: 'FAILED', workerId: 'w1', trace });
const running: Status = { state: 'RUNNING', workerId: 'w1' };

function setup(config: Record<string, string> = {}, dflt = defaults) {
  const clock = new ManualClock();
  const out = new Recorder();
  const r = new AutoRestarter(out, dflt, logger, clock);
  const restarts: string[] = [];
  let failOnRestart = true;
  r.attach({
    config: (name) => (name === 'gone' ? undefined : config),
    restartConnector: async (name) => {
      restarts.push(name);
      r.onConnector(name, running);
    },
    restartTask: async (name, task) => {
      restarts.push(`${name}-${task}`);
      r.onTask(name, task, running);
      if (failOnRestart) r.onTask(name, task, failed());
    },
  });
  return {
    clock,
    out,
    r,
    restarts,
    recover: () => {
      failOnRestart = false;
    },
  };
}

describe('AutoRestarter', () => {
  it('restarts a FAILED task after 10 s, then 20 s, 40 s, and gives up at the limit with a clear trace', async () => {
    const { clock, out, r, restarts } = setup();
    r.onTask('sink', 0, failed());
    assert.deepEqual(clock.pending, [10_000]);
    assert.equal(out.lastTask().nextRestartAt, clock.now() + 10_000);
    await clock.advance(9_999);
    assert.deepEqual(restarts, []);
    await clock.advance(1);
    assert.deepEqual(restarts, ['sink-0']);
    assert.deepEqual(clock.pending, [20_000]);
    await clock.advance(20_000);
    assert.deepEqual(clock.pending, [40_000]);
    await clock.advance(40_000);
    assert.equal(restarts.length, 3);
    assert.deepEqual(clock.pending, [], 'no fourth restart: the limit is 3');
    const last = out.lastTask();
    assert.equal(last.state, 'FAILED');
    assert.equal(last.restarts, 3);
    assert.equal(last.nextRestartAt, undefined);
    assert.match(
      last.trace!,
      /^Auto-restart gave up: task sink-0 failed again within 60 s of each of its last 3 restarts \(auto.restart.max.restarts=3\)/,
    );
    assert.match(last.trace!, /disk full/);
    assert.equal(r.info('sink', 0)!.history.length, 3);
  });

  it('a task that ran for over a minute after a restart starts the count afresh', async () => {
    const { clock, r, restarts, recover } = setup({ 'auto.restart.max.restarts': '1' });
    recover();
    r.onTask('sink', 0, failed());
    await clock.advance(10_000);
    assert.deepEqual(restarts, ['sink-0']);
    await clock.advance(STABLE_MS + 1);
    r.onTask('sink', 0, failed());
    assert.deepEqual(clock.pending, [10_000], 'the first wait again, and no giving up');
    await clock.advance(10_000);
    assert.equal(restarts.length, 2);
    assert.equal(r.info('sink', 0)!.restarts, 2);
    r.onTask('sink', 0, failed());
    assert.deepEqual(clock.pending, [], 'within a minute: the second in a row is over the limit of 1');
  });

  it('the wait doubles up to auto.restart.backoff.max.ms', async () => {
    const { clock, r } = setup({
      'auto.restart.backoff.initial.ms': '1000',
      'auto.restart.backoff.max.ms': '3000',
      'auto.restart.max.restarts': '10',
    });
    r.onTask('sink', 0, failed());
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      waits.push(clock.pending[0]!);
      await clock.advance(clock.pending[0]!);
    }
    assert.deepEqual(waits, [1000, 2000, 3000, 3000]);
  });

  it('does nothing when disabled (the default), and a connector key turns it on', async () => {
    const off = setup({}, { ...defaults, enabled: false });
    off.r.onTask('sink', 0, failed());
    assert.deepEqual(off.clock.pending, []);
    assert.equal(off.out.lastTask().restarts, undefined);
    const on = setup({ 'auto.restart.enabled': 'true' }, { ...defaults, enabled: false });
    on.r.onTask('sink', 0, failed());
    assert.deepEqual(on.clock.pending, [10_000]);
    const optedOut = setup({ 'auto.restart.enabled': 'false' });
    optedOut.r.onTask('sink', 0, failed());
    assert.deepEqual(optedOut.clock.pending, []);
  });

  it('a restart by hand cancels the planned one; repeated FAILED reports plan only one', async () => {
    const { clock, r, restarts, out } = setup();
    r.onTask('sink', 0, failed());
    r.onTask('sink', 0, failed('again'));
    assert.deepEqual(clock.pending, [10_000]);
    r.onTask('sink', 0, running);
    assert.deepEqual(clock.pending, []);
    assert.equal(out.lastTask().nextRestartAt, undefined);
    await clock.advance(60_000);
    assert.deepEqual(restarts, []);
  });

  it('a stopped connector has no restart planned, and keeps its history', async () => {
    const { clock, r } = setup();
    r.onTask('sink', 0, failed());
    await clock.advance(10_000);
    assert.deepEqual(clock.pending, [20_000]);
    r.cancel('sink');
    assert.deepEqual(clock.pending, []);
    assert.equal(r.info('sink', 0)!.restarts, 1);
    assert.equal(r.info('sink', 0)!.nextRestartAt, null);
  });

  it('restarts a FAILED connector, and forgets one that was deleted', async () => {
    const { clock, r, restarts } = setup();
    r.onConnector('src', failed());
    await clock.advance(10_000);
    assert.deepEqual(restarts, ['src']);
    r.onConnector('gone', failed());
    assert.deepEqual(clock.pending, [], 'no config: nothing to restart');
    r.onTask('src', 1, failed());
    r.forget('src');
    assert.deepEqual(clock.pending, []);
  });
});
