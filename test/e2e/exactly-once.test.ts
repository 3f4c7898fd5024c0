/**
 * Exactly-once source delivery (KIP-618) on the real broker: a worker with
 * exactly.once.source.support=enabled streams a file while it is SIGKILLed again and again; the
 * topic, read with read_committed, holds every line exactly once. The same run with at-least-once
 * shows the duplicates the kills make, and the task's count of them agrees. A zombie is fenced: a
 * second producer of a task's transactional id makes the first one's writes fail. Spooldir and
 * PostgreSQL CDC have files of their own (exactly-once-spooldir, exactly-once-postgres-cdc).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { openKafkaLog } from '@tributary/connect-runtime';
import { appendLines } from '../support/lines.js';
import { kafkaTool } from '../support/kafka-cli.js';
import { SERVICES, ensureService } from '../support/services.js';
import { WorkerProcess, tempDir, waitFor } from '../support/worker-process.js';
import { KILLS, LINES, line, readTopic, redeliveredOf, run } from './exactly-once/support.js';

function count(values: string[]): { missing: number; duplicates: number } {
  const seen = new Set(values);
  let missing = 0;
  for (let i = 0; i < LINES; i++) if (!seen.has(line(i))) missing++;
  return { missing, duplicates: values.length - seen.size };
}

describe('exactly-once source (KIP-618)', { timeout: 30 * 60_000 }, () => {
  const workers: WorkerProcess[] = [];
  before(() => ensureService('kafka'));
  after(async () => {
    for (const w of workers) await w.kill();
  });

  /**
   * Streams LINES lines through a file source while the worker is SIGKILLed KILLS times; returns the
   * topic and the records the task counted as sent again (its status, `metrics.records_redelivered`).
   */
  async function killedStream(mode: 'enabled' | 'disabled'): Promise<{ topic: string; redelivered: number }> {
    const group = `eos-${mode}-${run}`;
    const dir = await tempDir('tributary-eos-');
    const input = join(dir, 'in.txt');
    await writeFile(input, '');
    const topic = `${group}-lines`;
    const w = await WorkerProcess.distributed(group, {
      'exactly.once.source.support': mode,
      'offset.flush.interval.ms': '5000',
    });
    workers.push(w);
    await w.start();
    await waitFor(
      'the worker in its cluster',
      async () => (await w.request('GET', '/health')).status === 200,
      60_000,
      250,
    );
    const config = {
      'connector.class': 'FileStreamSource',
      file: input,
      topic,
      'batch.size': '500',
      ...(mode === 'enabled' ? { 'exactly.once.support': 'required' } : {}),
    };
    const created = await waitFor(
      'the connector created',
      async () => {
        const r = await w.request('POST', '/connectors', { name: 'eos-in', config });
        return r.status === 409 ? null : r;
      },
      60_000,
      250,
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await appendLines(input, 0, LINES, line);
    for (let k = 0; k < KILLS; k++) {
      await new Promise((r) => setTimeout(r, 1_500 + Math.random() * 2_500));
      await w.kill();
      await w.start();
    }
    const log = openKafkaLog({ props: { 'bootstrap.servers': SERVICES.kafka }, logger: pino({ level: 'silent' }) });
    try {
      await waitFor(
        'the source to reach the end of the file',
        async () => {
          const r = await w.request<{ offsets: Array<{ offset: { position: number } }> }>(
            'GET',
            '/connectors/eos-in/offsets',
          );
          return (r.body.offsets?.[0]?.offset.position ?? 0) >= LINES * (line(0).length + 1);
        },
        300_000,
        1_000,
      ).catch((err: Error) => {
        throw new Error(`${err.message}; the worker said: ${w.output.slice(-3000)}`);
      });
    } finally {
      await log.close();
    }
    const redelivered = mode === 'disabled' ? await redeliveredOf(w, 'eos-in') : 0;
    await w.stop();
    return { topic, redelivered };
  }

  it(`delivers ${LINES} lines exactly once through ${KILLS} SIGKILLs (read_committed)`, async () => {
    const { topic } = await killedStream('enabled');
    const values = await readTopic(topic, 'read_committed');
    const { missing, duplicates } = count(values);
    console.log(
      `# exactly once: ${values.length} records read_committed, ${missing} missing, ${duplicates} duplicates after ${KILLS} SIGKILLs`,
    );
    assert.equal(missing, 0);
    assert.equal(duplicates, 0);
    // Kafka's own console consumer, read_committed, reads the same records.
    const java = (
      await kafkaTool(
        [
          'org.apache.kafka.tools.consumer.ConsoleConsumer',
          '--bootstrap-server',
          SERVICES.kafka,
          '--topic',
          topic,
          '--from-beginning',
          '--isolation-level',
          'read_committed',
          '--timeout-ms',
          '20000',
          '--group',
          `${topic}-java`,
        ],
        '',
        300_000,
      )
    )
      .split('\n')
      .filter((l) => l !== '');
    console.log(
      `# Kafka's console consumer (read_committed): ${java.length} records, ${java.length - new Set(java).size} duplicates`,
    );
    assert.equal(java.length, LINES);
    assert.equal(new Set(java).size, LINES);
  });

  it(`shows the duplicates ${KILLS} SIGKILLs make at least once`, async () => {
    const { topic, redelivered } = await killedStream('disabled');
    const values = await readTopic(topic, 'read_uncommitted');
    const { missing, duplicates } = count(values);
    console.log(
      `# at least once: ${values.length} records, ${missing} missing, ${duplicates} duplicates after ${KILLS} SIGKILLs; ` +
        `the task counted ${redelivered} records sent again`,
    );
    assert.equal(missing, 0);
    assert.equal(redelivered, duplicates, 'the counter agrees with the duplicates in the topic');
  });

  it('moves a task between three workers on SIGKILL and through a reconfiguration with nothing written twice', async () => {
    const group = `eos-cluster-${run}`;
    const dir = await tempDir('tributary-eos-cluster-');
    const input = join(dir, 'in.txt');
    await writeFile(input, '');
    const topic = `${group}-lines`;
    const cluster = await Promise.all(
      [0, 1, 2].map(() => WorkerProcess.distributed(group, { 'exactly.once.source.support': 'enabled' })),
    );
    workers.push(...cluster);
    for (const w of cluster) await w.start();
    for (const w of cluster)
      await waitFor(
        `${w.url} in the cluster`,
        async () => (await w.request('GET', '/health')).status === 200,
        60_000,
        250,
      );
    const created = await waitFor(
      'the connector created',
      async () => {
        const r = await cluster[0]!.request('POST', '/connectors', {
          name: 'eos-moving',
          config: {
            'connector.class': 'FileStreamSource',
            file: input,
            topic,
            'batch.size': '500',
            'exactly.once.support': 'required',
          },
        });
        return r.status === 409 ? null : r;
      },
      60_000,
      250,
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const lines = 200_000;
    await appendLines(input, 0, lines, line);
    type Status = { tasks: Array<{ state: string; worker_id: string }> };
    const runningOn = async (w: WorkerProcess) =>
      (await w.request<Status>('GET', '/connectors/eos-moving/status')).body.tasks?.[0];
    let alive = [...cluster];
    for (let k = 0; k < 2; k++) {
      const task = await waitFor(
        'the task RUNNING',
        async () => {
          const t = await runningOn(alive[0]!);
          return t?.state === 'RUNNING' ? t : null;
        },
        60_000,
        200,
      );
      await new Promise((r) => setTimeout(r, 1_000 + Math.random() * 1_000));
      const victim = alive.find((w) => task.worker_id === `127.0.0.1:${w.port}`)!;
      await victim.kill();
      alive = alive.filter((w) => w !== victim);
      const moved = await waitFor(
        'the task RUNNING on a survivor',
        async () => {
          const t = await runningOn(alive[0]!);
          return t?.state === 'RUNNING' && t.worker_id !== task.worker_id ? t : null;
        },
        60_000,
        200,
      );
      console.log(`# task moved from ${task.worker_id} to ${moved.worker_id}`);
    }
    // A new task config: the previous generation's producer is fenced before it is published (KIP-618).
    const reconfigured = await waitFor(
      'the config updated',
      async () => {
        const r = await alive[0]!.request('PUT', '/connectors/eos-moving/config', {
          'connector.class': 'FileStreamSource',
          file: input,
          topic,
          'batch.size': '400',
          'exactly.once.support': 'required',
        });
        return r.status === 409 ? null : r;
      },
      60_000,
      250,
    );
    assert.equal(reconfigured.status, 200, JSON.stringify(reconfigured.body));
    await waitFor(
      'every line read by the source',
      async () => {
        const r = await alive[0]!.request<{ offsets: Array<{ offset: { position: number } }> }>(
          'GET',
          '/connectors/eos-moving/offsets',
        );
        return (r.body.offsets?.[0]?.offset.position ?? 0) >= lines * (line(0).length + 1);
      },
      300_000,
      1_000,
    );
    const values = await readTopic(topic, 'read_committed');
    const seen = new Set(values);
    console.log(
      `# three workers, two SIGKILLs: ${values.length} records read_committed, ${values.length - seen.size} duplicates`,
    );
    for (let i = 0; i < lines; i++) if (!seen.has(line(i))) assert.fail(`line ${i} missing`);
    assert.equal(values.length, lines, 'nothing written twice');
  });

  it("fences a zombie: an older producer of a task's transactional id can no longer write", async () => {
    const log = openKafkaLog({ props: { 'bootstrap.servers': SERVICES.kafka }, logger: pino({ level: 'silent' }) });
    const topic = `eos-zombie-${run}`;
    const id = `eos-zombie-${run}-conn-0`;
    try {
      const zombie = log.transactionalProducer({ transactionalId: id });
      await zombie.init();
      await zombie.send([{ topic, key: null, value: Buffer.from('before') }]);
      const successor = log.transactionalProducer({ transactionalId: id });
      await successor.init();
      await assert.rejects(
        zombie.send([{ topic, key: null, value: Buffer.from('zombie') }]),
        (e: Error & { code?: string }) => e.code === 'PRODUCER_FENCED',
      );
      await successor.send([{ topic, key: null, value: Buffer.from('after') }]);
    } finally {
      await log.close();
    }
    assert.deepEqual(await readTopic(topic, 'read_committed'), ['before', 'after']);
  });
});
