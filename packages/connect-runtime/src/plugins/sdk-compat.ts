import { readFile } from 'node:fs/promises';
import { createRequire, registerHooks } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

const SDK = '@tributary/connect-api';

/** The SDK version this worker runs (the one every plugin's SDK imports resolve to). */
export const HOST_SDK_VERSION: string = (createRequire(import.meta.url)(`${SDK}/package.json`) as { version: string })
  .version;

/** Where a plugin's SDK version was read from. */
export interface PluginSdk {
  version: string;
  /** `installed` (its node_modules) or the manifest field holding the declared range. */
  from: string;
}

interface Manifest {
  name?: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/**
 * The SDK version a plugin package was built against: the copy Node would resolve from the package
 * (its own `node_modules` or one above it), else the lowest version its declared range admits.
 * Null when the package neither has nor declares the SDK (it cannot import it then).
 */
export async function pluginSdkVersion(pkgDir: string, manifest: Manifest): Promise<PluginSdk | null> {
  for (let dir = pkgDir; ; dir = dirname(dir)) {
    const installed = await readFile(join(dir, 'node_modules', SDK, 'package.json'), 'utf8').catch(() => null);
    if (installed) return { version: (JSON.parse(installed) as { version: string }).version, from: 'installed' };
    if (dirname(dir) === dir) break;
  }
  for (const field of ['peerDependencies', 'dependencies', 'devDependencies'] as const) {
    const range = manifest[field]?.[SDK];
    const lowest = range && /(\d+)\.(\d+)\.(\d+)/.exec(range)?.[0];
    if (lowest) return { version: lowest, from: `${field} "${range}"` };
  }
  return null;
}

/**
 * Whether a plugin built against `plugin` runs on `host`: the same major, as npm's caret ranges
 * read it (below 1.0.0 the minor is the major: 0.1.x and 0.2.x are incompatible).
 */
export function sdkCompatible(host: string, plugin: string): boolean {
  return sdkMajor(host) === sdkMajor(plugin);
}

/** The major as npm's caret reads it: `1` for 1.4.2, `0.3` for 0.3.1. */
export function sdkMajor(version: string): string {
  const [major, minor] = version.split('.');
  return major === '0' ? `0.${minor}` : major!;
}

/** The refusal for a plugin whose SDK major differs from the worker's, naming both versions. */
export function incompatibleSdkMessage(
  pkgName: string,
  pkgDir: string,
  sdk: PluginSdk,
  host = HOST_SDK_VERSION,
): string {
  return (
    `Plugin package ${pkgName} (${pkgDir}) was built for ${SDK} ${sdk.version} (${sdk.from}), but this worker ` +
    `runs ${SDK} ${host}; SDK major ${sdkMajor(sdk.version)} is not compatible with ${sdkMajor(host)}. ` +
    `Rebuild the plugin against ${SDK}@^${host} or run a worker whose SDK is ^${sdk.version}.`
  );
}

const sharingRoots = new Set<string>();
let hooked = false;

/**
 * Makes modules under `pkgDir` import the worker's copy of the SDK instead of one installed beside
 * the plugin, as Kafka Connect loads its API classes from the worker for every plugin: records,
 * structs and errors then belong to one copy, so the runtime's `instanceof Struct` and
 * `instanceof ConfigError` hold for what plugins create. The plugin's SDK version was checked first.
 */
export function shareSdkWith(pkgDir: string): void {
  sharingRoots.add(pathToFileURL(pkgDir.endsWith(sep) ? pkgDir : pkgDir + sep).href);
  if (hooked) return;
  hooked = true;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const fromPlugin =
        context.parentURL !== undefined && [...sharingRoots].some((r) => context.parentURL!.startsWith(r));
      if (fromPlugin && (specifier === SDK || specifier.startsWith(`${SDK}/`))) {
        return nextResolve(specifier, { ...context, parentURL: import.meta.url });
      }
      return nextResolve(specifier, context);
    },
  });
}
