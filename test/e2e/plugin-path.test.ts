import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT, WorkerProcess, tempDir, waitFor } from '../support/worker-process.js';

describe('plugins from plugin.path', () => {
  let w: WorkerProcess | undefined;
  after(async () => {
    await w?.stop();
  });

  it('loads a plugin written and built outside the repo, as a user would', async () => {
    const plugins = await tempDir('tributary-plugins-');
    const pkg = join(plugins, 'counter-plugin');
    await mkdir(pkg);
    await cp(join(ROOT, 'examples/counter-plugin/src'), join(pkg, 'src'), { recursive: true });
    await cp(join(ROOT, 'examples/counter-plugin/tsconfig.json'), join(pkg, 'tsconfig.json'));
    const manifest = JSON.parse(await readFile(join(ROOT, 'examples/counter-plugin/package.json'), 'utf8'));
    // Offline here: depend on the SDK of this checkout, as `npm install @tributary/connect-api` would.
    manifest.dependencies['@tributary/connect-api'] = `file:${join(ROOT, 'packages/connect-api')}`;
    delete manifest.devDependencies;
    await writeFile(join(pkg, 'package.json'), JSON.stringify(manifest, null, 2));
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: pkg,
      stdio: 'pipe',
    });
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', pkg], { stdio: 'pipe' });

    w = await WorkerProcess.create({ 'plugin.path': plugins });
    await w.start();
    const listed = await w.request<Array<{ class: string; version: string }>>('GET', '/connector-plugins');
    assert.ok(listed.body.some((p) => p.class === 'com.example.CounterSourceConnector' && p.version === '1.0.0'));
    const bad = await w.request<{ message: string }>('POST', '/connectors', {
      name: 'c0',
      config: { 'connector.class': 'Counter', topic: 'n', 'max.count': '0' },
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /max\.count/);
    assert.equal(
      (
        await w.request('POST', '/connectors', {
          name: 'count',
          config: { 'connector.class': 'Counter', topic: 'numbers', 'max.count': '500' },
        })
      ).status,
      201,
    );
    const out = join(w.dir, 'numbers.txt');
    assert.equal(
      (
        await w.request('POST', '/connectors', {
          name: 'numbers-out',
          config: { 'connector.class': 'FileStreamSink', topics: 'numbers', file: out },
        })
      ).status,
      201,
    );
    const lines = await waitFor('500 numbers', async () => {
      const l = (await readFile(out, 'utf8').catch(() => '')).split('\n').filter(Boolean);
      return l.length >= 500 ? l : null;
    });
    assert.deepEqual(
      lines,
      Array.from({ length: 500 }, (_, i) => String(i + 1)),
    );
  });
});
