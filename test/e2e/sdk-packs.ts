import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT, tempDir } from '../support/worker-process.js';

/** Package name → path of its tarball, as `npm pack` made it. */
export type Packs = Map<string, string>;

/**
 * Packs every publishable package lerna manages, as `npm run packages:pack` does (after `npm run build`).
 * `privateDependencies` names any dependency on a private package, which a real publish could not resolve.
 */
export async function packAll(): Promise<Packs> {
  const dest = await tempDir('tributary-packs-');
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/lerna/dist/cli.js'),
      'exec',
      '--no-private',
      '--loglevel=error',
      '--',
      'npm',
      'pack',
      '--silent',
      '--pack-destination',
      dest,
    ],
    { cwd: ROOT, stdio: 'pipe' },
  );
  const packs: Packs = new Map();
  for (const f of await readdir(dest)) {
    const m = /^tributary-(.+)-\d+\.\d+\.\d+\.tgz$/.exec(f);
    if (m) packs.set(`@tributary/${m[1]}`, join(dest, f));
  }
  return packs;
}

/**
 * A fresh npm project depending on `deps` from the tarballs. Every @tributary package resolves to its
 * tarball (npm `overrides`), as it would from the registry after a publish; other dependencies come
 * from npm's cache or the registry.
 */
export async function strangerProject(
  packs: Packs,
  deps: string[],
  extra: Record<string, unknown> = {},
): Promise<string> {
  const dir = await tempDir('tributary-stranger-');
  const file = (name: string) => `file:${packs.get(name)}`;
  const manifest = {
    name: 'stranger',
    version: '1.0.0',
    private: true,
    type: 'module',
    dependencies: Object.fromEntries(deps.map((d) => [d, file(d)])),
    overrides: Object.fromEntries([...packs.keys()].map((n) => [n, file(n)])),
    ...extra,
  };
  await writeFile(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  npmInstall(dir);
  return dir;
}

export function npmInstall(dir: string, args: string[] = []): void {
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...args], {
    cwd: dir,
    stdio: 'pipe',
  });
}

/** `<package> → <private package>` for each publishable package that depends on a private one. */
export function privateDependencies(): string[] {
  const list = lernaPackages();
  const privates = new Set(list.filter((p) => p.private).map((p) => p.name));
  return list
    .filter((p) => !p.private)
    .flatMap((p) => {
      const deps = Object.keys(
        (JSON.parse(readFileSync(join(p.location, 'package.json'), 'utf8')) as { dependencies?: object })
          .dependencies ?? {},
      );
      return deps.filter((d) => privates.has(d)).map((d) => `${p.name} → ${d}`);
    });
}

function lernaPackages(): Array<{ name: string; private: boolean; location: string }> {
  return JSON.parse(
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules/lerna/dist/cli.js'), 'list', '--all', '--json', '--loglevel=error'],
      { cwd: ROOT, encoding: 'utf8' },
    ),
  );
}
