import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFile, readFile, truncate, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CLI, WorkerProcess, waitFor } from '../support/worker-process.js';

const run = promisify(execFile);

describe('the tributary command line against a running worker', () => {
  let w: WorkerProcess;
  const cli = async (...args: string[]) => (await run(CLI, ['--url', w.url, ...args])).stdout;

  before(async () => {
    w = await WorkerProcess.create({ 'rest.basic.auth.users': 'alice:s3cret', 'rest.request.max.bytes': '2048' });
    await writeFile(join(w.dir, 'in.txt'), 'one\ntwo\n');
    await w.start();
  });
  after(async () => {
    await w.stop();
  });

  it('refuses requests without the basic-auth credentials and oversized bodies', async () => {
    assert.equal((await fetch(`${w.url}/connectors`)).status, 401);
    const auth = {
      authorization: `Basic ${Buffer.from('alice:s3cret').toString('base64')}`,
      'content-type': 'application/json',
    };
    assert.equal((await fetch(`${w.url}/connectors`, { headers: auth })).status, 200);
    const big = await fetch(`${w.url}/connectors`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'x', config: { pad: 'p'.repeat(4096) } }),
    });
    assert.equal(big.status, 413);
    assert.equal(((await big.json()) as { error_code: number }).error_code, 413);
  });

  it('creates, lists, inspects, pauses, resumes, validates and deletes connectors', async () => {
    const user = ['--user', 'alice:s3cret'];
    const file = join(w.dir, 'src.json');
    await writeFile(
      file,
      JSON.stringify({
        name: 'src',
        config: { 'connector.class': 'FileStreamSource', file: join(w.dir, 'in.txt'), topic: 'words' },
      }),
    );
    assert.match(await cli(...user, 'create', '-f', file), /created src \(source\)/);
    await waitFor('RUNNING', async () => (await cli(...user, 'status', 'src')).includes('RUNNING'));
    assert.match(await cli(...user, 'list'), /src\s+│ source │ RUNNING │ 0:RUNNING/);
    const listed = JSON.parse(await cli(...user, '--json', 'list')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(listed), ['src']);
    assert.match(await cli(...user, 'pause', 'src'), /pause: src \(202\)/);
    assert.match(await cli(...user, 'resume', 'src'), /resume: src \(202\)/);
    assert.match(await cli(...user, 'plugins'), /FileStreamSinkConnector/);
    await waitFor('an offset', async () => (await cli(...user, 'offsets', 'src')).includes('position'));
    const bad = join(w.dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ name: 'b', config: { 'connector.class': 'FileStreamSource' } }));
    await assert.rejects(
      run(CLI, ['--url', w.url, ...user, 'validate', '-f', bad]),
      (e: { code: number; stdout: string }) => {
        assert.equal(e.code, 2);
        assert.match(e.stdout, /topic/);
        return true;
      },
    );
    const consumed = (
      await run(CLI, ['consume', 'words', '--log-dir', join(w.dir, 'log'), '--from-beginning', '--timeout-ms', '1500'])
    ).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { value: string; offset: number });
    assert.deepEqual(
      consumed.map((r) => r.value),
      ['one', 'two'],
    );
    assert.match(await cli(...user, 'delete', 'src'), /delete: src \(204\)/);
    await assert.rejects(run(CLI, ['--url', w.url, ...user, 'status', 'src']), /404: Connector src not found/);
  });
});

describe('FileStreamSource follows, and re-reads truncated or replaced files', () => {
  let w: WorkerProcess;
  before(async () => {
    w = await WorkerProcess.create();
    await writeFile(join(w.dir, 'in.txt'), 'a\nb\n');
    await w.start();
  });
  after(async () => {
    await w.stop();
  });

  it('reads again from the start after a truncation and after a replacement', async () => {
    const input = join(w.dir, 'in.txt');
    const output = join(w.dir, 'out.txt');
    await w.request('POST', '/connectors', {
      name: 'in',
      config: { 'connector.class': 'FileStreamSource', file: input, topic: 't' },
    });
    await w.request('POST', '/connectors', {
      name: 'out',
      config: { 'connector.class': 'FileStreamSink', file: output, topics: 't' },
    });
    const lines = async () => (await readFile(output, 'utf8').catch(() => '')).split('\n').filter(Boolean);
    await waitFor('a, b', async () => (await lines()).length === 2);
    await appendFile(input, 'c\n');
    await waitFor('c', async () => (await lines()).includes('c'));
    await truncate(input, 0);
    await appendFile(input, 'd\n');
    await waitFor('d after truncation', async () => (await lines()).includes('d'));
    await writeFile(join(w.dir, 'new.txt'), 'e\nf\ng\nh\ni\n');
    await rename(join(w.dir, 'new.txt'), input);
    await waitFor('the replaced file', async () => (await lines()).includes('i'));
    assert.deepEqual(await lines(), ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']);
  });
});
