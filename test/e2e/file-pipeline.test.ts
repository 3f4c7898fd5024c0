import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { appendLines, numberedLine, sinkLines } from '../support/lines.js';
import { WorkerProcess, waitFor } from '../support/worker-process.js';

const LINES = 200_000;
const line = (i: number) => numberedLine(i);

function connectors(dir: string) {
  return {
    source: {
      name: 'lines-in',
      config: {
        'connector.class': 'org.apache.kafka.connect.file.FileStreamSourceConnector',
        'tasks.max': '1',
        file: join(dir, 'in.txt'),
        topic: 'lines',
      },
    },
    sink: {
      name: 'lines-out',
      config: {
        'connector.class': 'org.apache.kafka.connect.file.FileStreamSinkConnector',
        'tasks.max': '1',
        file: join(dir, 'out.txt'),
        topics: 'lines',
      },
    },
  };
}

describe('file source → embedded log → file sink, driven over REST', () => {
  const workers: WorkerProcess[] = [];
  after(async () => {
    for (const w of workers) await w.kill();
  });

  it(`moves ${LINES} appended lines in order`, async () => {
    const w = await WorkerProcess.create();
    workers.push(w);
    await writeFile(join(w.dir, 'in.txt'), '');
    await w.start();
    const { source, sink } = connectors(w.dir);
    assert.equal((await w.request('POST', '/connectors', source)).status, 201);
    assert.equal((await w.request('POST', '/connectors', sink)).status, 201);
    const started = Date.now();
    await appendLines(join(w.dir, 'in.txt'), 0, LINES);
    const out = await waitFor(
      'all lines in the sink file',
      async () => {
        const l = await sinkLines(join(w.dir, 'out.txt'));
        return l.length >= LINES ? l : null;
      },
      120_000,
      250,
    );
    const secs = (Date.now() - started) / 1000;
    console.log(
      `# ${LINES} lines in ${secs.toFixed(1)} s (${Math.round(LINES / secs)} lines/s end to end, including the writer)`,
    );
    assert.equal(out.length, LINES);
    for (let i = 0; i < LINES; i++) if (out[i] !== line(i)) assert.fail(`line ${i} is ${out[i]}`);
    await w.stop();
  });

  it('loses nothing when the worker is SIGKILLed mid-stream and restarted', async () => {
    const flushMs = 250;
    const w = await WorkerProcess.create({ 'offset.flush.interval.ms': String(flushMs) });
    workers.push(w);
    const input = join(w.dir, 'in.txt');
    const output = join(w.dir, 'out.txt');
    await writeFile(input, '');
    await w.start();
    const { source, sink } = connectors(w.dir);
    await w.request('POST', '/connectors', source);
    await w.request('POST', '/connectors', sink);
    // A writer appends 5k lines every 50 ms (100k lines/s) while the worker runs, dies and comes back.
    let appended = 0;
    const writer = (async () => {
      while (appended < LINES) {
        await appendLines(input, appended, appended + 5000);
        appended += 5000;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await waitFor('the stream to be flowing', async () => (await sinkLines(output)).length > LINES * 0.4, 60_000, 20);
    await w.kill();
    const atKill = (await sinkLines(output)).length;
    await w.start(); // same worker config: connectors come back from the config store
    await writer;
    const out = await waitFor(
      'every line after restart',
      async () => {
        const l = await sinkLines(output);
        return new Set(l).size >= LINES ? l : null;
      },
      120_000,
      250,
    );
    const unique = new Set(out);
    const duplicates = out.length - unique.size;
    console.log(
      `# killed with ${atKill} lines in the sink; after restart ${out.length} lines, ${unique.size} distinct, ${duplicates} duplicates`,
    );
    assert.equal(unique.size, LINES);
    for (let i = 0; i < LINES; i++) assert.ok(unique.has(line(i)), `line ${i} missing`);
    // First occurrences are in order: a replay repeats a suffix, never reorders.
    let next = 0;
    for (const l of out) {
      const i = Number(l.slice(5, 12));
      if (i === next) next++;
      else assert.ok(i < next, `line ${i} arrived before line ${next}`);
    }
    // What a crash can repeat: per side (source offsets, sink group offsets), what flowed in one flush
    // interval, plus the batches in flight. The writer caps the flow at 100k lines/s.
    const bound = (2 * (100_000 * flushMs)) / 1000 + 20_000;
    assert.ok(duplicates <= bound, `duplicates (${duplicates}) exceed the bound (${bound})`);
    await w.stop();
  });
});
