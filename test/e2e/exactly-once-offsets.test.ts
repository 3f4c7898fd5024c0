/**
 * Where exactly-once offsets live (KIP-618), on the real broker: a source connector's own
 * `offsets.storage.topic` (written in its transactions, the worker's offsets topic read as fallback),
 * and a standalone worker on Kafka with `exactly.once.source.support=enabled` (offsets in the
 * worker's `offset.storage.topic`, the offsets file as fallback). Each run streams a file through
 * SIGKILLs and reads the topic with read_committed: every line once.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogRecord } from '@tributary/connect-runtime';
import { appendLines, numberedLine } from '../support/lines.js';
import { SERVICES, ensureService } from '../support/services.js';
import { WorkerProcess, tempDir, waitFor } from '../support/worker-process.js';
import { readRecords } from './exactly-once/support.js';

const LINES = Number(process.env.EOS_OFFSETS_LINES ?? 300_000);
const KILLS = Number(process.env.EOS_KILLS ?? 4);
const line = (i: number) => numberedLine(i, 60, 'o');
const run = `${Date.now().toString(36)}-${process.pid}`;

/** Every line of 0..n-1 once: what is missing and what came twice. */
function count(records: LogRecord[], n: number): { missing: number; duplicates: number } {
  const values = records.map((r) => r.value!.toString());
  const seen = new Set(values);
  let missing = 0;
  for (let i = 0; i < n; i++) if (!seen.has(line(i))) missing++;
  return { missing, duplicates: values.length - seen.size };
}

async function createConnector(w: WorkerProcess, name: string, config: Record<string, string>): Promise<void> {
  const r = await waitFor(
    'the connector created',
    async () => {
      const res = await w.request('PUT', `/connectors/${name}/config`, config);
      return res.status === 409 ? null : res;
    },
    60_000,
    250,
  );
  assert.ok(r.status === 200 || r.status === 201, JSON.stringify(r.body));
}

async function waitForPosition(w: WorkerProcess, name: string, lines: number): Promise<void> {
  await waitFor(
    `${name} at line ${lines}`,
    async () => {
      const r = await w.request<{ offsets?: Array<{ offset: { position: number } }> }>(
        'GET',
        `/connectors/${name}/offsets`,
      );
      return (r.body.offsets?.[0]?.offset.position ?? 0) >= lines * (line(0).length + 1);
    },
    300_000,
    1_000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; the worker said: ${w.output.slice(-3000)}`);
  });
}

async function killAgainAndAgain(w: WorkerProcess): Promise<void> {
  for (let k = 0; k < KILLS; k++) {
    await new Promise((r) => setTimeout(r, 1_500 + Math.random() * 2_000));
    await w.kill();
    await w.start();
  }
}

describe('exactly-once offsets (KIP-618)', { timeout: 15 * 60_000 }, () => {
  const workers: WorkerProcess[] = [];
  before(() => ensureService('kafka'));
  after(async () => {
    for (const w of workers) await w.kill();
  });

  it("keeps a connector's offsets in its own offsets.storage.topic, resuming from the worker's topic", async () => {
    const group = `eos-own-${run}`;
    const dir = await tempDir('tributary-eos-own-');
    const input = join(dir, 'in.txt');
    await writeFile(input, '');
    const topic = `${group}-lines`;
    const own = `${group}-connector-offsets`;
    const w = await WorkerProcess.distributed(group, { 'exactly.once.source.support': 'enabled' });
    workers.push(w);
    await w.start();
    await waitFor('the worker in its cluster', async () => (await w.request('GET', '/health')).status === 200, 60_000);
    const base = { 'connector.class': 'FileStreamSource', file: input, topic, 'exactly.once.support': 'required' };
    // First half with the worker's offsets topic, then the connector moves to its own.
    await createConnector(w, 'eos-own', base);
    await appendLines(input, 0, LINES / 2, line);
    await waitForPosition(w, 'eos-own', LINES / 2);
    await createConnector(w, 'eos-own', { ...base, 'offsets.storage.topic': own });
    await appendLines(input, LINES / 2, LINES, line);
    await killAgainAndAgain(w);
    await waitForPosition(w, 'eos-own', LINES);
    await w.stop();

    const { missing, duplicates } = count(await readRecords(topic, 'read_committed'), LINES);
    const offsets = (await readRecords(own, 'read_committed')).filter((r) =>
      r.key?.toString().startsWith('["eos-own"'),
    );
    console.log(
      `# own offsets topic: ${missing} missing, ${duplicates} duplicates after ${KILLS} SIGKILLs; ` +
        `${offsets.length} offset records in ${own}`,
    );
    assert.equal(missing, 0);
    assert.equal(duplicates, 0, 'resumed from the worker topic, then from its own');
    assert.ok(offsets.length > 0, 'the offsets went to the connector topic');
  });

  it("lists, alters and resets a STOPPED connector's offsets in its own offsets.storage.topic", async () => {
    const group = `eos-rest-${run}`;
    const dir = await tempDir('tributary-eos-rest-');
    const input = join(dir, 'in.txt');
    const topic = `${group}-lines`;
    const own = `${group}-connector-offsets`;
    const n = 2_000;
    const bytes = (lines: number) => lines * (line(0).length + 1);
    await writeFile(input, '');
    await appendLines(input, 0, n, line);
    const w = await WorkerProcess.distributed(group, { 'exactly.once.source.support': 'enabled' });
    workers.push(w);
    await w.start();
    await waitFor('the worker in its cluster', async () => (await w.request('GET', '/health')).status === 200, 60_000);
    await createConnector(w, 'eos-rest', {
      'connector.class': 'FileStreamSource',
      file: input,
      topic,
      'exactly.once.support': 'required',
      'offsets.storage.topic': own,
    });
    await waitForPosition(w, 'eos-rest', n);
    const stopped = async () => {
      await w.requestOutsideRebalance('PUT', '/connectors/eos-rest/stop');
      await waitFor(
        'eos-rest STOPPED',
        async () =>
          (await w.request<{ connector?: { state: string } }>('GET', '/connectors/eos-rest/status')).body.connector
            ?.state === 'STOPPED',
        60_000,
      );
    };
    await stopped();
    // GET shows what the connector wrote to its own topic (the last offset record of its partition).
    const written = (await readRecords(own, 'read_committed')).filter((r) =>
      r.key?.toString().startsWith('["eos-rest"'),
    );
    const last = JSON.parse(written.at(-1)!.value!.toString()) as { position: number };
    const listed = await w.request<{ offsets: Array<{ offset: { position: number } }> }>(
      'GET',
      '/connectors/eos-rest/offsets',
    );
    assert.deepEqual(
      listed.body.offsets.map((o) => o.offset),
      [last],
    );
    assert.equal(last.position, bytes(n));

    // PATCH goes where the task reads first: its own topic (and the worker's, as Connect writes both).
    const partition = (listed.body.offsets[0] as unknown as { partition: Record<string, unknown> }).partition;
    const patched = await w.requestOutsideRebalance<{ message: string }>('PATCH', '/connectors/eos-rest/offsets', {
      offsets: [{ partition, offset: { position: bytes(n / 2) } }],
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    const ownAfter = (await readRecords(own, 'read_committed')).filter((r) =>
      r.key?.toString().startsWith('["eos-rest"'),
    );
    assert.deepEqual(JSON.parse(ownAfter.at(-1)!.value!.toString()), { position: bytes(n / 2) });
    const relisted = await w.request<{ offsets: Array<{ offset: unknown }> }>('GET', '/connectors/eos-rest/offsets');
    assert.deepEqual(relisted.body.offsets[0]!.offset, { position: bytes(n / 2) });

    // Resumed, the task starts at the patched position: the second half comes again, once.
    await w.requestOutsideRebalance('PUT', '/connectors/eos-rest/resume');
    await waitForPosition(w, 'eos-rest', n);
    await waitFor(
      'the second half again',
      async () => (await readRecords(topic, 'read_committed')).length >= n + n / 2,
      60_000,
      1_000,
    );
    const { missing, duplicates } = count(await readRecords(topic, 'read_committed'), n);
    assert.equal(missing, 0);
    assert.equal(duplicates, n / 2, 'the lines after the patched position, sent again once');

    // DELETE resets both: nothing listed.
    await stopped();
    const reset = await w.requestOutsideRebalance('DELETE', '/connectors/eos-rest/offsets');
    assert.equal(reset.status, 200, JSON.stringify(reset.body));
    assert.deepEqual((await w.request('GET', '/connectors/eos-rest/offsets')).body, { offsets: [] });
    console.log(`# REST offsets with the connector's own topic: listed ${last.position}, patched ${bytes(n / 2)}`);
    await w.stop();
  });

  it('runs exactly once in standalone mode on Kafka, offsets in offset.storage.topic', async () => {
    const name = `eos-standalone-${run}`;
    const dir = await tempDir('tributary-eos-standalone-');
    const input = join(dir, 'in.txt');
    await writeFile(input, '');
    const topic = `${name}-lines`;
    const w = await WorkerProcess.create({
      'bootstrap.servers': SERVICES.kafka,
      'exactly.once.source.support': 'enabled',
      'offset.storage.topic': `${name}-offsets`,
      'offset.storage.replication.factor': '1',
      'offset.storage.partitions': '5',
    });
    workers.push(w);
    await w.start();
    await createConnector(w, 'eos-standalone', {
      'connector.class': 'FileStreamSource',
      file: input,
      topic,
      'exactly.once.support': 'required',
    });
    await appendLines(input, 0, LINES, line);
    await killAgainAndAgain(w);
    await waitForPosition(w, 'eos-standalone', LINES);
    await w.stop();
    const { missing, duplicates } = count(await readRecords(topic, 'read_committed'), LINES);
    const offsets = (await readRecords(`${name}-offsets`, 'read_committed')).length;
    console.log(
      `# standalone exactly once: ${missing} missing, ${duplicates} duplicates after ${KILLS} SIGKILLs; ` +
        `${offsets} offset records in ${name}-offsets`,
    );
    assert.equal(missing, 0);
    assert.equal(duplicates, 0);
    assert.ok(offsets > 0);
  });
});
