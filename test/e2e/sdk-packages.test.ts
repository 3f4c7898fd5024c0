import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, ROOT, tempDir, waitFor } from '../support/worker-process.js';
import { npmInstall, packAll, privateDependencies, strangerProject, type Packs } from './sdk-packs.js';

const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

describe('the SDK as npm packages', () => {
  let packs: Packs;
  before(async () => {
    packs = await packAll();
  });

  it('lerna packs every publishable package, at the version lerna.json states', async () => {
    // Such a dependency could not be installed after a publish.
    assert.deepEqual(privateDependencies(), [], 'publishable packages that depend on a private one');
    const { version } = JSON.parse(await readFile(join(ROOT, 'lerna.json'), 'utf8')) as { version: string };
    for (const name of [
      '@tributary/connect-api',
      '@tributary/connect-runtime',
      '@tributary/console',
      '@tributary/cli',
      '@tributary/connector-file',
    ]) {
      assert.ok(packs.get(name)?.endsWith(`-${version}.tgz`), `${name} packed at ${version}`);
    }
  });

  it('installs @tributary/connect-api from its tarball with types, README, version and an exports map', async () => {
    const dir = await strangerProject(packs, ['@tributary/connect-api']);
    const installed = join(dir, 'node_modules/@tributary/connect-api');
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8'));
    assert.equal(manifest.version, '0.1.0');
    assert.ok(manifest.exports['.'].types);
    assert.match(await readFile(join(installed, 'README.md'), 'utf8'), /plugin SDK/);
    const shipped = await readdir(join(installed, 'dist'));
    assert.ok(shipped.includes('index.d.ts'));
    assert.ok(!shipped.some((f) => f.includes('.test.')), `no test files in the tarball: ${shipped.join(' ')}`);

    // Used as a user would: import by package name, type-checked by the user's own compiler settings.
    await writeFile(
      join(dir, 'check.ts'),
      [
        "import { ConfigDef, Schemas, type SourceRecord } from '@tributary/connect-api';",
        "const def: ConfigDef = new ConfigDef().define({ name: 'topic', type: 'STRING', importance: 'HIGH', documentation: 'x' });",
        "const r: SourceRecord = { topic: 't', sourcePartition: {}, sourceOffset: {}, key: null, value: 'v', valueSchema: Schemas.STRING, headers: [] };",
        'export const summary = `${def.keys().length} ${r.topic}`;',
      ].join('\n'),
    );
    execFileSync(process.execPath, [TSC, '--strict', '--module', 'nodenext', '--target', 'es2023', 'check.ts'], {
      cwd: dir,
      stdio: 'pipe',
    });
    const run = "const { summary } = await import('./check.js'); process.stdout.write(summary);";
    assert.equal(
      execFileSync(process.execPath, ['--input-type=module', '-e', run], { cwd: dir, encoding: 'utf8' }),
      '1 t',
    );

    const deep = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', "await import('@tributary/connect-api/dist/config.js')"],
      { cwd: dir, encoding: 'utf8' },
    );
    assert.match(deep.stderr, /ERR_PACKAGE_PATH_NOT_EXPORTED/, 'only the exports map is public');
  });

  it('from the tarballs, as a stranger: new plugin, npm install, npm test (the kit), load it into a worker, records flow', async () => {
    const project = await strangerProject(packs, ['@tributary/cli']);
    const cli = join(project, 'node_modules/@tributary/cli/dist/main.js');
    const plugins = join(project, 'plugins');
    await mkdir(plugins);
    execFileSync(process.execPath, [cli, 'new', 'plugin', 'acme-source', '--source'], { cwd: plugins, stdio: 'pipe' });
    const again = spawnSync(process.execPath, [cli, 'new', 'plugin', 'acme-source'], {
      cwd: plugins,
      encoding: 'utf8',
    });
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already exists/);

    const acme = join(plugins, 'acme-source');
    useTarballSdk(join(acme, 'package.json'), packs);
    npmInstall(acme);
    const test = spawnSync('npm', ['test'], { cwd: acme, encoding: 'utf8', env: runnerFree() });
    assert.equal(test.status, 0, test.stdout + test.stderr);
    assert.match(test.stdout, /AcmeSource: source connector conformance/);
    assert.match(test.stdout, /pass 5/);

    const worker = await startWorker(cli, { 'plugin.path': plugins });
    try {
      const out = join(worker.dir, 'numbers.txt');
      await worker.post({
        name: 'acme',
        config: { 'connector.class': 'AcmeSource', topic: 'numbers', 'max.count': '300' },
      });
      await worker.post({
        name: 'numbers-out',
        config: { 'connector.class': 'FileStreamSink', topics: 'numbers', file: out },
      });
      const lines = await waitFor('300 numbers through the worker', async () => {
        const l = (await readFile(out, 'utf8').catch(() => '')).split('\n').filter(Boolean);
        return l.length >= 300 ? l : null;
      });
      assert.deepEqual(
        lines,
        Array.from({ length: 300 }, (_, i) => String(i + 1)),
      );
    } finally {
      await worker.stop();
    }
  });

  it("runs examples/counter-plugin's kit test against the packed SDK", async () => {
    const dir = await tempDir('tributary-counter-');
    await cp(join(ROOT, 'examples/counter-plugin/src'), join(dir, 'src'), { recursive: true });
    await cp(join(ROOT, 'examples/counter-plugin/tsconfig.json'), join(dir, 'tsconfig.json'));
    await cp(join(ROOT, 'examples/counter-plugin/package.json'), join(dir, 'package.json'));
    useTarballSdk(join(dir, 'package.json'), packs);
    npmInstall(dir);
    const test = spawnSync('npm', ['test'], { cwd: dir, encoding: 'utf8', env: runnerFree() });
    assert.equal(test.status, 0, test.stdout + test.stderr);
    assert.match(test.stdout, /Counter: source connector conformance/);
  });
});

/** Points a plugin's SDK dependency at the packed tarball (the registry stand-in). */
function useTarballSdk(manifestPath: string, packs: Packs): void {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  manifest.dependencies['@tributary/connect-api'] = `file:${packs.get('@tributary/connect-api')}`;
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
}

/** The environment of a command that runs its own `node --test`, not as a subtest of this runner. */
function runnerFree(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

/** A standalone worker run from the stranger's installed CLI, on the embedded log. */
async function startWorker(cli: string, extra: Record<string, string>) {
  const dir = await tempDir('tributary-stranger-worker-');
  const port = await freePort();
  const props = {
    listeners: `http://127.0.0.1:${port}`,
    'embedded.log.dir': join(dir, 'log'),
    'offset.storage.file.filename': join(dir, 'offsets'),
    'offset.flush.interval.ms': '500',
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
    ...extra,
  };
  await writeFile(
    join(dir, 'worker.properties'),
    Object.entries(props)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
  );
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [cli, 'standalone', join(dir, 'worker.properties')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor("the stranger's worker", async () => {
    if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}: ${output}`);
    return (await fetch(`${url}/`)).ok;
  });
  return {
    dir,
    async post(body: unknown) {
      const res = await fetch(`${url}/connectors`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, 201, await res.text());
    },
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
