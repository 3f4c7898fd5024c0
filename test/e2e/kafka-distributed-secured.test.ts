/**
 * Three distributed workers whose only way to Kafka is the broker's SASL_SSL listener (test/services
 * kafka: SCRAM-SHA-512, PEM truststore): group membership, the config/offset/status topics and the
 * tasks' clients all go through it. A file source and a file sink are POSTed to different workers;
 * 200k lines stream while the worker running the source task is SIGKILLed; every line arrives, and
 * the failover time (SIGKILL to the source task RUNNING on another worker) is printed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { kafkaInfo, saslSslSettings } from '../support/kafka-cli.js';
import { appendLines, numberedLine, sinkLines } from '../support/lines.js';
import { ensureService } from '../support/services.js';
import { WorkerProcess, tempDir, waitFor } from '../support/worker-process.js';

const LINES = 200_000;
const line = (i: number) => numberedLine(i, 60, 's');

type Status = {
  connector: { state: string; worker_id: string };
  tasks: Array<{ id: number; state: string; worker_id: string }>;
};

describe('distributed: three workers on the SASL_SSL listener', { timeout: 20 * 60_000 }, () => {
  const group = `tributary-secured-${Date.now().toString(36)}-${process.pid}`;
  let workers: WorkerProcess[] = [];
  let dir = '';
  before(async () => {
    ensureService('kafka');
    const security = saslSslSettings(kafkaInfo());
    dir = await tempDir('tributary-secured-cluster-');
    workers = await Promise.all(
      [0, 1, 2].map(() =>
        WorkerProcess.distributed(group, {
          ...security,
          'session.timeout.ms': '6000',
          'scheduled.rebalance.max.delay.ms': '1000',
        }),
      ),
    );
    for (const w of workers) await w.start();
    for (const w of workers) {
      await waitFor(
        `${w.url} in the cluster`,
        async () => (await w.request('GET', '/health')).status === 200,
        90_000,
        250,
      ).catch(async (err: Error) => {
        throw new Error(
          `${err.message}; /health says ${JSON.stringify((await w.request('GET', '/health')).body)}; log: ${w.output.slice(-800)}`,
        );
      });
    }
  });
  after(async () => {
    for (const w of workers) await w.kill();
  });

  const post = async (w: WorkerProcess, body: unknown) =>
    (await w.requestOutsideRebalance('POST', '/connectors', body)).status;

  it(`streams ${LINES} lines through a SIGKILL of the source task's worker, losing none`, async () => {
    const input = join(dir, 'in.txt');
    const output = join(dir, 'out.txt');
    await writeFile(input, '');
    const topic = `${group}-lines`;
    assert.equal(
      await post(workers[1]!, {
        name: 'lines-in',
        config: { 'connector.class': 'FileStreamSource', file: input, topic },
      }),
      201,
    );
    assert.equal(
      await post(workers[2]!, {
        name: 'lines-out',
        config: { 'connector.class': 'FileStreamSink', file: output, topics: topic },
      }),
      201,
    );
    await waitFor(
      'both connectors and their tasks RUNNING',
      async () => {
        for (const name of ['lines-in', 'lines-out']) {
          const s = await workers[0]!.request<Status>('GET', `/connectors/${name}/status`);
          if (s.status !== 200 || s.body.connector.state !== 'RUNNING' || s.body.tasks[0]?.state !== 'RUNNING')
            return false;
        }
        return true;
      },
      90_000,
      250,
    );

    let appended = 0;
    const writer = (async () => {
      while (appended < LINES) {
        await appendLines(input, appended, appended + 10_000, line);
        appended += 10_000;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await waitFor('the stream to flow', async () => (await sinkLines(output)).length > LINES / 5, 120_000, 100);
    const before = (await workers[0]!.request<Status>('GET', '/connectors/lines-in/status')).body;
    const victim = workers.find((w) => before.tasks[0]!.worker_id === `127.0.0.1:${w.port}`);
    assert.ok(victim, `the source task runs on one of ours: ${JSON.stringify(before)}`);
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
      100,
    );
    const failoverSecs = (Date.now() - killedAt) / 1000;
    console.log(
      `# failover over SASL_SSL: the source task ran again on a survivor ${failoverSecs.toFixed(1)} s after SIGKILL`,
    );

    await writer;
    const out = await waitFor(
      'every line',
      async () => {
        const l = await sinkLines(output);
        return new Set(l).size >= LINES ? l : null;
      },
      240_000,
      500,
    );
    const unique = new Set(out);
    console.log(`# ${out.length} lines in the sink, ${unique.size} distinct, ${out.length - unique.size} duplicates`);
    for (let i = 0; i < LINES; i++) if (!unique.has(line(i))) assert.fail(`line ${i} missing`);
    // A replay after the failover repeats lines, never reorders them (one partition).
    let next = 0;
    for (const l of out) {
      const i = Number(l.slice(5, 12));
      if (i === next) next++;
      else assert.ok(i < next, `line ${i} arrived before line ${next}`);
    }
    assert.ok(
      failoverSecs < 10,
      `failover took ${failoverSecs} s (session.timeout.ms=6000, scheduled.rebalance.max.delay.ms=1000)`,
    );
  });
});
