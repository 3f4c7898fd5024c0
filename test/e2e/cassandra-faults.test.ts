import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI, WorkerProcess, waitFor } from '../support/worker-process.js';
import { ensureService, stopService } from '../support/services.js';
import { execFileSync } from 'node:child_process';
import {
  appendLines,
  cassandraSink,
  count,
  cqlClient,
  fileSource,
  runCqlFile,
  taskState,
  waitForCount,
} from './cassandra/helpers.js';

const LOG: Record<string, string> = process.env.TRIBUTARY_TEST_BOOTSTRAP
  ? { 'bootstrap.servers': process.env.TRIBUTARY_TEST_BOOTSTRAP }
  : {};
const line = (i: number) => JSON.stringify({ id: i, source: `www${i % 4}`, body: `event ${i}` });
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

describe('Cassandra sink: the target going away, and bad input', () => {
  let cql = cqlClient();
  const workers: WorkerProcess[] = [];
  before(async () => {
    ensureService('cassandra');
    await cql.connect();
    await runCqlFile(cql, 'e2e-tables.cql');
  });
  after(async () => {
    for (const w of workers) await w.kill();
    ensureService('cassandra'); // leave it up for whoever runs next
    await cql.shutdown();
  });

  it('Cassandra stopped for 20 s: retries, then every row arrives; with errors.retry.timeout the task FAILs and a restart finishes the job', async () => {
    const N = 30_000;
    await cql.execute('TRUNCATE tributary_e2e.outage');
    await cql.execute('TRUNCATE tributary_e2e.outage_strict');
    const w = await WorkerProcess.create(LOG);
    workers.push(w);
    const input = join(w.dir, 'events.json');
    await writeFile(input, '');
    await w.start();
    await w.request('POST', '/connectors', fileSource('outage-in', input, 'outage'));
    assert.equal(
      (
        await w.request(
          'POST',
          '/connectors',
          cassandraSink('outage-patient', 'outage', {
            'topic.outage.tributary_e2e.outage.mapping': 'id=value.id, source=value.source, body=value.body',
          }),
        )
      ).status,
      201,
    );
    assert.equal(
      (
        await w.request(
          'POST',
          '/connectors',
          cassandraSink('outage-strict', 'outage', {
            'topic.outage.tributary_e2e.outage_strict.mapping': 'id=value.id, source=value.source, body=value.body',
            'errors.retry.timeout': '5000',
          }),
        )
      ).status,
      201,
    );
    await appendLines(input, range(0, 10_000).map(line));
    await waitForCount(cql, 'tributary_e2e.outage', 10_000);
    await waitForCount(cql, 'tributary_e2e.outage_strict', 10_000);

    // Our own client is closed over the outage: a driver that lost its node keeps reconnect timers
    // alive, and would hold this test process open after the last test.
    await cql.shutdown();
    const down = Date.now();
    stopService('cassandra');
    await appendLines(input, range(10_000, N).map(line));
    const strict = await waitFor(
      'outage-strict to fail',
      async () => {
        const s = await taskState(w, 'outage-strict');
        return s?.state === 'FAILED' ? s : null;
      },
      60_000,
      250,
    );
    console.log(
      `# outage-strict FAILED ${((Date.now() - down) / 1000).toFixed(1)} s after Cassandra stopped: ${strict.trace?.split('\n')[0]}`,
    );
    assert.match(strict.trace ?? '', /errors\.retry\.timeout=5000/);
    assert.equal((await taskState(w, 'outage-patient'))?.state, 'RUNNING', 'the patient sink keeps retrying');
    await new Promise((r) => setTimeout(r, Math.max(0, 20_000 - (Date.now() - down))));

    ensureService('cassandra');
    const up = Date.now();
    console.log(`# Cassandra was down ${((up - down) / 1000).toFixed(1)} s (stop + 20 s + start)`);
    cql = cqlClient();
    await waitFor(
      'our own CQL client to connect',
      async () => {
        await cql.connect();
        return true;
      },
      60_000,
      500,
    );
    await waitForCount(cql, 'tributary_e2e.outage', N, 120_000);
    console.log(`# outage-patient: all ${N} rows ${((Date.now() - up) / 1000).toFixed(1)} s after Cassandra was back`);
    assert.equal((await taskState(w, 'outage-patient'))?.state, 'RUNNING');

    assert.equal((await w.request('POST', '/connectors/outage-strict/tasks/0/restart')).status, 204);
    await waitForCount(cql, 'tributary_e2e.outage_strict', N, 120_000);
    assert.equal(await count(cql, 'tributary_e2e.outage'), N);
    assert.equal(await count(cql, 'tributary_e2e.outage_strict'), N);
    console.log(`# outage-strict: all ${N} rows after a task restart`);
    await w.stop();
  });

  it('rejects mappings that do not fit the table before anything starts (validate and create over REST)', async () => {
    const w = await WorkerProcess.create(LOG);
    workers.push(w);
    await w.start();
    const base = cassandraSink('bad-mapping', 'events', {}).config;
    const missing = await w.request<{
      error_count: number;
      configs: Array<{ value: { name: string; errors: string[] } }>;
    }>('PUT', '/connector-plugins/CassandraSink/config/validate', {
      ...base,
      name: 'bad-mapping',
      'topic.events.tributary_e2e.events.mapping': 'id=value.id, sauce=value.source',
    });
    assert.equal(missing.status, 200);
    const errors = missing.body.configs.flatMap((c) => c.value.errors.map((e) => `${c.value.name}: ${e}`));
    console.log(`# validate: ${errors.join(' | ')}`);
    assert.equal(missing.body.error_count, 1);
    assert.match(
      errors[0]!,
      /^topic\.events\.tributary_e2e\.events\.mapping: Column sauce \(mapped from value\.source\) does not exist in tributary_e2e\.events/,
    );

    const mismatched = await w.request<{ message: string }>(
      'POST',
      '/connectors',
      cassandraSink('bad-type', 'events', {
        'topic.events.tributary_e2e.events.mapping': 'id=value.id, body=now()',
      }),
    );
    console.log(
      `# create with now() into a text column: ${mismatched.status} ${mismatched.body.message.split('\n')[1]}`,
    );
    assert.equal(mismatched.status, 400);
    assert.match(
      mismatched.body.message,
      /Column body of tributary_e2e\.events is text, but now\(\) produces timeuuid/,
    );

    const noPk = await w.request<{ message: string }>(
      'POST',
      '/connectors',
      cassandraSink('no-pk', 'events', {
        'topic.events.tributary_e2e.events.mapping': 'source=value.source',
      }),
    );
    assert.equal(noPk.status, 400);
    assert.match(noPk.body.message, /Primary key column id of tributary_e2e\.events is not mapped/);

    const noTable = await w.request<{ message: string }>(
      'POST',
      '/connectors',
      cassandraSink('no-table', 'events', {
        'topic.events.tributary_e2e.nope.mapping': 'id=value.id',
      }),
    );
    assert.equal(noTable.status, 400);
    assert.match(noTable.body.message, /Table tributary_e2e\.nope does not exist/);
    assert.deepEqual((await w.request('GET', '/connectors')).body, []);
    await w.stop();
  });

  it('bad records (no primary key, wrong type, malformed JSON) are skipped with errors.tolerance=all; the rest flows', async () => {
    await cql.execute('TRUNCATE tributary_e2e.bad_input');
    const w = await WorkerProcess.create(LOG);
    workers.push(w);
    const input = join(w.dir, 'mixed.json');
    await writeFile(input, '');
    await w.start();
    await w.request('POST', '/connectors', fileSource('mixed-in', input, 'mixed'));
    assert.equal(
      (
        await w.request(
          'POST',
          '/connectors',
          cassandraSink('mixed-cassandra', 'mixed', {
            'topic.mixed.tributary_e2e.bad_input.mapping': 'id=value.id, source=value.source, n=value.n',
            'errors.tolerance': 'all',
          }),
        )
      ).status,
      201,
    );
    const lines: string[] = [];
    let good = 0;
    for (let i = 0; i < 1000; i++) {
      if (i % 10 === 3)
        lines.push(JSON.stringify({ source: 'no-id', n: i })); // primary key missing
      else if (i % 10 === 5)
        lines.push(JSON.stringify({ id: i, source: 'bad-n', n: 'many' })); // n is an int column
      else if (i % 10 === 7)
        lines.push(`{"id": ${i}, "source": "truncated`); // not JSON
      else {
        lines.push(JSON.stringify({ id: i, source: 'ok', n: i }));
        good++;
      }
    }
    await appendLines(input, lines);
    await waitForCount(cql, 'tributary_e2e.bad_input', good);
    await new Promise((r) => setTimeout(r, 2000));
    const rows = await count(cql, 'tributary_e2e.bad_input');
    console.log(
      `# ${lines.length} records, ${lines.length - good} bad: ${rows} rows written, task ${(await taskState(w, 'mixed-cassandra'))?.state}`,
    );
    assert.equal(rows, good);
    assert.equal((await taskState(w, 'mixed-cassandra'))?.state, 'RUNNING');
    await w.stop();
  });

  it('a record without its primary key fails the task with errors.tolerance=none, naming the field and offset', async () => {
    await cql.execute('TRUNCATE tributary_e2e.bad_strict');
    const w = await WorkerProcess.create(LOG);
    workers.push(w);
    const input = join(w.dir, 'strict.json');
    await writeFile(input, '');
    await w.start();
    await w.request('POST', '/connectors', fileSource('strict-in', input, 'strict'));
    await w.request(
      'POST',
      '/connectors',
      cassandraSink('strict-cassandra', 'strict', {
        'topic.strict.tributary_e2e.bad_strict.mapping': 'id=value.id, source=value.source, n=value.n',
      }),
    );
    await appendLines(input, [
      ...range(0, 50).map((i) => JSON.stringify({ id: i, source: 'ok', n: i })),
      JSON.stringify({ source: 'no-id' }),
    ]);
    const s = await waitFor(
      'the task to fail',
      async () => {
        const t = await taskState(w, 'strict-cassandra');
        return t?.state === 'FAILED' ? t : null;
      },
      60_000,
      250,
    );
    console.log(`# errors.tolerance=none: ${s.trace?.split('\n')[0]}`);
    assert.match(
      s.trace ?? '',
      /Required field value\.id \(mapped to column id\) was missing from the record at strict-0@50/,
    );
    await w.stop();
  });

  it('sends a record without its primary key to the dead-letter queue, with its original bytes', async () => {
    const w = await WorkerProcess.create(LOG);
    workers.push(w);
    const input = join(w.dir, 'dlq.json');
    await writeFile(input, '');
    await w.start();
    await w.request('POST', '/connectors', fileSource('dlq-in', input, 'dlq'));
    await w.request(
      'POST',
      '/connectors',
      cassandraSink('dlq-cassandra', 'dlq', {
        'topic.dlq.tributary_e2e.bad_input.mapping': 'id=value.id, source=value.source, n=value.n',
        'errors.tolerance': 'all',
        'errors.deadletterqueue.topic.name': 'dlq-errors',
        'errors.deadletterqueue.context.headers.enable': 'true',
      }),
    );
    await appendLines(input, [
      JSON.stringify({ id: 100_001, source: 'ok', n: 1 }),
      JSON.stringify({ source: 'no-id' }),
      JSON.stringify({ id: 100_002, source: 'ok', n: 2 }),
    ]);
    const dead = await waitFor(
      'a record in the DLQ',
      async () => {
        const out = execFileSync(
          process.execPath,
          [CLI, 'consume', 'dlq-errors', '--log-dir', join(w.dir, 'log'), '--from-beginning', '--timeout-ms', '2000'],
          { encoding: 'utf8' },
        );
        return out.trim() ? out : null;
      },
      15_000,
      1000,
    );
    console.log(`# DLQ record: ${dead.trim().slice(0, 300)}`);
    assert.match(dead, /no-id/);
    const good = await waitFor(
      'the good records around it',
      async () => {
        const rs = await cql.execute('SELECT id FROM tributary_e2e.bad_input WHERE id IN (100001, 100002)');
        return rs.rows.length === 2 ? rs.rows.length : null;
      },
      30_000,
      500,
    );
    assert.equal(good, 2);
    assert.equal((await taskState(w, 'dlq-cassandra'))?.state, 'RUNNING');
    await w.stop();
  });
});
