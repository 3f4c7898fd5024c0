import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkerProcess, waitFor } from '../support/worker-process.js';
import { ensureService } from '../support/services.js';
import {
  appendLines,
  cassandraSink,
  count,
  cqlClient,
  fileSource,
  logLine,
  runCqlFile,
  taskState,
  waitForCount,
} from './cassandra/helpers.js';

// The log is a parameter: set TRIBUTARY_TEST_BOOTSTRAP to run the same pipeline over Kafka.
const LOG: Record<string, string> = process.env.TRIBUTARY_TEST_BOOTSTRAP
  ? { 'bootstrap.servers': process.env.TRIBUTARY_TEST_BOOTSTRAP }
  : {};

describe('JSON web logs → Cassandra (DataStax sink), driven over REST', () => {
  const cql = cqlClient();
  const workers: WorkerProcess[] = [];
  before(async () => {
    ensureService('cassandra');
    await cql.connect();
    await runCqlFile(cql, 'cassandra-logs.cql');
    await runCqlFile(cql, 'e2e-tables.cql');
  });
  after(async () => {
    for (const w of workers) await w.kill();
    await cql.shutdown();
  });

  it('lands every log entry of topic www_logs in admintome.logs (log_id = now())', async () => {
    const N = 20_000;
    await cql.execute('TRUNCATE admintome.logs');
    const w = await WorkerProcess.create(LOG);
    workers.push(w);
    const input = join(w.dir, 'www-logs.json');
    await writeFile(input, '');
    await w.start();
    assert.equal((await w.request('POST', '/connectors', fileSource('www-logs-in', input, 'www_logs'))).status, 201);
    const sink = cassandraSink('www-logs-cassandra', 'www_logs', {
      'topic.www_logs.admintome.logs.mapping':
        'log_source=value.log.source, log_type=value.log.type, log_id=now(), log=value.log.log, log_datetime=value.log.datetime',
    });
    const created = await w.request('POST', '/connectors', sink);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const started = Date.now();
    await appendLines(
      input,
      Array.from({ length: N }, (_, i) => logLine(i)),
    );
    await waitForCount(cql, 'admintome.logs', N);
    const secs = (Date.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 1500)); // nothing more may arrive
    const rows = await count(cql, 'admintome.logs');
    console.log(
      `# ${N} log entries → admintome.logs in ${secs.toFixed(1)} s (${Math.round(N / secs)} rows/s end to end); select count(*) = ${rows}`,
    );
    assert.equal(rows, N);
    const rs = await cql.execute(
      "SELECT log, log_datetime, writetime(log) AS wt FROM admintome.logs WHERE log_source = 'www1' AND log_type = 'www_access' LIMIT 1",
    );
    assert.match(rs.rows[0]!.log as string, /^\d+ '108\.162\.245\.143/);
    assert.equal(rs.rows[0]!.log_datetime, '2018-08-08 17:44');
    // The write time is the record's timestamp (µs), not the time of the write.
    const wt = Number(rs.rows[0]!.wt) / 1000;
    assert.ok(wt > started - 60_000 && wt <= Date.now(), `writetime ${wt} is a record timestamp`);
    assert.equal((await taskState(w, 'www-logs-cassandra'))?.state, 'RUNNING');
    await w.stop();
  });

  it('loses no row when the worker is SIGKILLed mid-stream and restarted (natural key: upserts)', async () => {
    const N = 60_000;
    await cql.execute('TRUNCATE tributary_e2e.events');
    await cql.execute('TRUNCATE tributary_e2e.events_seen');
    const w = await WorkerProcess.create({ ...LOG, 'offset.flush.interval.ms': '500' });
    workers.push(w);
    const input = join(w.dir, 'events.json');
    await writeFile(input, '');
    await w.start();
    await w.request('POST', '/connectors', fileSource('events-in', input, 'events'));
    // One topic, two tables: events is keyed by the record's id (replays overwrite), events_seen gets a
    // new row per write (now()), so it counts the replays a crash causes.
    const created = await w.request(
      'POST',
      '/connectors',
      cassandraSink('events-cassandra', 'events', {
        'topic.events.tributary_e2e.events.mapping': 'id=value.id, source=value.source, body=value.body',
        'topic.events.tributary_e2e.events_seen.mapping': 'id=value.id, seen=now()',
      }),
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const line = (i: number) => JSON.stringify({ id: i, source: `www${i % 4}`, body: `event ${i} ${'x'.repeat(60)}` });
    let appended = 0;
    const writer = (async () => {
      while (appended < N) {
        await appendLines(
          input,
          Array.from({ length: 2000 }, (_, k) => line(appended + k)),
        );
        appended += 2000;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await waitFor(
      'the stream to be flowing',
      async () => (await count(cql, 'tributary_e2e.events')) > N * 0.3,
      120_000,
      200,
    );
    await w.kill();
    const atKill = await count(cql, 'tributary_e2e.events');
    const restarted = Date.now();
    await w.start(); // connectors come back from the config store, the sink from its committed offsets
    await writer;
    await waitForCount(cql, 'tributary_e2e.events', N);
    const recoverSecs = (Date.now() - restarted) / 1000;
    await new Promise((r) => setTimeout(r, 1500));
    const rows = await count(cql, 'tributary_e2e.events');
    const writes = await count(cql, 'tributary_e2e.events_seen');
    const ids = new Set(
      (await cql.execute('SELECT id FROM tributary_e2e.events', [], { fetchSize: 100_000 })).rows.map(
        (r) => r.id as number,
      ),
    );
    console.log(
      `# killed with ${atKill} rows; after restart ${rows} rows in events (${ids.size} distinct ids), ${writes} writes seen → ${writes - N} records written twice; all rows ${recoverSecs.toFixed(1)} s after the restart`,
    );
    assert.equal(rows, N);
    for (let i = 0; i < N; i++) assert.ok(ids.has(i), `id ${i} missing`);
    // A crash repeats what was delivered since the last commit: at most a flush interval plus the
    // batches in flight (the writer caps the flow at ~40k records/s).
    assert.ok(writes - N <= 30_000, `replays (${writes - N}) exceed the bound`);
    await w.stop();
  });
});
