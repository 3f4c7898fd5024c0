import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CLI, WorkerProcess, waitFor } from '../support/worker-process.js';

/**
 * Poison pills through a real worker on the embedded log: a converter or transform that rejects a
 * record must send it to the dead-letter queue (errors.tolerance=all) or fail the task without
 * committing past it (errors.tolerance=none), and never stop the good records.
 */

const GOOD = 10_000;
const BAD = 100;
/** Line k is malformed when k % 101 == 50: 100 bad lines among 10,100, the first at offset 50. */
const isBad = (k: number) => k % 101 === 50;
const FIRST_BAD = 50;

function lines(): string[] {
  const out: string[] = [];
  for (let k = 0, good = 0; k < GOOD + BAD; k++) {
    out.push(isBad(k) ? `{"id": ${k}, "broken": ` : JSON.stringify({ id: good++, name: `customer-${k}`, ok: true }));
  }
  return out;
}

interface Consumed {
  value: string | null;
  headers: Record<string, string | null>;
  offset: number;
}

/** The records of a topic, through the CLI as a user would read them (read-only). */
async function consume(w: WorkerProcess, topic: string): Promise<Consumed[]> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [CLI, 'consume', topic, '--log-dir', join(w.dir, 'log'), '--from-beginning', '--timeout-ms', '2000'],
    { maxBuffer: 64 << 20 },
  );
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Consumed);
}

async function fileLines(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text === '' ? [] : text.slice(0, -1).split('\n');
}

const source = (dir: string, name: string, topic: string, extra: Record<string, string> = {}) => ({
  name,
  config: { 'connector.class': 'FileStreamSource', 'tasks.max': '1', file: join(dir, `${name}.txt`), topic, ...extra },
});
const sink = (dir: string, name: string, topic: string, extra: Record<string, string> = {}) => ({
  name,
  config: {
    'connector.class': 'FileStreamSink',
    'tasks.max': '1',
    file: join(dir, `${name}.out`),
    topics: topic,
    ...extra,
  },
});
const jsonValues = {
  'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'value.converter.schemas.enable': 'false',
};

async function taskStatus(w: WorkerProcess, name: string): Promise<{ state: string; trace?: string } | undefined> {
  const r = await w.request<{ tasks: Array<{ state: string; trace?: string }> }>('GET', `/connectors/${name}/status`);
  return r.status === 200 ? r.body.tasks[0] : undefined;
}

describe('errors.tolerance and the dead-letter queue, through a worker', () => {
  const workers: WorkerProcess[] = [];
  after(async () => {
    for (const w of workers) await w.kill();
  });

  async function workerWithPoisonTopic(): Promise<WorkerProcess> {
    const w = await WorkerProcess.create({ 'offset.flush.interval.ms': '500' });
    workers.push(w);
    await writeFile(join(w.dir, 'poison-in.txt'), lines().join('\n') + '\n');
    await w.start();
    assert.equal((await w.request('POST', '/connectors', source(w.dir, 'poison-in', 'poison'))).status, 201);
    await waitFor(
      '10,100 records in topic poison',
      async () => ((await consume(w, 'poison')).length >= GOOD + BAD ? true : null),
      60_000,
      1000,
    );
    return w;
  }

  it(`sink, errors.tolerance=all: ${GOOD} delivered, ${BAD} in the DLQ with context headers`, async () => {
    const w = await workerWithPoisonTopic();
    const started = Date.now();
    const created = await w.request(
      'POST',
      '/connectors',
      sink(w.dir, 'poison-all', 'poison', {
        ...jsonValues,
        'errors.tolerance': 'all',
        'errors.deadletterqueue.topic.name': 'poison-dlq',
        'errors.deadletterqueue.context.headers.enable': 'true',
        'errors.log.enable': 'true',
      }),
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const out = await waitFor(
      `${GOOD} lines in the sink file`,
      async () => {
        const l = await fileLines(join(w.dir, 'poison-all.out'));
        return l.length >= GOOD ? l : null;
      },
      60_000,
      250,
    );
    console.log(
      `# ${GOOD} good records delivered past ${BAD} poison pills in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    assert.equal(out.length, GOOD);
    assert.deepEqual(JSON.parse(out[0]!), { id: 0, name: 'customer-0', ok: true });
    assert.deepEqual(JSON.parse(out[GOOD - 1]!), { id: GOOD - 1, name: `customer-${GOOD + BAD - 1}`, ok: true });

    const dlq = await consume(w, 'poison-dlq');
    console.log(`# ${dlq.length} records in the DLQ`);
    assert.equal(dlq.length, BAD);
    const bad = dlq.map((r) => Number(r.headers['__connect.errors.offset']));
    assert.deepEqual(
      bad,
      Array.from({ length: BAD }, (_, i) => FIRST_BAD + i * 101),
      'every bad offset, in order',
    );
    const first = dlq[0]!;
    assert.equal(first.value, `{"id": ${FIRST_BAD}, "broken": `, 'the original bytes');
    assert.equal(first.headers['__connect.errors.topic'], 'poison');
    assert.equal(first.headers['__connect.errors.partition'], '0');
    assert.equal(first.headers['__connect.errors.stage'], 'VALUE_CONVERTER');
    assert.equal(first.headers['__connect.errors.connector.name'], 'poison-all');
    assert.equal(first.headers['__connect.errors.task.id'], '0');
    assert.ok(first.headers['__connect.errors.exception.class.name'], 'exception class header');
    assert.ok(first.headers['__connect.errors.exception.message'], 'exception message header');
    assert.ok(first.headers['__connect.errors.exception.stacktrace'], 'stack trace header');
    const status = await taskStatus(w, 'poison-all');
    assert.equal(status?.state, 'RUNNING');
  });

  it('sink, errors.tolerance=none: the task FAILS with the converter error, nothing past the bad record committed', async () => {
    // Good records first, committed; then one poison pill followed by more good records.
    const w = await WorkerProcess.create({ 'offset.flush.interval.ms': '500' });
    workers.push(w);
    const before = 5000;
    const good = (i: number) => JSON.stringify({ id: i });
    const input = join(w.dir, 'strict-in.txt');
    await writeFile(input, Array.from({ length: before }, (_, i) => good(i)).join('\n') + '\n');
    await w.start();
    assert.equal((await w.request('POST', '/connectors', source(w.dir, 'strict-in', 'strict'))).status, 201);
    const created = await w.request(
      'POST',
      '/connectors',
      sink(w.dir, 'strict-out', 'strict', { ...jsonValues, 'errors.tolerance': 'none' }),
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const committed = async () => {
      const r = await w.request<{ offsets: Array<{ offset: { kafka_offset: number } }> }>(
        'GET',
        '/connectors/strict-out/offsets',
      );
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.offsets.map((o) => o.offset.kafka_offset);
    };
    await waitFor(
      `the sink to commit offset ${before}`,
      async () => ((await committed())[0] === before ? true : null),
      30_000,
      250,
    );

    await writeFile(
      input,
      [...Array.from({ length: before }, (_, i) => good(i)), '{"id": 5000, "broken": ', good(5001), good(5002)].join(
        '\n',
      ) + '\n',
    );
    const failed = await waitFor(
      'the sink task to fail',
      async () => {
        const s = await taskStatus(w, 'strict-out');
        return s?.state === 'FAILED' ? s : null;
      },
      30_000,
      200,
    );
    console.log(`# failed task trace: ${failed.trace?.split('\n')[0]}`);
    assert.match(
      failed.trace ?? '',
      /DataError: Converting byte\[\] to Kafka Connect data failed/,
      "the converter's error in the trace",
    );
    // Let a few flush intervals pass: a failed task must not commit anything more.
    await new Promise((r) => setTimeout(r, 1500));
    const after = await committed();
    console.log(
      `# committed sink offset before the pill: ${before}; after the failure: ${after.join(',')} (bad record at offset ${before})`,
    );
    assert.deepEqual(after, [before], 'nothing at or past the bad record is committed');
    assert.equal(
      (await fileLines(join(w.dir, 'strict-out.out'))).length,
      before,
      'no record after the bad one was delivered',
    );
  });

  it('source, errors.tolerance=all: a record a transform rejects goes to the DLQ and the source keeps going', async () => {
    const w = await WorkerProcess.create({ 'offset.flush.interval.ms': '500' });
    workers.push(w);
    const input: string[] = [];
    for (let i = 0; i < 1000; i++) input.push(i % 100 === 7 ? `not-a-number-${i}` : String(i));
    await writeFile(join(w.dir, 'numbers.txt'), input.join('\n') + '\n');
    await w.start();
    const created = await w.request(
      'POST',
      '/connectors',
      source(w.dir, 'numbers', 'numbers', {
        transforms: 'toInt',
        'transforms.toInt.type': 'org.apache.kafka.connect.transforms.Cast$Value',
        'transforms.toInt.spec': 'int32',
        'errors.tolerance': 'all',
        'errors.deadletterqueue.topic.name': 'numbers-dlq',
        'errors.deadletterqueue.context.headers.enable': 'true',
      }),
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const topic = await waitFor(
      '990 numbers in the topic',
      async () => {
        const r = await consume(w, 'numbers');
        return r.length >= 990 ? r : null;
      },
      60_000,
      1000,
    );
    assert.equal(topic.length, 990);
    assert.deepEqual(
      topic.slice(0, 8).map((r) => r.value),
      ['0', '1', '2', '3', '4', '5', '6', '8'],
    );
    const dlq = await consume(w, 'numbers-dlq');
    console.log(`# source: ${topic.length} records written, ${dlq.length} rejected by Cast into the DLQ`);
    assert.equal(dlq.length, 10);
    assert.equal(dlq[0]!.headers['__connect.errors.stage'], 'TRANSFORMATION');
    assert.equal(dlq[0]!.headers['__connect.errors.connector.name'], 'numbers');
    assert.match(dlq[0]!.headers['__connect.errors.exception.message'] ?? '', /not-a-number-7/);
    assert.equal((await taskStatus(w, 'numbers'))?.state, 'RUNNING');

    // The source keeps going after the rejected records.
    await writeFile(join(w.dir, 'numbers.txt'), input.join('\n') + '\n1000\nnope\n1001\n');
    await waitFor(
      'the records appended later',
      async () => ((await consume(w, 'numbers')).length >= 992 ? true : null),
      30_000,
      1000,
    );
    assert.equal((await consume(w, 'numbers-dlq')).length, 11);
  });

  it('runs the example transform chains from shared/examples unmodified', async () => {
    // Byte-for-byte copies of ../shared/examples, so the test runs wherever the repository is.
    const examples = new URL('../../../test/e2e/errors/', import.meta.url).pathname;
    const chainOf = async (file: string) =>
      Object.fromEntries(
        Object.entries(
          (JSON.parse(await readFile(join(examples, file), 'utf8')) as { config: Record<string, string> }).config,
        ).filter(([k]) => k === 'transforms' || k.startsWith('transforms.')),
      );
    const cdcChain = await chainOf('cdc-customers-transforms.json');
    const esChain = await chainOf('es-sink.json');
    assert.equal(cdcChain.transforms, 'unwrap,InsertTopic,InsertSourceDetails');

    const w = await WorkerProcess.create({ 'offset.flush.interval.ms': '500' });
    workers.push(w);
    // A Debezium change event for asgard.public.customers, in JsonConverter's schema envelope.
    const row = (optional: boolean) => ({
      type: 'struct',
      optional,
      name: 'asgard.public.customers.Value',
      fields: [
        { field: 'id', type: 'int32', optional: false },
        { field: 'first_name', type: 'string', optional: true },
        { field: 'email', type: 'string', optional: true },
      ],
    });
    const envelope = (op: string, before: unknown, after: unknown) =>
      JSON.stringify({
        schema: {
          type: 'struct',
          optional: false,
          name: 'asgard.public.customers.Envelope',
          fields: [
            { ...row(true), field: 'before' },
            { ...row(true), field: 'after' },
            {
              field: 'source',
              type: 'struct',
              optional: false,
              name: 'io.debezium.connector.postgresql.Source',
              fields: [{ field: 'table', type: 'string', optional: false }],
            },
            { field: 'op', type: 'string', optional: false },
            { field: 'ts_ms', type: 'int64', optional: true },
          ],
        },
        payload: { before, after, source: { table: 'customers' }, op, ts_ms: 1_700_000_000_000 },
      });
    await writeFile(
      join(w.dir, 'cdc.txt'),
      [
        envelope('c', null, { id: 1, first_name: 'Rick', email: 'rick@example.com' }),
        envelope(
          'u',
          { id: 1, first_name: 'Rick', email: 'rick@example.com' },
          { id: 1, first_name: 'Rick', email: 'rick.h@example.com' },
        ),
      ].join('\n') + '\n',
    );
    const logon = await readFile(join(examples, 'logon-enriched-sample.json'), 'utf8');
    const sample = JSON.parse(logon) as Record<string, unknown>;
    const logonSchema = {
      type: 'struct',
      optional: false,
      name: 'LOGON_ENRICHED',
      fields: Object.entries(sample).map(([field, v]) => ({
        field,
        optional: true,
        type: typeof v === 'string' ? 'string' : Number.isInteger(v) ? 'int64' : 'double',
      })),
    };
    await writeFile(join(w.dir, 'logon.txt'), JSON.stringify({ schema: logonSchema, payload: sample }) + '\n');
    await w.start();
    const schemaJson = {
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'true',
    };
    for (const c of [
      source(w.dir, 'cdc', 'asgard.public.customers'),
      source(w.dir, 'logon', 'LOGON_ENRICHED'),
      sink(w.dir, 'cdc-out', 'asgard.public.customers', { ...schemaJson, ...cdcChain }),
      sink(w.dir, 'logon-out', 'LOGON_ENRICHED', { ...schemaJson, ...esChain }),
    ]) {
      const r = await w.request('POST', '/connectors', c);
      assert.equal(r.status, 201, `${c.name}: ${JSON.stringify(r.body)}`);
    }
    const cdc = await waitFor(
      '2 unwrapped customers',
      async () => {
        const l = await fileLines(join(w.dir, 'cdc-out.out'));
        return l.length >= 2 ? l.map((x) => JSON.parse(x) as unknown) : null;
      },
      30_000,
      250,
    );
    assert.deepEqual(cdc, [
      {
        id: 1,
        first_name: 'Rick',
        email: 'rick@example.com',
        messagetopic: 'asgard.public.customers',
        messagesource: 'Debezium CDC from PostgreSQL on asgard',
      },
      {
        id: 1,
        first_name: 'Rick',
        email: 'rick.h@example.com',
        messagetopic: 'asgard.public.customers',
        messagesource: 'Debezium CDC from PostgreSQL on asgard',
      },
    ]);
    const out = await waitFor(
      'the converted logon record',
      async () => {
        const l = await fileLines(join(w.dir, 'logon-out.out'));
        return l.length >= 1 ? (JSON.parse(l[0]!) as Record<string, unknown>) : null;
      },
      30_000,
      250,
    );
    console.log(`# es-sink chain: LOGON_DATE ${String(sample.LOGON_DATE)} → ${String(out.LOGON_DATE)}`);
    assert.equal(out.LOGON_DATE, '2003-07-03T05:53:03.000Z', 'TimestampConverter turned the string into a Timestamp');
    assert.equal(out.CUST_FULL_NAME, 'rick hansen');
    for (const name of ['cdc-out', 'logon-out']) assert.equal((await taskStatus(w, name))?.state, 'RUNNING');
  });
});
