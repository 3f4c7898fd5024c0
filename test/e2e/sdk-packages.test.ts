import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from '../support/worker-process.js';
import { packAll, strangerProject, type Packs } from './sdk-packs.js';

const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

describe('the SDK as npm packages', () => {
  let packs: Packs;
  before(async () => { packs = await packAll(); });

  it('lerna packs every publishable package, at the version lerna.json states', async () => {
    const { version } = JSON.parse(await readFile(join(ROOT, 'lerna.json'), 'utf8')) as { version: string };
    for (const name of ['@tributary/connect-api', '@tributary/connect-runtime', '@tributary/cli', '@tributary/connector-file']) {
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
    await writeFile(join(dir, 'check.ts'), [
      "import { ConfigDef, Schemas, type SourceRecord } from '@tributary/connect-api';",
      "const def: ConfigDef = new ConfigDef().define({ name: 'topic', type: 'STRING', importance: 'HIGH', documentation: 'x' });",
      "const r: SourceRecord = { topic: 't', sourcePartition: {}, sourceOffset: {}, key: null, value: 'v', valueSchema: Schemas.STRING, headers: [] };",
      'export const summary = `${def.keys().length} ${r.topic}`;',
    ].join('\n'));
    execFileSync(process.execPath, [TSC, '--strict', '--module', 'nodenext', '--target', 'es2023', 'check.ts'], { cwd: dir, stdio: 'pipe' });
    const run = "const { summary } = await import('./check.js'); process.stdout.write(summary);";
    assert.equal(execFileSync(process.execPath, ['--input-type=module', '-e', run], { cwd: dir, encoding: 'utf8' }), '1 t');

    const deep = spawnSync(process.execPath, ['--input-type=module', '-e', "await import('@tributary/connect-api/dist/config.js')"], { cwd: dir, encoding: 'utf8' });
    assert.match(deep.stderr, /ERR_PACKAGE_PATH_NOT_EXPORTED/, 'only the exports map is public');
  });
});
