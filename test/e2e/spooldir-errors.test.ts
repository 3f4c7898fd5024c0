import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, open, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { WorkerProcess, waitFor } from '../support/worker-process.js';
import {
  connectorStatus,
  consume,
  exampleConfig,
  files,
  HEADER,
  orderRow,
  spoolDirs,
  waitForFiles,
  writeOrders,
} from './spooldir/support.js';

const countLines = async (path: string) => (await readFile(path, 'utf8')).split('\n').filter(Boolean).length;
const ids = (records: Array<{ key: string | null }>) => records.map((r) => Number(/order_id=(\d+)/.exec(r.key!)![1]));

describe('spooldir: bad input gets a clear error and nothing else is lost', () => {
  const workers: WorkerProcess[] = [];
  after(async () => {
    for (const w of workers) await w.kill();
  });

  it('halt.on.error=false: a bad row sends its file to error.path with a sidecar; rows before it and other files flow', async () => {
    const w = await WorkerProcess.create();
    workers.push(w);
    const dirs = await spoolDirs(w.dir);
    await w.start();
    // Row 300 has a column too few, so the file stops there; the next file is fine.
    await writeOrders(
      join(dirs.source, 'orders1.csv'),
      1,
      1000,
      new Map([[300, '300,1,2018-01-01T00:00:00Z,short row']]),
    );
    await writeOrders(
      join(dirs.source, 'orders2.csv'),
      1001,
      1000,
      new Map([[1500, '1500,abc,2018-01-01T00:00:00Z,Bread,1.00']]),
    );
    await writeOrders(join(dirs.source, 'orders3.csv'), 2001, 1000);
    assert.equal((await w.request('POST', '/connectors', await exampleConfig(dirs))).status, 201);
    await waitForFiles(dirs.finished, 1);
    const errors = await waitForFiles(dirs.error, 4);
    assert.deepEqual(errors, ['orders1.csv', 'orders1.csv.error.txt', 'orders2.csv', 'orders2.csv.error.txt']);
    const side1 = await readFile(join(dirs.error, 'orders1.csv.error.txt'), 'utf8');
    const side2 = await readFile(join(dirs.error, 'orders2.csv.error.txt'), 'utf8');
    console.log(
      `# sidecars:\n# ${side1.split('\n').slice(1, 3).join(' | ')}\n# ${side2.split('\n').slice(1, 3).join(' | ')}`,
    );
    assert.match(side1, /line: 301\nreason: line 301: expected 5 columns \(as the header\) but found 4/);
    assert.match(side2, /line: 501\nreason: line 501: column 2 \("customer_id"\): "abc" is not an INT64/);
    assert.equal((await connectorStatus(w, 'csv-source-orders')).tasks[0]!.state, 'RUNNING');
    const got = ids(await consume(w, 'orders')).sort((a, b) => a - b);
    const want = [
      ...Array.from({ length: 299 }, (_, i) => i + 1),
      ...Array.from({ length: 499 }, (_, i) => 1001 + i),
      ...Array.from({ length: 1000 }, (_, i) => 2001 + i),
    ];
    assert.deepEqual(got, want);
    console.log(`# delivered ${got.length} rows: 299 before the bad row of orders1, 499 of orders2, 1000 of orders3`);
    await w.stop();
  });

  it('halt.on.error=true: the task goes FAILED naming the file and line, after delivering the rows before it', async () => {
    const w = await WorkerProcess.create();
    workers.push(w);
    const dirs = await spoolDirs(w.dir);
    await w.start();
    await writeOrders(
      join(dirs.source, 'orders1.csv'),
      1,
      100,
      new Map([[42, '42,1,2018-01-01T00:00:00Z,"unclosed,1.00']]),
    );
    await w.request('POST', '/connectors', await exampleConfig(dirs, { 'halt.on.error': 'true' }));
    const st = await waitFor('task FAILED', async () => {
      const s = await connectorStatus(w, 'csv-source-orders');
      return s.tasks[0]?.state === 'FAILED' ? s : null;
    });
    const trace = st.tasks[0]!.trace!;
    console.log(`# FAILED: ${trace.split('\n')[0]}`);
    assert.match(
      trace,
      /orders1\.csv record 42, line 43: a quoted field is followed by more text.*halt\.on\.error=true stopped the task/,
    );
    assert.deepEqual(await files(dirs.source), ['orders1.csv'], 'the file stays, without a marker');
    assert.deepEqual(
      ids(await consume(w, 'orders')),
      Array.from({ length: 41 }, (_, i) => i + 1),
    );
    await w.stop();
  });

  it('errors.tolerance=all: bad rows, malformed quotes included, go to the dead-letter queue naming file and line; the file continues to finished', async () => {
    const w = await WorkerProcess.create();
    workers.push(w);
    const dirs = await spoolDirs(w.dir);
    await w.start();
    // Two rows that parse but do not fit the schema, and two the CSV parser gives up on: a stray quote
    // after a quoted field, and a quote that is never closed (it runs into the rows after it).
    await writeOrders(
      join(dirs.source, 'orders1.csv'),
      1,
      1000,
      new Map([
        [10, 'ten,1,x,y,z'],
        [20, '20,1'],
        [30, '30,1,2018-01-01T00:00:00Z,"Bread" Rye,1.00'],
        [40, '40,1,2018-01-01T00:00:00Z,"unclosed,1.00'],
      ]),
    );
    await w.request(
      'POST',
      '/connectors',
      await exampleConfig(dirs, {
        'errors.tolerance': 'all',
        'errors.deadletterqueue.topic.name': 'orders-dlq',
        'errors.deadletterqueue.context.headers.enable': 'true',
      }),
    );
    await waitForFiles(dirs.finished, 1);
    assert.deepEqual(await files(dirs.error), []);
    const good = ids(await consume(w, 'orders'));
    assert.deepEqual(
      good,
      Array.from({ length: 1000 }, (_, i) => i + 1).filter((id) => ![10, 20, 30, 40].includes(id)),
    );
    const dlq = await consume(w, 'orders-dlq');
    assert.equal(dlq.length, 4);
    const messages = dlq.map((r) => r.headers['__connect.errors.exception.message']);
    console.log(`# DLQ: ${messages.join(' || ')}`);
    assert.match(messages[0]!, /orders1\.csv line 11: column 1 \("order_id"\): "ten" is not an INT64/);
    assert.match(messages[1]!, /orders1\.csv line 21: expected 5 columns \(as the header\) but found 2/);
    assert.match(messages[2]!, /orders1\.csv line 31: a quoted field is followed by more text/);
    assert.match(messages[3]!, /orders1\.csv line 41: a quoted field is followed by more text/);
    // The row itself is the DLQ record's value, with the file headers and the error context.
    assert.deepEqual(
      dlq.map((r) => r.value),
      ['ten,1,x,y,z', '20,1', '30,1,2018-01-01T00:00:00Z,"Bread" Rye,1.00', '40,1,2018-01-01T00:00:00Z,"unclosed,1.00'],
    );
    assert.equal(dlq[0]!.headers['file.name'], 'orders1.csv');
    assert.equal(dlq[0]!.headers['file.offset'], '10');
    assert.equal(dlq[3]!.headers['file.offset'], '40');
    assert.equal(dlq[0]!.headers['__connect.errors.stage'], 'TASK_POLL');
    assert.equal(dlq[0]!.headers['__connect.errors.connector.name'], 'csv-source-orders');
    console.log(`# delivered ${good.length} rows and dead-lettered 4; the file went to finished`);
    await w.stop();
  });

  it('a file still being written in place (file.minimum.age.ms=0) is followed until it settles: no row is left behind in a moved file', async () => {
    const w = await WorkerProcess.create();
    workers.push(w);
    const dirs = await spoolDirs(w.dir);
    await w.start();
    await w.request('POST', '/connectors', await exampleConfig(dirs));
    // The writer keeps its descriptor open, as an export or a logger does: had the file been moved
    // early, the rest of its rows would land in finished/ and never be read.
    const path = join(dirs.source, 'orders-live.csv');
    const fh = await open(path, 'a');
    await fh.write(`${HEADER}\n`);
    let id = 0;
    let markerSeen = false;
    const started = Date.now();
    while (Date.now() - started < 4000) {
      await fh.write(Array.from({ length: 50 }, () => orderRow(++id)).join('\n') + '\n');
      if (id % 500 === 0) {
        // Half a row now, the rest a little later: the row must not be cut in two.
        const row = orderRow(++id);
        await fh.write(row.slice(0, 10));
        await sleep(300);
        await fh.write(`${row.slice(10)}\n`);
      }
      markerSeen ||= (await files(dirs.source)).includes('orders-live.csv.PROCESSING');
      await sleep(100);
    }
    await fh.close();
    const closedAt = Date.now();
    assert.ok(markerSeen, 'the connector was reading the file while it was written');
    await waitForFiles(dirs.finished, 1);
    console.log(
      `# ${id} rows written over ${((closedAt - started) / 1000).toFixed(1)} s while being read; finished ${((Date.now() - closedAt) / 1000).toFixed(1)} s after the writer closed it`,
    );
    const got = ids(await consume(w, 'orders'));
    assert.equal(got.length, id, 'every row written arrived');
    assert.deepEqual(
      got,
      Array.from({ length: id }, (_, i) => i + 1),
    );
    assert.equal(
      await countLines(join(dirs.finished, 'orders-live.csv')),
      id + 1,
      'the finished file holds exactly the rows read',
    );
    await w.stop();
  });

  it('empty files finish with 0 records; young files wait for file.minimum.age.ms; a reused name is read again; a stale marker is recovered', async () => {
    const w = await WorkerProcess.create();
    workers.push(w);
    const dirs = await spoolDirs(w.dir);
    await writeFile(join(dirs.source, 'orders-empty.csv'), '');
    await writeOrders(join(dirs.source, 'orders-stale.csv'), 1, 10);
    await writeFile(join(dirs.source, 'orders-stale.csv.PROCESSING'), 'left by a crash\n');
    await w.start();
    await w.request(
      'POST',
      '/connectors',
      await exampleConfig(dirs, { 'file.minimum.age.ms': '3000', 'cleanup.policy': 'MOVEBYDATE' }),
    );
    const byDate = async () =>
      (await files(dirs.finished).catch(() => [])).length === 0
        ? []
        : files(join(dirs.finished, (await files(dirs.finished))[0]!));
    // Both were written more than 3 s ago only after a while: nothing is read before that.
    await utimes(join(dirs.source, 'orders-empty.csv'), new Date(Date.now() - 10_000), new Date(Date.now() - 10_000));
    await utimes(join(dirs.source, 'orders-stale.csv'), new Date(Date.now() - 10_000), new Date(Date.now() - 10_000));
    await waitFor('empty and stale files finished', async () => (await byDate()).length === 2, 30_000);
    // A young file: written now, so it is skipped for about 3 s.
    await writeOrders(join(dirs.source, 'orders-young.csv'), 11, 10);
    const writtenAt = Date.now();
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok((await files(dirs.source)).includes('orders-young.csv'), 'young file not read yet');
    await waitFor('young file finished', async () => (await files(dirs.source)).length === 0, 30_000);
    console.log(
      `# young file read ${((Date.now() - writtenAt) / 1000).toFixed(1)} s after it was written (file.minimum.age.ms=3000)`,
    );
    assert.ok(Date.now() - writtenAt >= 3000);
    // The same name again, other contents: kafka-connect-spooldir would resume at the old offset and skip rows.
    await writeOrders(join(dirs.source, 'orders-stale.csv'), 101, 10);
    await utimes(join(dirs.source, 'orders-stale.csv'), new Date(Date.now() - 10_000), new Date(Date.now() - 5_000));
    await waitFor('reused name finished', async () => (await files(dirs.source)).length === 0, 30_000);
    const got = ids(await consume(w, 'orders')).sort((a, b) => a - b);
    assert.deepEqual(got, [
      ...Array.from({ length: 20 }, (_, i) => i + 1),
      ...Array.from({ length: 10 }, (_, i) => 101 + i),
    ]);
    console.log(
      `# delivered ${got.length}: 10 from the stale-marker file, 10 young, 10 from the reused name; 0 from the empty file`,
    );
    await w.stop();
  });

  it('input.path missing → connector FAILED saying what to do; a bad value.schema is rejected over REST', async () => {
    const w = await WorkerProcess.create();
    workers.push(w);
    const dirs = await spoolDirs(w.dir);
    await w.start();
    await rm(dirs.source, { recursive: true });
    assert.equal((await w.request('POST', '/connectors', await exampleConfig(dirs))).status, 201);
    const st = await waitFor('connector FAILED', async () => {
      const s = await connectorStatus(w, 'csv-source-orders');
      return s.connector.state === 'FAILED' ? s : null;
    });
    console.log(`# missing input.path: ${st.connector.trace!.split('\n')[0]}`);
    assert.match(
      st.connector.trace!,
      /input\.path .*source does not exist: create the directory or correct input\.path/,
    );
    await mkdir(dirs.source);
    const bad = await exampleConfig(
      dirs,
      { 'value.schema': '{"type":"STRUCT","fieldSchemas":{"id":{"type":"INT65"}}}' },
      'bad-schema',
    );
    const res = await w.request<{ error_code: number; message: string }>('POST', '/connectors', bad);
    console.log(`# bad value.schema: ${res.status} ${res.body.message.split('\n')[0]}`);
    assert.equal(res.status, 400);
    assert.match(res.body.message, /value\.schema.*schema\.fieldSchemas\.id\.type must be one of/);
    const noSchema = await exampleConfig(dirs, { 'value.schema': '' }, 'no-schema');
    const res2 = await w.request<{ message: string }>('POST', '/connectors', noSchema);
    assert.equal(res2.status, 400);
    assert.match(res2.body.message, /must be set to a STRUCT schema/);
    await w.stop();
  });
});
