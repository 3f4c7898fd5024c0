/**
 * A standalone worker whose data goes through the real Kafka broker of test/services
 * (bootstrap.servers=127.0.0.1:9092): file source → Kafka → file sink, driven over REST; the broker
 * stopped for 20 s mid-stream; a sink whose topic does not exist while auto-creation is off.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { appendLines, numberedLine, sinkLines } from '../support/lines.js';
import { SERVICES, ensureService, stopService } from '../support/services.js';
import { WorkerProcess, freePort, waitFor } from '../support/worker-process.js';

const LINES = 200_000;
const line = (i: number) => numberedLine(i);
const run = `${Date.now().toString(36)}-${process.pid}`;

function connectors(dir: string, topic: string) {
  return {
    source: {
      name: 'lines-in',
      config: {
        'connector.class': 'org.apache.kafka.connect.file.FileStreamSourceConnector',
        'tasks.max': '1',
        file: join(dir, 'in.txt'),
        topic,
      },
    },
    sink: {
      name: 'lines-out',
      config: {
        'connector.class': 'org.apache.kafka.connect.file.FileStreamSinkConnector',
        'tasks.max': '1',
        file: join(dir, 'out.txt'),
        topics: topic,
      },
    },
  };
}

/** Every line present once at least, and first occurrences in order (a replay repeats, never reorders). */
function checkComplete(out: string[]): { duplicates: number } {
  const unique = new Set(out);
  assert.equal(unique.size, LINES, 'every line arrived');
  for (let i = 0; i < LINES; i++) if (!unique.has(line(i))) assert.fail(`line ${i} missing`);
  let next = 0;
  for (const l of out) {
    const i = Number(l.slice(5, 12));
    if (i === next) next++;
    else assert.ok(i < next, `line ${i} arrived before line ${next}`);
  }
  return { duplicates: out.length - unique.size };
}

interface TaskStatus {
  state: string;
  trace?: string;
}

describe('standalone worker with bootstrap.servers: file source → Kafka → file sink', { timeout: 15 * 60_000 }, () => {
  const workers: WorkerProcess[] = [];
  before(() => ensureService('kafka'));
  after(async () => {
    for (const w of workers) await w.kill();
    ensureService('kafka'); // leave the broker up for whoever runs next
  });

  const kafkaWorker = async (extra: Record<string, string> = {}) => {
    const w = await WorkerProcess.create({ 'bootstrap.servers': SERVICES.kafka, ...extra });
    workers.push(w);
    return w;
  };

  it(`moves ${LINES} appended lines through Kafka, in order`, async () => {
    const w = await kafkaWorker();
    await writeFile(join(w.dir, 'in.txt'), '');
    await w.start();
    const { source, sink } = connectors(w.dir, `e2e-lines-${run}`);
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
      180_000,
      250,
    );
    const secs = (Date.now() - started) / 1000;
    console.log(
      `# ${LINES} lines through Kafka in ${secs.toFixed(1)} s (${Math.round(LINES / secs)} lines/s end to end)`,
    );
    assert.equal(out.length, LINES, 'no duplicates without faults');
    for (let i = 0; i < LINES; i++) if (out[i] !== line(i)) assert.fail(`line ${i} is ${out[i]}`);
    await w.stop();
  });

  it('loses no line when the broker is stopped for 20 s mid-stream', async () => {
    const w = await kafkaWorker({ 'offset.flush.interval.ms': '500' });
    const input = join(w.dir, 'in.txt');
    const output = join(w.dir, 'out.txt');
    await writeFile(input, '');
    await w.start();
    const { source, sink } = connectors(w.dir, `e2e-outage-${run}`);
    await w.request('POST', '/connectors', source);
    await w.request('POST', '/connectors', sink);
    // 5k lines every 100 ms (50k lines/s) while the broker goes away and comes back.
    let appended = 0;
    const writer = (async () => {
      while (appended < LINES) {
        await appendLines(input, appended, appended + 5000);
        appended += 5000;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await waitFor('the stream to be flowing', async () => (await sinkLines(output)).length > LINES * 0.2, 120_000, 50);
    const atStop = (await sinkLines(output)).length;
    stopService('kafka');
    await new Promise((r) => setTimeout(r, 20_000));
    const duringOutage = (await sinkLines(output)).length;
    ensureService('kafka');
    await writer;
    const out = await waitFor(
      'every line after the broker came back',
      async () => {
        const l = await sinkLines(output);
        return new Set(l).size >= LINES ? l : null;
      },
      240_000,
      500,
    );
    const { duplicates } = checkComplete(out);
    console.log(
      `# broker stopped with ${atStop} lines in the sink (${duringOutage} after 20 s); finally ${out.length} lines, ${duplicates} duplicates`,
    );
    const status = await w.request<{ tasks: TaskStatus[] }>('GET', '/connectors/lines-in/status');
    assert.deepEqual(
      status.body.tasks.map((t) => t.state),
      ['RUNNING'],
      'the source task rode out the outage',
    );
    const sinkStatus = await w.request<{ tasks: TaskStatus[] }>('GET', '/connectors/lines-out/status');
    assert.deepEqual(
      sinkStatus.body.tasks.map((t) => t.state),
      ['RUNNING'],
      'the sink task rode out the outage',
    );
    await w.stop();
  });

  it('fails the sink task, naming the topic, when its topic is missing and auto-creation is off', async () => {
    // The test broker auto-creates topics; turning it off on the worker's consumers is the
    // client-side half of Kafka's switch (consumer.allow.auto.create.topics).
    const w = await kafkaWorker({ 'consumer.allow.auto.create.topics': 'false' });
    await w.start();
    const topic = `e2e-missing-${run}`;
    const sink = {
      name: 'missing-out',
      config: { 'connector.class': 'FileStreamSink', 'tasks.max': '1', file: join(w.dir, 'out.txt'), topics: topic },
    };
    assert.equal((await w.request('POST', '/connectors', sink)).status, 201);
    const task = await waitFor(
      'the sink task to fail',
      async () => {
        const s = await w.request<{ tasks: TaskStatus[] }>('GET', '/connectors/missing-out/status');
        return s.body.tasks[0]?.state === 'FAILED' ? s.body.tasks[0] : null;
      },
      60_000,
      250,
    );
    assert.match(task.trace ?? '', new RegExp(`'${topic}' does not exist`));

    // A topics.regex that matches nothing yet is normal (the topics may come later): the task waits.
    const pattern = {
      name: 'pattern-out',
      config: {
        'connector.class': 'FileStreamSink',
        'tasks.max': '1',
        file: join(w.dir, 'out2.txt'),
        'topics.regex': `e2e-none-${run}-.*`,
      },
    };
    assert.equal((await w.request('POST', '/connectors', pattern)).status, 201);
    await new Promise((r) => setTimeout(r, 8_000));
    const s = await w.request<{ tasks: TaskStatus[] }>('GET', '/connectors/pattern-out/status');
    assert.equal(s.body.tasks[0]?.state, 'RUNNING', JSON.stringify(s.body));
    await w.stop();
  });

  it('comes up with Kafka unreachable: REST answers and the log names the brokers, retrying', async () => {
    const nobody = `127.0.0.1:${await freePort()}`;
    const w = await kafkaWorker({ 'bootstrap.servers': nobody });
    await w.start(); // resolves once REST answers
    assert.equal((await w.request('GET', '/connectors')).status, 200);
    await waitFor(
      'the unreachable-Kafka error twice (retried with backoff)',
      async () =>
        (
          w.output.match(new RegExp(`Kafka at ${nobody} is unreachable \\(PLAINTEXT\\): [^\\n]*; retrying in`, 'g')) ??
          []
        ).length >= 2,
      30_000,
      250,
    );
    await w.stop();
  });
});
