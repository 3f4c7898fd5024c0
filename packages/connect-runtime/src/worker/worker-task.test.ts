import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sleep } from '@tributary/connect-api';
import { closeAll, WorkerTask } from './worker-task.js';
import { silentLogger, StatusLog, until } from './test-support.js';

/** A runner whose steps are scripted: counts iterations, can fail or hang on purpose. */
class ScriptedRunner extends WorkerTask {
  iterations = 0;
  closes: boolean[] = [];
  clientCloses = 0;
  constructor(
    status: StatusLog,
    private readonly script: { initError?: Error; iterate?: (n: number, signal: AbortSignal) => Promise<void> } = {},
    shutdownTimeoutMs = 500,
    paused = false,
  ) {
    super(
      { connector: 'c', taskId: 1, workerId: 'w1', logger: silentLogger, status, shutdownTimeoutMs },
      paused ? 'PAUSED' : 'STARTED',
    );
  }
  protected async initialize(): Promise<void> {
    if (this.script.initError) throw this.script.initError;
  }
  protected async iteration(): Promise<void> {
    this.iterations++;
    await (this.script.iterate ?? (() => sleep(2)))(this.iterations, this.signal);
  }
  protected async close(failed: boolean): Promise<void> {
    this.closes.push(failed);
  }
  protected async closeClients(): Promise<void> {
    this.clientCloses++;
  }
}

describe('WorkerTask', () => {
  it('reports RUNNING, PAUSED and RUNNING again, and does not iterate while paused', async () => {
    const status = new StatusLog();
    const t = new ScriptedRunner(status);
    t.start();
    await until(() => t.iterations > 2);
    t.setTargetState('PAUSED');
    await sleep(20);
    const frozen = t.iterations;
    await sleep(30);
    assert.ok(t.iterations <= frozen + 1, 'at most the iteration in flight finishes');
    t.setTargetState('STARTED');
    await until(() => t.iterations > frozen + 2);
    await t.stop();
    assert.deepEqual(
      status.tasks.map((s) => s.state),
      ['RUNNING', 'PAUSED', 'RUNNING'],
    );
    assert.deepEqual([t.closes, t.clientCloses, t.state], [[false], 1, 'UNASSIGNED']);
  });

  it('starts PAUSED when asked, and stop() wakes it at once', async () => {
    const status = new StatusLog();
    const t = new ScriptedRunner(status, {}, 500, true);
    t.start();
    await until(() => status.last?.state === 'PAUSED');
    const started = Date.now();
    await t.stop();
    assert.ok(Date.now() - started < 200);
    assert.equal(t.iterations, 0);
  });

  it('goes FAILED with the trace when start or an iteration throws, closes once and keeps the state', async () => {
    const status = new StatusLog();
    const t = new ScriptedRunner(status, { initError: new Error('bad credentials') });
    t.start();
    await until(() => status.last?.state === 'FAILED');
    await until(() => t.clientCloses === 1);
    assert.match(status.last!.trace!, /bad credentials/);
    assert.deepEqual([t.closes, t.state], [[true], 'FAILED']);

    const s2 = new StatusLog();
    const t2 = new ScriptedRunner(s2, {
      iterate: async (n) => {
        if (n === 3) throw new Error('put exploded');
      },
    });
    t2.start();
    await until(() => s2.last?.state === 'FAILED');
    assert.match(s2.last!.trace!, /put exploded/);
    await t2.stop();
    assert.equal(t2.clientCloses, 1);
  });

  it('abandons an iteration that ignores the stop signal after the shutdown timeout, closing its clients', async () => {
    const status = new StatusLog();
    const t = new ScriptedRunner(status, { iterate: () => new Promise(() => {}) }, 50);
    t.start();
    await until(() => t.iterations === 1);
    const started = Date.now();
    await t.stop();
    const took = Date.now() - started;
    assert.ok(took >= 45 && took < 500, `abandoned after ${took} ms`);
    assert.equal(t.clientCloses, 1);
    assert.deepEqual(t.closes, [], 'the final commit never ran: its records are delivered again after a restart');
  });

  it('a stop before start closes the clients and nothing else', async () => {
    const t = new ScriptedRunner(new StatusLog());
    await t.stop();
    await t.stop();
    assert.deepEqual([t.clientCloses, t.iterations], [1, 0]);
  });

  it('closeAll runs every close even after one failed, and rejects with the first failure', async () => {
    const ran: string[] = [];
    await assert.rejects(
      closeAll([
        async () => {
          ran.push('a');
          throw new Error('a failed');
        },
        async () => {
          ran.push('b');
        },
        () => {
          ran.push('c');
          return undefined;
        },
      ]),
      /a failed/,
    );
    assert.deepEqual(ran, ['a', 'b', 'c']);
  });
});
