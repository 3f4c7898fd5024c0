import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ROOT, WorkerProcess, waitFor } from '../support/worker-process.js';
import { matches, type Deviation, type Mode, type Reply } from './rest-api-golden-match.js';

interface GoldenCase {
  id: string;
  setup?: boolean;
  mode: Mode;
  request: { method: string; path: string; headers?: Record<string, string>; body?: string };
  connect: Reply;
  deviation?: Deviation;
}

/** Replies of Kafka Connect 3.9 to the same requests, recorded by bench/rest-compare.mjs --write. */
const golden = async (): Promise<{ connect: string; cases: GoldenCase[] }> =>
  JSON.parse(await readFile(join(ROOT, 'test/e2e/golden/rest-api.json'), 'utf8'));

async function send(w: WorkerProcess, r: GoldenCase['request']): Promise<Reply> {
  const res = await fetch(w.url + r.path, {
    method: r.method,
    headers: r.headers ?? {},
    body: r.body?.replaceAll('<dir>', w.dir),
  });
  const text = (await res.text())
    .replaceAll(w.dir, '<dir>')
    .replaceAll(`127.0.0.1:${w.port}`, '<worker>')
    .replace(/"last_modified":\d+/g, '"last_modified":"<time>"');
  let body: unknown = text;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    /* not JSON: compared as text */
  }
  return { status: res.status, body, ...(r.method === 'OPTIONS' ? { allow: res.headers.get('allow') } : {}) };
}

/** Every `"msg"` line of the worker's output logged for `connector`, at `level` (pino's number). */
function logLines(w: WorkerProcess, connector: string, level: number): string[] {
  return w.output
    .split('\n')
    .filter((l) => l.includes(`"connector":"${connector}"`) && l.includes(`"level":${level},`));
}

describe('REST API: the replies of Kafka Connect 3.9, request by request', () => {
  let w: WorkerProcess;
  const savedLevel = process.env.TRIBUTARY_LOG_LEVEL;

  before(async () => {
    // Connect's root logger runs at INFO; ours too, so that GET /admin/loggers answers alike.
    process.env.TRIBUTARY_LOG_LEVEL = 'info';
    w = await WorkerProcess.create({ 'rest.request.max.bytes': '65536' });
    await writeFile(join(w.dir, 'in.txt'), 'hello\n');
    await w.start();
  });
  after(async () => {
    await w.stop();
    if (savedLevel === undefined) delete process.env.TRIBUTARY_LOG_LEVEL;
    else process.env.TRIBUTARY_LOG_LEVEL = savedLevel;
  });

  it('answers every recorded request as Connect does (or with the 4xx kept where Connect answers 500)', async () => {
    const { cases } = await golden();
    const failures: string[] = [];
    for (const c of cases) {
      const ours = await send(w, c.request);
      if (c.setup) {
        assert.ok(matches(c.mode, c.connect, ours, c.deviation, c.request.path), `${c.id}: ${JSON.stringify(ours)}`);
        continue;
      }
      if (c.id === 'loggers-list') {
        await waitFor('the tasks of the three connectors', async () => {
          const t = await Promise.all(
            ['src', 'snk', 'snkre'].map(
              async (n) => (await w.request<unknown[]>('GET', `/connectors/${n}/tasks`)).body.length,
            ),
          );
          return t.join() === '1,1,2';
        });
      }
      if (!matches(c.mode, c.connect, ours, c.deviation, c.request.path)) {
        failures.push(
          `${c.id} (${c.mode}): Connect ${JSON.stringify(c.deviation ?? c.connect).slice(0, 400)}\n  ours ${JSON.stringify(ours).slice(0, 400)}`,
        );
      }
    }
    assert.deepEqual(failures, [], `${failures.length} of ${cases.length} replies differ:\n${failures.join('\n')}`);
  });

  it('a body over rest.request.max.bytes gets 413 with an error body, and the connection is not reset first', async () => {
    const big = JSON.stringify({
      name: 'big',
      config: { 'connector.class': 'FileStreamSink', topics: 't', x: 'a'.repeat(16_000_000) },
    });
    const r = await fetch(`${w.url}/connectors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: big,
    });
    assert.equal(r.status, 413);
    assert.deepEqual(await r.json(), { error_code: 413, message: 'HTTP 413 Request Entity Too Large' });
    assert.equal((await w.request('GET', '/connectors/big')).status, 404);
  });

  it("a request line the HTTP parser refuses still gets an error body of Connect's shape", async () => {
    for (const raw of [
      'GARBAGE\r\n\r\n',
      'GET /connectors HTTP/9.9\r\n\r\n',
      'GET /connectors/a b HTTP/1.1\r\nHost: x\r\n\r\n',
    ]) {
      const reply = await new Promise<string>((resolve, reject) => {
        let data = '';
        const s = connect(w.port, '127.0.0.1', () => s.write(raw));
        s.on('data', (d) => {
          data += d.toString();
        });
        s.on('end', () => resolve(data));
        s.on('error', reject);
      });
      const [head, body] = reply.split('\r\n\r\n');
      assert.match(head!, /^HTTP\/1\.1 400 /, raw);
      const parsed = JSON.parse(body!) as { error_code: number; message: string };
      assert.equal(parsed.error_code, 400, raw);
      assert.equal(typeof parsed.message, 'string');
    }
  });

  it('PUT /admin/loggers changes what the worker logs, for one connector at a time', async () => {
    const cfg = (name: string) => ({
      name,
      config: { 'connector.class': 'FileStreamSource', file: join(w.dir, `${name}-absent.txt`), topic: 'lines' },
    });
    assert.equal((await w.request('POST', '/connectors', cfg('loud'))).status, 201);
    assert.equal((await w.request('POST', '/connectors', cfg('quiet'))).status, 201);
    // The file source logs "waiting for … to exist" at DEBUG while its file is missing: not shown at INFO.
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(logLines(w, 'loud', 20), []);
    const set = await w.request<string[]>('PUT', '/admin/loggers/connector.loud', { level: 'DEBUG' });
    assert.equal(set.status, 200);
    assert.deepEqual(set.body, ['connector.loud', 'connector.loud.task.0']);
    await waitFor('DEBUG lines of connector loud', async () =>
      logLines(w, 'loud', 20).some((l) => l.includes('to exist')),
    );
    assert.deepEqual(logLines(w, 'quiet', 20), [], 'another connector keeps its level');
    const listed = await w.request<Record<string, { level: string }>>('GET', '/admin/loggers');
    assert.equal(listed.body['connector.loud.task.0']!.level, 'DEBUG');
    assert.equal(listed.body.root!.level, 'INFO');

    assert.equal((await w.request('PUT', '/admin/loggers/connector.loud', { level: 'INFO' })).status, 200);
    await new Promise((r) => setTimeout(r, 500));
    const before = logLines(w, 'loud', 20).length;
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(logLines(w, 'loud', 20).length, before, 'back at INFO: no more DEBUG lines');

    // root: every logger, the runtime included, and loggers created afterwards.
    const root = await w.request<string[]>('PUT', '/admin/loggers/root', { level: 'debug' });
    assert.ok(root.body.includes('root') && root.body.includes('runtime'));
    await waitFor('DEBUG lines of connector quiet', async () => logLines(w, 'quiet', 20).length > 0);
    assert.equal((await w.request('PUT', '/admin/loggers/root', { level: 'INFO' })).status, 200);
    for (const n of ['loud', 'quiet']) assert.equal((await w.request('DELETE', `/connectors/${n}`)).status, 204);
  });

  it('a connector with a long name is managed like any other, across a restart', async () => {
    const name = `long-${'x'.repeat(400)}`;
    const cfg = { 'connector.class': 'FileStreamSink', file: join(w.dir, 'long.txt'), topics: 'lines' };
    assert.equal((await w.request('POST', '/connectors', { name, config: cfg })).status, 201);
    await w.stop();
    await w.start();
    assert.equal((await w.request('GET', `/connectors/${name}/status`)).status, 200);
    assert.equal((await w.request('PUT', `/connectors/${name}/pause`)).status, 202);
    assert.equal((await w.request('DELETE', `/connectors/${name}`)).status, 204);
    assert.equal((await w.request('GET', `/connectors/${name}`)).status, 404);
  });
});
