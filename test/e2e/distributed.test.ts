import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { appendLines, numberedLine, sinkLines } from '../support/lines.js';
import { ensureService, stopService } from '../support/services.js';
import { WorkerProcess, tempDir, waitFor } from '../support/worker-process.js';

const LINES = 500_000;
const line = (i: number) => numberedLine(i, 60, 'y');

type Status = {
  connector: { state: string; worker_id: string };
  tasks: Array<{ id: number; state: string; worker_id: string }>;
};

describe('distributed: three workers on the real broker', () => {
  const group = `tributary-it-${Date.now()}`;
  let workers: WorkerProcess[] = [];
  let dir = '';
  before(async () => {
    ensureService('kafka');
    dir = await tempDir('tributary-cluster-');
    workers = await Promise.all([0, 1, 2].map(() => WorkerProcess.distributed(group)));
    for (const w of workers) await w.start();
    for (const w of workers)
      await waitFor(
        `${w.url} in the cluster`,
        async () => (await w.request('GET', '/health')).status === 200,
        60_000,
        250,
      );
  });

  const post = async (w: WorkerProcess, body: unknown) =>
    (await w.requestOutsideRebalance('POST', '/connectors', body)).status;
  after(async () => {
    for (const w of workers) await w.kill();
  });

  it('runs a file pipeline POSTed to one worker, shows it on all, survives a SIGKILL, and keeps configs and offsets', async () => {
    const input = join(dir, 'in.txt');
    const output = join(dir, 'out.txt');
    await writeFile(input, '');
    const topic = `${group}-lines`;
    const src = { name: 'lines-in', config: { 'connector.class': 'FileStreamSource', file: input, topic } };
    const sink = { name: 'lines-out', config: { 'connector.class': 'FileStreamSink', file: output, topics: topic } };
    assert.equal(await post(workers[1]!, src), 201);
    assert.equal(await post(workers[2]!, sink), 201);
    for (const w of workers) {
      await waitFor(
        `both connectors RUNNING on ${w.url}`,
        async () => {
          for (const name of ['lines-in', 'lines-out']) {
            const s = await w.request<Status>('GET', `/connectors/${name}/status`);
            if (s.status !== 200 || s.body.connector.state !== 'RUNNING' || s.body.tasks[0]?.state !== 'RUNNING')
              return false;
          }
          return true;
        },
        60_000,
        250,
      );
      assert.deepEqual((await w.request('GET', '/connectors')).body, ['lines-in', 'lines-out']);
    }
    // Stream 500k lines; SIGKILL the worker running the source task in the middle.
    let appended = 0;
    const writer = (async () => {
      while (appended < LINES) {
        await appendLines(input, appended, appended + 10_000, line);
        appended += 10_000;
        await new Promise((r) => setTimeout(r, 40));
      }
    })();
    await waitFor('the stream to flow', async () => (await sinkLines(output)).length > LINES / 5, 120_000, 100);
    const before = (await workers[0]!.request<Status>('GET', '/connectors/lines-in/status')).body;
    const victim = workers.find((w) => before.tasks[0]!.worker_id === `127.0.0.1:${w.port}`)!;
    const survivors = workers.filter((w) => w !== victim);
    await victim.kill();
    const killedAt = Date.now();
    await waitFor(
      'the source task RUNNING on a survivor',
      async () => {
        const s = (await survivors[0]!.request<Status>('GET', '/connectors/lines-in/status')).body;
        return s.tasks[0]?.state === 'RUNNING' && s.tasks[0].worker_id !== before.tasks[0]!.worker_id;
      },
      60_000,
      200,
    );
    const failoverSecs = (Date.now() - killedAt) / 1000;
    console.log(`# failover: the source task ran again on a survivor ${failoverSecs.toFixed(1)} s after SIGKILL`);
    assert.ok(
      failoverSecs < 10,
      `failover took ${failoverSecs} s (session.timeout.ms=6000, scheduled.rebalance.max.delay.ms=1000)`,
    );
    await writer;
    const out = await waitFor(
      'every line',
      async () => {
        const l = await sinkLines(output);
        return new Set(l).size >= LINES ? l : null;
      },
      180_000,
      500,
    );
    console.log(
      `# ${out.length} lines in the sink, ${new Set(out).size} distinct, ${out.length - new Set(out).size} duplicates`,
    );
    assert.equal(new Set(out).size, LINES);

    // Stop all three, start them again: configs and offsets come back from the topics.
    await Promise.all(survivors.map((w) => w.stop()));
    for (const w of workers) await w.start();
    for (const w of workers) {
      await waitFor(
        `configs back on ${w.url}`,
        async () => JSON.stringify((await w.request('GET', '/connectors')).body) === '["lines-in","lines-out"]',
        60_000,
        250,
      );
    }
    const offsets = await workers[0]!.request<{ offsets: Array<{ offset: { position: number } }> }>(
      'GET',
      '/connectors/lines-in/offsets',
    );
    assert.ok(offsets.body.offsets[0]!.offset.position > 0);
    await appendFile(input, 'after restart\n');
    await waitFor(
      'a line written after the restart',
      async () => (await sinkLines(output)).includes('after restart'),
      120_000,
      250,
    );
    const all = await sinkLines(output);
    console.log(`# after the full restart: ${all.length} lines, ${new Set(all).size} distinct`);
  });

  it('loses no line and keeps their order when the broker stops for 30 s mid-stream', async () => {
    const lines = 200_000;
    const input = join(dir, 'outage-in.txt');
    const output = join(dir, 'outage-out.txt');
    await writeFile(input, '');
    const topic = `${group}-outage`;
    assert.equal(
      await post(workers[0]!, {
        name: 'outage-in',
        config: { 'connector.class': 'FileStreamSource', file: input, topic },
      }),
      201,
    );
    assert.equal(
      await post(workers[1]!, {
        name: 'outage-out',
        config: { 'connector.class': 'FileStreamSink', file: output, topics: topic },
      }),
      201,
    );
    let appended = 0;
    const writer = (async () => {
      while (appended < lines) {
        await appendLines(input, appended, appended + 5_000, line);
        appended += 5_000;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await waitFor('the stream to flow', async () => (await sinkLines(output)).length > lines / 5, 120_000, 100);
    const atStop = (await sinkLines(output)).length;
    stopService('kafka');
    await new Promise((r) => setTimeout(r, 30_000));
    ensureService('kafka');
    await writer;
    const out = await waitFor(
      'every line after the broker came back',
      async () => {
        const l = await sinkLines(output);
        return new Set(l).size >= lines ? l : null;
      },
      300_000,
      500,
    );
    // First copies in order: a replay repeats lines, it never reorders them.
    let next = 0;
    for (const l of out) {
      const i = Number(l.slice(5, 12));
      if (i === next) next++;
      else assert.ok(i < next, `line ${i} arrived before line ${next}`);
    }
    assert.equal(next, lines, 'every line arrived');
    console.log(
      `# broker stopped for 30 s with ${atStop} lines in the sink; finally ${out.length} lines, ${out.length - new Set(out).size} duplicates`,
    );
    for (const name of ['outage-in', 'outage-out']) {
      const s = await waitFor(
        `${name} RUNNING`,
        async () => {
          const r = await workers[2]!.request<Status>('GET', `/connectors/${name}/status`);
          return r.status === 200 && r.body.tasks[0]?.state === 'RUNNING' ? r.body : null;
        },
        60_000,
        500,
      );
      assert.equal(s.tasks[0]!.state, 'RUNNING', `${name} rode out the outage`);
    }
  });
});
