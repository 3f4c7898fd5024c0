import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkerProcess, waitFor } from '../support/worker-process.js';
import { ensureService, stopService } from '../support/services.js';
import { ES, allDocs, count, deleteIndices, es, waitForCount } from './elasticsearch/fixtures.js';

// Records enter through the worker: a FileStreamSource (StringConverter) writes JSON lines to a topic,
// the sink reads them with JsonConverter and keys them by `id` (ValueToKey + ExtractField$Key), so the
// document id is the key and writes are versioned by offset.
// The log is a parameter: the embedded log by default, Kafka when E2E_BOOTSTRAP_SERVERS is set (topics
// then get a per-run suffix, since a real broker keeps them between runs).
const LOG_PROPS: Record<string, string> = process.env.E2E_BOOTSTRAP_SERVERS
  ? { 'bootstrap.servers': process.env.E2E_BOOTSTRAP_SERVERS }
  : {};
const RUN = process.env.E2E_BOOTSTRAP_SERVERS ? `-${Date.now()}` : '';

const record = (i: number) => ({
  id: i,
  name: `user-${i}`,
  email: `user-${i}@example.com`,
  amount: i * 0.25,
  active: i % 2 === 0,
  ts: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(),
  tags: ['a', `t${i % 7}`],
});
const line = (i: number) => JSON.stringify(record(i));

async function appendRecords(file: string, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i += 10_000) {
    const lines: string[] = [];
    for (let j = i; j < Math.min(to, i + 10_000); j++) lines.push(line(j));
    await appendFile(file, lines.join('\n') + '\n');
  }
}

function sinkConfig(index: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'connector.class': 'io.confluent.connect.elasticsearch.ElasticsearchSinkConnector',
    topics: index + RUN,
    'connection.url': ES,
    'topic.index.map': `${index + RUN}:${index}`,
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'false',
    'schema.ignore': 'true',
    'behavior.on.null.values': 'ignore',
    // The test machine is shared and often loaded (load average 10+ on 2 cores): allow slow bulk
    // answers rather than time out and resend (the 3 s default is Confluent's).
    'read.timeout.ms': '30000',
    transforms: 'key,id',
    'transforms.key.type': 'org.apache.kafka.connect.transforms.ValueToKey',
    'transforms.key.fields': 'id',
    'transforms.id.type': 'org.apache.kafka.connect.transforms.ExtractField$Key',
    'transforms.id.field': 'id',
    ...extra,
  };
}

async function taskState(w: WorkerProcess, name: string): Promise<{ state: string; trace?: string } | undefined> {
  const r = await w.request<{ tasks: { state: string; trace?: string }[] }>('GET', `/connectors/${name}/status`);
  return r.body?.tasks?.[0];
}

async function committed(w: WorkerProcess, name: string): Promise<number> {
  const r = await w.request<{ offsets: { offset: { kafka_offset: number } }[] }>('GET', `/connectors/${name}/offsets`);
  return r.body?.offsets?.[0]?.offset?.kafka_offset ?? 0;
}

/** Every document present, with the id of its record and exactly its fields. */
async function assertDocsEqualRecords(index: string, n: number): Promise<void> {
  const docs = await allDocs(index);
  assert.equal(docs.size, n);
  for (let i = 0; i < n; i++) {
    const d = docs.get(String(i));
    if (!d) assert.fail(`document ${i} missing`);
    assert.deepEqual(d.source, record(i), `document ${i}`);
  }
}

describe('Elasticsearch sink: crash and outage recovery', () => {
  const workers: WorkerProcess[] = [];
  before(() => ensureService('elasticsearch'));
  after(async () => {
    for (const w of workers) await w.kill();
    ensureService('elasticsearch'); // leave it running even if a test failed mid-outage
  });

  it('SIGKILL mid-stream and restart: exactly 200k documents, each equal to its record', async () => {
    const N = 200_000;
    await deleteIndices('crash');
    const w = await WorkerProcess.create(LOG_PROPS);
    workers.push(w);
    const input = join(w.dir, 'in.jsonl');
    await writeFile(input, '');
    await appendRecords(input, 0, N);
    await w.start();
    await w.request('POST', '/connectors', {
      name: 'crash-src',
      config: { 'connector.class': 'FileStreamSource', file: input, topic: 'crash' + RUN },
    });
    const started = Date.now();
    assert.equal(
      (
        await w.request('POST', '/connectors', {
          name: 'crash-es',
          config: sinkConfig('crash', { 'errors.retry.timeout': '300000' }),
        })
      ).status,
      201,
    );

    await waitFor('40% of the documents', async () => (await count('crash')) >= N * 0.4, 600_000, 200);
    const committedBefore = await committed(w, 'crash-es');
    await w.kill();
    const atKill = await count('crash', true);
    await w.start();
    await waitForCount('crash', N, 900_000);
    const secs = (Date.now() - started) / 1000;
    // Let the sink commit its last offsets, then read what the topic held (source replays included).
    const end = await waitFor(
      'the sink to commit the end of the topic',
      async () => {
        const c1 = await committed(w, 'crash-es');
        await new Promise((r) => setTimeout(r, 1500));
        const c2 = await committed(w, 'crash-es');
        return c2 >= N && c1 === c2 ? c2 : null;
      },
      60_000,
      100,
    );
    const stats = (await es('GET', '/crash/_stats/indexing')).body._all.primaries.indexing;
    const resent = atKill - committedBefore;
    console.log(
      `# killed with ${atKill} docs in ES and offset ${committedBefore} committed (≈${resent} records to re-send); after restart ${await count('crash', true)} docs for ${end} topic records (${end - N} replayed by the source) in ${secs.toFixed(1)} s`,
    );
    console.log(
      `# ES indexing stats: index_total=${stats.index_total} index_failed=${stats.index_failed} (version conflicts from redelivery are refused writes, not documents)`,
    );
    assert.equal(await count('crash', true), N);
    await assertDocsEqualRecords('crash', N);
    // A redelivery is bounded by what was not yet committed: the buffer plus one flush interval of flow.
    assert.ok(resent <= 20_000 + 100_000, `re-sent ${resent}`);
    await w.stop();
  });

  it('Elasticsearch stopped for 20 s mid-stream: RUNNING while retrying, every document arrives; a short errors.retry.timeout fails with the reason', async () => {
    const N = 60_000;
    await deleteIndices('outage', 'outage_impatient');
    const w = await WorkerProcess.create(LOG_PROPS);
    workers.push(w);
    const input = join(w.dir, 'in.jsonl');
    await writeFile(input, '');
    await w.start();
    await w.request('POST', '/connectors', {
      name: 'outage-src',
      config: { 'connector.class': 'FileStreamSource', file: input, topic: 'outage' + RUN },
    });
    await w.request('POST', '/connectors', {
      name: 'patient',
      config: sinkConfig('outage', { 'errors.retry.timeout': '-1', 'errors.retry.delay.max.ms': '2000' }),
    });
    await w.request('POST', '/connectors', {
      name: 'impatient',
      config: sinkConfig('outage', {
        'topic.index.map': `outage${RUN}:outage_impatient`,
        'errors.retry.timeout': '5000',
        'max.retries': '2',
        'read.timeout.ms': '3000',
      }),
    });
    // A writer appends 1000 records every 100 ms for about a minute, through the outage.
    let appended = 0;
    const writer = (async () => {
      while (appended < N) {
        await appendRecords(input, appended, appended + 1000);
        appended += 1000;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await waitFor('documents flowing', async () => (await count('outage')) >= 5000, 60_000, 200);
    stopService('elasticsearch');
    const downAt = Date.now();
    const states = new Set<string>();
    let impatient: { state: string; trace?: string } | undefined;
    while (Date.now() - downAt < 20_000) {
      states.add((await taskState(w, 'patient'))!.state);
      const t = await taskState(w, 'impatient');
      if (t?.state === 'FAILED') impatient ??= t;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const appendedDuringOutage = appended;
    ensureService('elasticsearch');
    const upAt = Date.now();
    await writer;
    await waitForCount('outage', N, 600_000);
    const caughtUp = (Date.now() - upAt) / 1000;
    console.log(
      `# ES down ${((upAt - downAt) / 1000).toFixed(0)} s (20 s stopped + restart); patient task states while down: ${[...states].join(',')}; ${appendedDuringOutage} records appended by then; all ${N} docs ${caughtUp.toFixed(1)} s after ES was back`,
    );
    assert.deepEqual([...states], ['RUNNING']);
    assert.equal((await taskState(w, 'patient'))!.state, 'RUNNING');
    await assertDocsEqualRecords('outage', N);
    assert.ok(impatient, 'the connector with errors.retry.timeout=5000 should have failed during the outage');
    console.log(`# impatient task: ${impatient.state}: ${impatient.trace!.split('\n')[0]!.slice(0, 300)}`);
    assert.match(impatient.trace!, /unreachable[\s\S]*errors\.retry\.timeout/);
    await w.stop();
  });
});
