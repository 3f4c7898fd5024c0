import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pluginNames } from './plugin-files.js';
import { writePlugin } from './write-plugin.js';

describe('tributary new plugin', () => {
  it('derives class names and the folder from the package name', () => {
    assert.deepEqual(pluginNames('acme-source', 'source'), {
      pkg: 'acme-source',
      dir: 'acme-source',
      kind: 'source',
      pascal: 'AcmeSource',
      className: 'com.example.AcmeSourceConnector',
    });
    assert.equal(pluginNames('@acme/orders-db', 'sink').pascal, 'OrdersDbSink');
    assert.equal(pluginNames('@acme/orders-db', 'sink').dir, 'orders-db');
    assert.throws(() => pluginNames('Acme Source', 'source'), /not a valid npm package name/);
  });

  it('writes a package whose test runs the kit and whose README carries the config table', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'new-plugin-'));
    const { dir, files } = await writePlugin('acme-sink', 'sink', parent);
    assert.equal(dir, join(parent, 'acme-sink'));
    assert.deepEqual(files.sort(), [
      '.gitignore',
      'README.md',
      'package.json',
      'scripts/docs.mjs',
      'src/config.ts',
      'src/connector.ts',
      'src/index.ts',
      'src/plugin.test.ts',
      'src/task.ts',
      'tsconfig.json',
    ]);
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    assert.equal(manifest.tributary.plugins, './dist/index.js');
    assert.match(manifest.dependencies['@tributary/connect-api'], /^\^\d+\.\d+\.\d+$/);
    assert.match(await readFile(join(dir, 'src/plugin.test.ts'), 'utf8'), /sinkTaskSuite\('AcmeSink'/);
    assert.match(
      await readFile(join(dir, 'README.md'), 'utf8'),
      /\| `output.dir` \| STRING \| \*required\* \| HIGH \|/,
    );
  });

  it('refuses to write into a directory that exists, and leaves it as it was', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'new-plugin-'));
    await mkdir(join(parent, 'acme-source'));
    await assert.rejects(
      writePlugin('acme-source', 'source', parent),
      /acme-source already exists: tributary new plugin never writes into an existing directory/,
    );
    assert.deepEqual(await readdir(join(parent, 'acme-source')), []);
  });
});
