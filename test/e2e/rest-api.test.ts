import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT, WorkerProcess, waitFor } from '../support/worker-process.js';

const golden = async (name: string) =>
  JSON.parse(await readFile(join(ROOT, 'test/e2e/golden', `${name}.json`), 'utf8'));

/** Replaces run-specific values (worker address, temp dir) by the placeholders of the golden files. */
function normalize(value: unknown, w: WorkerProcess): unknown {
  return JSON.parse(JSON.stringify(value).replaceAll(w.dir, '<dir>').replaceAll(`127.0.0.1:${w.port}`, '<worker>'));
}

/** Validate replies list configs in declaration order; golden files key them by name and hold a subset. */
function byName(infos: { configs: Array<{ value: { name: string } }> }) {
  return Object.fromEntries(infos.configs.map((c) => [c.value.name, c]));
}

describe('REST API: Kafka Connect shapes, status codes and errors', () => {
  let w: WorkerProcess;
  const src = () => ({
    'connector.class': 'org.apache.kafka.connect.file.FileStreamSourceConnector',
    'tasks.max': '1',
    file: join(w.dir, 'in.txt'),
    topic: 'lines',
  });
  const sink = () => ({
    'connector.class': 'org.apache.kafka.connect.file.FileStreamSinkConnector',
    'tasks.max': '1',
    file: join(w.dir, 'out.txt'),
    topics: 'lines',
  });

  before(async () => {
    w = await WorkerProcess.create();
    await writeFile(join(w.dir, 'in.txt'), 'hello\nworld\n');
    await w.start();
    assert.equal((await w.request('POST', '/connectors', { name: 'lines-in', config: src() })).status, 201);
    const created = await w.request('POST', '/connectors', { name: 'lines-out', config: sink() });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('location'), '/connectors/lines-out');
    await waitFor(
      'both lines in the sink',
      async () => (await readFile(join(w.dir, 'out.txt'), 'utf8').catch(() => '')) === 'hello\nworld\n',
    );
    await waitFor('offsets flushed', async () => {
      const a = await w.request<{ offsets: unknown[] }>('GET', '/connectors/lines-in/offsets');
      const b = await w.request<{ offsets: unknown[] }>('GET', '/connectors/lines-out/offsets');
      return a.body.offsets.length > 0 && b.body.offsets.length > 0;
    });
  });
  after(async () => {
    await w.stop();
  });

  it('GET / names the version', async () => {
    const r = await w.request<Record<string, string>>('GET', '/');
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body).sort(), ['commit', 'kafka_cluster_id', 'version']);
  });

  it('matches the golden replies of list, expand, status, tasks and offsets', async () => {
    const cases: Array<[string, string]> = [
      ['/connectors', 'list'],
      ['/connectors?expand=status', 'expand-status'],
      ['/connectors?expand=info', 'expand-info'],
      ['/connectors/lines-in/status', 'status'],
      ['/connectors/lines-in/tasks', 'tasks'],
      ['/connectors/lines-in/tasks/0/status', 'task-status'],
      ['/connectors/lines-in/offsets', 'offsets-source'],
      ['/connectors/lines-out/offsets', 'offsets-sink'],
    ];
    for (const [path, file] of cases) {
      const r = await w.request('GET', path);
      assert.equal(r.status, 200, path);
      assert.deepEqual(normalize(r.body, w), await golden(file), path);
    }
    const both = await w.request<Record<string, Record<string, unknown>>>(
      'GET',
      '/connectors?expand=status&expand=info',
    );
    assert.deepEqual(Object.keys(both.body['lines-in']!).sort(), ['info', 'status']);
  });

  it('matches the golden validate reply and reports every bad key', async () => {
    const r = await w.request<{
      name: string;
      error_count: number;
      groups: string[];
      configs: Array<{ value: { name: string } }>;
    }>('PUT', '/connector-plugins/FileStreamSinkConnector/config/validate', {
      'connector.class': 'FileStreamSinkConnector',
      name: 'x',
    });
    assert.equal(r.status, 200);
    const g = await golden('validate-sink-missing-topics');
    assert.equal(r.body.name, g.name);
    assert.equal(r.body.error_count, g.error_count);
    assert.deepEqual(r.body.groups, g.groups);
    const got = byName(r.body);
    for (const [key, expected] of Object.entries(g.configs)) assert.deepEqual(got[key], expected, key);
    const mismatch = await w.request('PUT', '/connector-plugins/FileStreamSource/config/validate', {
      'connector.class': 'FileStreamSink',
    });
    assert.equal(mismatch.status, 400);
  });

  it('lists plugins with Kafka class names and serves their config definitions', async () => {
    const r = await w.request<Array<{ class: string; type: string; version: string }>>('GET', '/connector-plugins');
    assert.ok(
      r.body.some((p) => p.class === 'org.apache.kafka.connect.file.FileStreamSourceConnector' && p.type === 'source'),
    );
    const all = await w.request<Array<{ type: string }>>('GET', '/connector-plugins?connectorsOnly=false');
    assert.ok(all.body.some((p) => p.type === 'converter'));
    const cfg = await w.request<Array<{ name: string }>>('GET', '/connector-plugins/FileStreamSource/config');
    assert.ok(cfg.body.some((k) => k.name === 'batch.size'));
  });

  it('rejects bad input with Kafka Connect error bodies', async () => {
    const bad = await fetch(`${w.url}/connectors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name": "x", ',
    });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error_code: number }).error_code, 400);

    const unknown = await w.request<{ error_code: number; message: string }>('POST', '/connectors', {
      name: 'u',
      config: { 'connector.class': 'FileStreamSorce', file: 'x', topic: 't' },
    });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.message, /FileStreamSorce/);
    assert.match(unknown.body.message, /Did you mean: .*FileStreamSource/);

    const missing = await w.request<{ message: string }>('POST', '/connectors', {
      name: 'm',
      config: { 'connector.class': 'FileStreamSource' },
    });
    assert.equal(missing.status, 400);
    assert.match(missing.body.message, /contains the following 2 error\(s\)/);
    assert.match(missing.body.message, /^Missing required configuration "file"/m);
    assert.match(missing.body.message, /^Missing required configuration "topic"/m);

    const mismatch = await w.request('POST', '/connectors', { name: 'a', config: { ...src(), name: 'b' } });
    assert.equal(mismatch.status, 400);
    const mismatchPut = await w.request('PUT', '/connectors/a/config', { ...src(), name: 'b' });
    assert.equal(mismatchPut.status, 400);

    const notFound = await w.request<{ error_code: number; message: string }>('GET', '/connectors/nope');
    assert.deepEqual(notFound.body, { error_code: 404, message: 'Connector nope not found' });
    assert.equal((await w.request('GET', '/no/such/path')).status, 404);

    const dup = await w.request<{ message: string }>('POST', '/connectors', { name: 'lines-in', config: src() });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.message, 'Connector lines-in already exists');
  });

  it('creates with PUT (201) and updates with PUT (200) and PATCH', async () => {
    const cfg = { 'connector.class': 'FileStreamSink', file: join(w.dir, 'put.txt'), topics: 'lines' };
    assert.equal((await w.request('PUT', '/connectors/put-sink/config', cfg)).status, 201);
    assert.equal((await w.request('PUT', '/connectors/put-sink/config', { ...cfg, 'tasks.max': '2' })).status, 200);
    const patched = await w.request<{ config: Record<string, string> }>('PATCH', '/connectors/put-sink/config', {
      'tasks.max': null,
      'batch.size': '7',
    });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.config['tasks.max'], undefined);
    assert.equal(patched.body.config['batch.size'], '7');
    assert.equal((await w.request('DELETE', '/connectors/put-sink')).status, 204);
    assert.equal((await w.request('GET', '/connectors/put-sink')).status, 404);
  });

  it('pauses, resumes and stops; offsets change only when STOPPED', async () => {
    assert.equal((await w.request('PUT', '/connectors/lines-in/pause')).status, 202);
    await waitFor(
      'PAUSED',
      async () =>
        (
          await w.request<{ connector: { state: string }; tasks: Array<{ state: string }> }>(
            'GET',
            '/connectors/lines-in/status',
          )
        ).body.tasks[0]?.state === 'PAUSED',
    );
    assert.equal((await w.request('PUT', '/connectors/lines-in/resume')).status, 202);
    const notStopped = await w.request('PATCH', '/connectors/lines-in/offsets', {
      offsets: [{ partition: { filename: join(w.dir, 'in.txt') }, offset: { position: 6 } }],
    });
    assert.equal(notStopped.status, 400);
    assert.equal((await w.request('PUT', '/connectors/lines-in/stop')).status, 204);
    const stopped = await w.request<{ connector: { state: string }; tasks: unknown[] }>(
      'GET',
      '/connectors/lines-in/status',
    );
    assert.equal(stopped.body.connector.state, 'STOPPED');
    assert.deepEqual(stopped.body.tasks, []);
    const altered = await w.request<{ message: string }>('PATCH', '/connectors/lines-in/offsets', {
      offsets: [{ partition: { filename: join(w.dir, 'in.txt') }, offset: { position: 6 } }],
    });
    assert.equal(altered.status, 200);
    assert.equal(altered.body.message, 'The offsets for this connector have been altered successfully');
    const after = await w.request<{ offsets: Array<{ offset: { position: number } }> }>(
      'GET',
      '/connectors/lines-in/offsets',
    );
    assert.equal(after.body.offsets[0]!.offset.position, 6);
    // Resuming re-reads from position 6: "world" arrives a second time.
    assert.equal((await w.request('PUT', '/connectors/lines-in/resume')).status, 202);
    await waitFor(
      'replayed line',
      async () => (await readFile(join(w.dir, 'out.txt'), 'utf8')) === 'hello\nworld\nworld\n',
    );
    const topics = await w.request('GET', '/connectors/lines-in/topics');
    assert.deepEqual(topics.body, { 'lines-in': { topics: ['lines'] } });
  });

  it('a failing task goes FAILED with its trace, others keep running, restart brings it back', async () => {
    const dir = join(w.dir, 'not-yet');
    const cfg = { 'connector.class': 'FileStreamSink', file: join(dir, 'out.txt'), topics: 'lines' };
    assert.equal((await w.request('POST', '/connectors', { name: 'fragile', config: cfg })).status, 201);
    const failed = await waitFor('FAILED task', async () => {
      const s = await w.request<{ tasks: Array<{ state: string; trace?: string }> }>(
        'GET',
        '/connectors/fragile/status',
      );
      return s.body.tasks[0]?.state === 'FAILED' ? s.body.tasks[0] : null;
    });
    assert.match(failed.trace!, /ENOENT/);
    const other = await w.request<{ tasks: Array<{ state: string }> }>('GET', '/connectors/lines-out/status');
    assert.equal(other.body.tasks[0]!.state, 'RUNNING');
    await mkdir(dir);
    const plan = await w.request<{ connector: { state: string }; tasks: Array<{ state: string }> }>(
      'POST',
      '/connectors/fragile/restart?includeTasks=true&onlyFailed=true',
    );
    assert.equal(plan.status, 202);
    assert.equal(plan.body.tasks[0]!.state, 'RESTARTING');
    assert.equal(plan.body.connector.state, 'RUNNING');
    await waitFor(
      'RUNNING again',
      async () =>
        (await w.request<{ tasks: Array<{ state: string }> }>('GET', '/connectors/fragile/status')).body.tasks[0]
          ?.state === 'RUNNING',
    );
    await waitFor('records in the repaired sink', async () =>
      (await readFile(join(dir, 'out.txt'), 'utf8').catch(() => '')).includes('hello'),
    );
    assert.equal((await w.request('POST', '/connectors/fragile/restart')).status, 204);
    assert.equal((await w.request('POST', '/connectors/fragile/tasks/0/restart')).status, 204);
    assert.equal((await w.request('POST', '/connectors/fragile/tasks/9/restart')).status, 404);
  });

  it('keeps connectors created over REST across a restart', async () => {
    await w.stop();
    await w.start();
    const r = await w.request<string[]>('GET', '/connectors');
    assert.deepEqual(r.body, ['fragile', 'lines-in', 'lines-out']);
  });
});
