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
