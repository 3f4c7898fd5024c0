import { mkdir, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pluginFiles, pluginNames, type PluginKind } from './plugin-files.js';

const SDK_VERSION = (createRequire(import.meta.url)('@tributary/connect-api/package.json') as { version: string })
  .version;

/**
 * Writes a new plugin package into `<parent>/<name without scope>`, which must not exist: an existing
 * folder is never written into. Returns the folder and the files written.
 */
export async function writePlugin(
  name: string,
  kind: PluginKind,
  parent = '.',
): Promise<{ dir: string; files: string[] }> {
  const names = pluginNames(name, kind);
  const dir = resolve(parent, names.dir);
  if (await stat(dir).catch(() => null)) {
    throw new Error(
      `${dir} already exists: tributary new plugin never writes into an existing directory; choose another name or remove it`,
    );
  }
  const files = pluginFiles(names, SDK_VERSION);
  await mkdir(dir, { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), text, { flag: 'wx' });
  }
  return { dir, files: Object.keys(files) };
}
