import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { appendLines, numberedLine, sinkLines } from '../support/lines.js';
import { ensureService } from '../support/services.js';
import { WorkerProcess, tempDir, waitFor } from '../support/worker-process.js';

type TaskStatus = {
  id: number;
  state: string;
  worker_id: string;
  trace?: string;
  restarts?: number;
  next_restart_at?: string;
};
type Status = { connector: { state: string }; tasks: TaskStatus[] };

describe('auto-restart in a cluster of two workers on the real broker', () => {
  const group = `tributary-autorestart-${Date.now()}`;
  let workers: WorkerProcess[] = [];
  let dir = '';
  before(async () => {
    ensureService('kafka');
    dir = await tempDir('tributary-autorestart-');
    workers = await Promise.all([0, 1].map(() => WorkerProcess.distributed(group)));
    for (const w of workers) await w.start();
    for (const w of workers)
      await waitFor(
        `${w.url} in the cluster`,
        async () => (await w.request('GET', '/health')).status === 200,
        60_000,
        250,
      );
  });
  after(async () => {
    for (const w of workers) await w.kill();
  });

  const post = async (w: WorkerProcess, body: unknown) =>
    assert.equal((await w.requestOutsideRebalance('POST', '/connectors', body)).status, 201);

  const task = async (w: WorkerProcess, name: string): Promise<TaskStatus | undefined> =>
    (await w.request<Status>('GET', `/connectors/${name}/status`)).body.tasks?.[0];

  it('restarts a FAILED sink task with backoff until its path is back, and every worker shows restarts and next_restart_at', async () => {
    const input = join(dir, 'in.txt');
    const outDir = join(dir, 'out');
    const output = join(outDir, 'out.txt');
    const topic = `${group}-lines`;
    await appendLines(input, 0, 1000);
    await post(workers[0]!, { name: 'src', config: { 'connector.class': 'FileStreamSource', file: input, topic } });
    await post(workers[1]!, {
      name: 'dst',
      config: {
        'connector.class': 'FileStreamSink',
        file: output,
        topics: topic,
        'auto.restart.enabled': 'true',
        'auto.restart.backoff.initial.ms': '1000',
        'auto.restart.backoff.max.ms': '4000',
      },
    });
    // Any worker, whichever runs the task, shows the failure and the restart planned.
    for (const w of workers) {
      await waitFor(
        `the failure and a planned restart on ${w.url}`,
        async () => {
          const t = await task(w, 'dst');
          return t?.state === 'FAILED' && /ENOENT/.test(t.trace ?? '') && t.next_restart_at ? t : null;
        },
        60_000,
        100,
      );
    }
    const planned = await waitFor(
      'a restart made',
      async () => {
        const t = await task(workers[0]!, 'dst');
        return (t?.restarts ?? 0) >= 1 ? t : null;
      },
      30_000,
      200,
    );
    assert.ok(Date.parse(planned!.next_restart_at ?? new Date().toISOString()) > 0);

    await mkdir(outDir);
    for (const w of workers) {
      await waitFor(
        `dst RUNNING again on ${w.url}`,
        async () => {
          const t = await task(w, 'dst');
          return t?.state === 'RUNNING' && (t.restarts ?? 0) >= 1 && t.next_restart_at === undefined ? t : null;
        },
        30_000,
        200,
      );
    }
    const out = await waitFor(
      'every line in the sink',
      async () => {
        const l = await sinkLines(output);
        return l.length >= 1000 ? l : null;
      },
      60_000,
    );
    assert.equal(out.at(-1), numberedLine(999));
    const runner = (await task(workers[0]!, 'dst'))!.worker_id;
    const owner = workers.find((w) => w.url.endsWith(runner))!;
    assert.match(
      await (await fetch(`${owner.url}/metrics`)).text(),
      /tributary_auto_restarts_total\{connector="dst",task="0"\} [1-9]/,
    );
    // The restart history, kept by the worker that made the restarts, is served by any worker.
    for (const w of workers) {
      const r = (
        await w.request<{
          tasks: Array<{ id: number; restarts: number; history: Array<{ at: number; reason: string }> }>;
        }>('GET', '/tributary/connectors/dst/restarts')
      ).body;
      assert.ok(r.tasks[0]!.restarts >= 1, `restarts on ${w.url}`);
      assert.match(r.tasks[0]!.history[0]!.reason, /ENOENT/);
    }
    // The console's figures: any worker reports every task of the cluster, counted by the worker that runs it.
    for (const w of workers) {
      await waitFor(
        `both tasks' figures on ${w.url}`,
        async () => {
          const m = (
            await w.request<{ tasks: Array<{ connector: string; worker_id: string; written: number }> }>(
              'GET',
              '/tributary/metrics',
            )
          ).body;
          const src = m.tasks.find((t) => t.connector === 'src');
          const dst = m.tasks.find((t) => t.connector === 'dst');
          return src && dst && src.written >= 1000 && dst.written >= 1000 && dst.worker_id === runner ? m : null;
        },
        20_000,
        500,
      );
    }
  });

  it('gives up after auto.restart.max.restarts with a clear message, shown by every worker', async () => {
    const topic = `${group}-never`;
    await post(workers[1]!, {
      name: 'doomed',
      config: {
        'connector.class': 'FileStreamSink',
        file: join(dir, 'missing', 'out.txt'),
        topics: topic,
        'auto.restart.enabled': 'true',
        'auto.restart.max.restarts': '2',
        'auto.restart.backoff.initial.ms': '500',
      },
    });
    for (const w of workers) {
      const t = await waitFor(
        `doomed given up on ${w.url}`,
        async () => {
          const s = await task(w, 'doomed');
          return s?.state === 'FAILED' && s.trace?.startsWith('Auto-restart gave up') ? s : null;
        },
        60_000,
        200,
      );
      assert.equal(t.restarts, 2);
      assert.equal(t.next_restart_at, undefined);
      assert.match(t.trace!, /auto\.restart\.max\.restarts=2\)\. Fix the cause and restart it by hand\./);
      assert.match(t.trace!, /ENOENT/);
    }
    const info = (
      await workers[1]!.request<{ mode: string; cluster: { leader_url: string; members: string[] } }>(
        'GET',
        '/tributary/worker',
      )
    ).body;
    assert.equal(info.mode, 'distributed');
    assert.ok(info.cluster.leader_url.startsWith('http://127.0.0.1:'));
  });
});
