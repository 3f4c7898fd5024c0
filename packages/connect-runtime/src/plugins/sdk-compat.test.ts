import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as hostSdk from '@tributary/connect-api';
import { PluginRegistry } from './registry.js';
import { HOST_SDK_VERSION, pluginSdkVersion, sdkCompatible } from './sdk-compat.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** A plugin package in its own plugin.path folder, with its own copy of the SDK at `sdkVersion`. */
async function pluginWithSdk(sdkVersion: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'tributary-sdk-'));
  const pkg = join(root, 'acme');
  const sdk = join(pkg, 'node_modules', '@tributary', 'connect-api');
  await mkdir(sdk, { recursive: true });
  await writeFile(
    join(sdk, 'package.json'),
    JSON.stringify({
      name: '@tributary/connect-api',
      version: sdkVersion,
      type: 'module',
      exports: { '.': './index.js' },
    }),
  );
  await writeFile(join(sdk, 'index.js'), 'export const Struct = class PluginCopyOfStruct {};\n');
  await writeFile(
    join(pkg, 'package.json'),
    JSON.stringify({
      name: 'acme',
      type: 'module',
      tributary: { plugins: './index.js' },
      dependencies: { '@tributary/connect-api': `^${sdkVersion}` },
    }),
  );
  await writeFile(
    join(pkg, 'index.js'),
    [
      "import { Struct } from '@tributary/connect-api';",
      "export const plugins = [{ type: 'source', class: 'com.acme.AcmeSource', create: () => ({ Struct }) }];",
    ].join('\n'),
  );
  return root;
}

describe('the SDK version of a plugin', () => {
  it('reads caret majors as npm does', () => {
    assert.ok(sdkCompatible('1.2.0', '1.9.3'));
    assert.ok(!sdkCompatible('2.0.0', '1.9.3'));
    assert.ok(sdkCompatible('0.1.0', '0.1.7'));
    assert.ok(!sdkCompatible('0.2.0', '0.1.7'));
  });

  it('falls back to the declared range when no copy is installed', async () => {
    const dir = await mkdtemp(join('/', 'tmp', 'tributary-sdk-bare-'));
    assert.deepEqual(await pluginSdkVersion(dir, { peerDependencies: { '@tributary/connect-api': '^3.1.0' } }), {
      version: '3.1.0',
      from: 'peerDependencies "^3.1.0"',
    });
    assert.equal(await pluginSdkVersion(dir, {}), null);
  });

  it('refuses a plugin built for another SDK major, naming both versions', async () => {
    const root = await pluginWithSdk('9.0.0');
    await assert.rejects(new PluginRegistry().loadPluginPath([root], silent), (e: Error) => {
      assert.ok(e instanceof hostSdk.ConfigError);
      assert.match(e.message, /acme .*built for @tributary\/connect-api 9\.0\.0/);
      assert.ok(e.message.includes(`runs @tributary/connect-api ${HOST_SDK_VERSION}`), e.message);
      return true;
    });
  });

  it("gives a compatible plugin the worker's copy of the SDK, not the one beside it", async () => {
    const root = await pluginWithSdk(HOST_SDK_VERSION);
    const registry = new PluginRegistry();
    await registry.loadPluginPath([root], silent);
    const made = registry.resolve('com.acme.AcmeSource', ['source']).create() as unknown as { Struct: unknown };
    assert.equal(made.Struct, hostSdk.Struct);
  });
});
