/**
 * Task restarts leave no Kafka client behind: a standalone worker on the real broker runs a file
 * source and a file sink (with a dead-letter queue, so each task has two clients), both are
 * restarted 50 times over REST, and the worker's TCP connections to the broker are counted before
 * and after (with `ss`, from the worker's process id).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { appendLines, sinkLines } from '../support/lines.js';
import { SERVICES, ensureService } from '../support/services.js';
import { WorkerProcess, waitFor } from '../support/worker-process.js';

const RESTARTS = 50;
const run = `${Date.now().toString(36)}-${process.pid}`;

/** Established TCP connections of process `pid` to the broker's port. */
function brokerConnections(pid: number): number {
  const port = SERVICES.kafka.split(':')[1];
  const out = execFileSync('ss', ['-tnpH', 'state', 'established', `( dport = :${port} )`], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(`pid=${pid},`)).length;
}

describe('Kafka clients of restarted tasks', { timeout: 10 * 60_000 }, () => {
  let w: WorkerProcess;
  before(() => ensureService('kafka'));
  after(async () => {
    await w?.kill();
  });

  it(`are all closed after ${RESTARTS} restarts of a source and a sink task`, async () => {
    w = await WorkerProcess.create({ 'bootstrap.servers': SERVICES.kafka });
    const input = join(w.dir, 'in.txt');
    await writeFile(input, '');
    await w.start();
    const topic = `e2e-leaks-${run}`;
    const dlq = {
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': `${topic}-dlq`,
      'errors.deadletterqueue.topic.replication.factor': '1',
    };
    assert.equal(
      (
        await w.request('POST', '/connectors', {
          name: 'leak-in',
          config: { 'connector.class': 'FileStreamSource', 'tasks.max': '1', file: input, topic },
        })
      ).status,
      201,
    );
    assert.equal(
      (
        await w.request('POST', '/connectors', {
          name: 'leak-out',
          config: {
            'connector.class': 'FileStreamSink',
            'tasks.max': '1',
            file: join(w.dir, 'out.txt'),
            topics: topic,
            ...dlq,
          },
        })
      ).status,
      201,
    );
    await appendLines(input, 0, 1000);
    await waitFor(
      'the pipeline to flow',
      async () => (await sinkLines(join(w.dir, 'out.txt'))).length >= 1000,
      60_000,
      200,
    );
    const settle = () => new Promise((r) => setTimeout(r, 3_000));
    await settle();
    const before = brokerConnections(w.pid!);

    for (let i = 0; i < RESTARTS; i++) {
      for (const c of ['leak-in', 'leak-out']) {
        const r = await w.request('POST', `/connectors/${c}/restart?includeTasks=true`);
        assert.ok(r.status === 202 || r.status === 204 || r.status === 200, `restart ${c}: ${r.status}`);
      }
      await waitFor(
        'both tasks running again',
        async () => {
          const states = await Promise.all(
            ['leak-in', 'leak-out'].map(
              async (c) =>
                (await w.request<{ tasks: Array<{ state: string }> }>('GET', `/connectors/${c}/status`)).body.tasks[0]
                  ?.state,
            ),
          );
          return states.every((s) => s === 'RUNNING');
        },
        60_000,
        100,
      );
    }
    await appendLines(input, 1000, 2000);
    await waitFor(
      'the pipeline to flow after the restarts',
      async () => new Set(await sinkLines(join(w.dir, 'out.txt'))).size >= 2000,
      120_000,
      200,
    );
    await settle();
    const afterRestarts = brokerConnections(w.pid!);
    console.log(
      `# broker connections of the worker: ${before} before, ${afterRestarts} after ${RESTARTS} restarts of each task`,
    );
    assert.ok(afterRestarts <= before, `connections grew from ${before} to ${afterRestarts}`);
    await w.stop();
  });
});
