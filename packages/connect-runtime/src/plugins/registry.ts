import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { closest, distance } from 'fastest-levenshtein';
import { ConfigError, type Logger, type PluginDescriptor, type PluginType } from '@tributary/connect-api';
import {
  incompatibleSdkMessage,
  pluginSdkVersion,
  sdkCompatible,
  shareSdkWith,
  HOST_SDK_VERSION,
} from './sdk-compat.js';

/** A plugin descriptor narrowed to one type. */
export type PluginOfType<T extends PluginType> = Extract<PluginDescriptor, { type: T }>;

/**
 * Every plugin the worker can instantiate, by canonical class name and alias. Built-in plugins are
 * registered explicitly; external ones come from `plugin.path` packages whose package.json says
 * `"tributary": {"plugins": "<module>"}` and whose module exports `plugins: PluginDescriptor[]`.
 */
export class PluginRegistry {
  /** Name → plugins; one class may be several kinds of plugin (JsonConverter is also a header converter). */
  private readonly byName = new Map<string, PluginDescriptor[]>();
  private readonly all: PluginDescriptor[] = [];

  register(...descriptors: PluginDescriptor[]): this {
    for (const d of descriptors) {
      for (const name of new Set([d.class, ...(d.aliases ?? [])])) {
        const list = this.byName.get(name) ?? [];
        const prior = list.find((p) => p.type === d.type);
        if (prior && prior !== d) throw new Error(`Plugin name ${name} is claimed by ${prior.class} and ${d.class}`);
        if (!prior) list.push(d);
        this.byName.set(name, list);
      }
      this.all.push(d);
    }
    return this;
  }

  list(...types: PluginType[]): PluginDescriptor[] {
    return this.all.filter((d) => types.length === 0 || types.includes(d.type));
  }

  /** The plugin for a class name or alias (of one of `types`, if given). A trailing `Connector` may be left off. */
  find(name: string, types?: readonly PluginType[]): PluginDescriptor | undefined {
    for (const n of [name, `${name}Connector`, name.replace(/Connector$/, '')]) {
      const hit = this.byName.get(n)?.find((d) => !types || types.includes(d.type));
      if (hit) return hit;
    }
    return undefined;
  }

  /** The plugin of one of `types`, or a ConfigError naming the closest known names. */
  resolve<T extends PluginType>(name: string, types: T[], key = 'connector.class'): PluginOfType<T> {
    const d = this.find(name, types);
    if (d) return d as PluginOfType<T>;
    const candidates = [...this.byName.entries()]
      .filter(([, ps]) => ps.some((p) => (types as PluginType[]).includes(p.type)))
      .map(([n]) => n);
    throw new ConfigError([{ key, message: unknownPluginMessage(name, candidates) }]);
  }

  /** Loads every plugin package found in the given directories. */
  async loadPluginPath(paths: string[], logger: Logger): Promise<void> {
    for (const p of paths) {
      for (const pkgDir of await packageDirs(resolve(p))) {
        const descriptors = await loadPackage(pkgDir);
        this.register(...descriptors);
        logger.info({ package: pkgDir, plugins: descriptors.map((d) => d.class) }, 'loaded plugins');
      }
    }
  }
}

function unknownPluginMessage(name: string, candidates: string[]): string {
  if (candidates.length === 0)
    return `Failed to find any class that implements Connector and which name matches ${name}`;
  const short = candidates.map((c) => ({ c, tail: c.split('.').pop()! }));
  const best = closest(
    name.split('.').pop()!,
    short.map((s) => s.tail),
  );
  const near = short
    .map((s) => ({ ...s, d: distance(name.split('.').pop()!, s.tail) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((s) => s.c);
  const suggestions = [...new Set([short.find((s) => s.tail === best)!.c, ...near])].slice(0, 3);
  return `Failed to find any class that implements ${name}. Did you mean: ${suggestions.join(', ')}?`;
}

async function packageDirs(dir: string): Promise<string[]> {
  const st = await stat(dir).catch(() => null);
  if (!st?.isDirectory()) throw new ConfigError([{ key: 'plugin.path', message: `${dir} is not a directory` }]);
  if (await declaresPlugins(dir)) return [dir];
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const sub = join(dir, entry.name);
    if (entry.name.startsWith('@')) {
      for (const scoped of await readdir(sub, { withFileTypes: true })) {
        if (scoped.isDirectory() && (await declaresPlugins(join(sub, scoped.name)))) out.push(join(sub, scoped.name));
      }
    } else if (await declaresPlugins(sub)) out.push(sub);
  }
  return out;
}

type Manifest = Parameters<typeof pluginSdkVersion>[1] & { tributary?: { plugins?: string } };

async function readManifest(dir: string): Promise<Manifest | null> {
  try {
    return JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
  } catch {
    return null;
  }
}

async function declaresPlugins(dir: string): Promise<boolean> {
  return typeof (await readManifest(dir))?.tributary?.plugins === 'string';
}

async function loadPackage(dir: string): Promise<PluginDescriptor[]> {
  const manifest = (await readManifest(dir))!;
  const sdk = await pluginSdkVersion(dir, manifest);
  if (sdk && !sdkCompatible(HOST_SDK_VERSION, sdk.version)) {
    throw new ConfigError([{ key: 'plugin.path', message: incompatibleSdkMessage(manifest.name ?? dir, dir, sdk) }]);
  }
  shareSdkWith(dir);
  const modPath = join(dir, manifest.tributary!.plugins!);
  const mod = (await import(pathToFileURL(modPath).href)) as { plugins?: unknown };
  if (!Array.isArray(mod.plugins)) {
    throw new ConfigError([{ key: 'plugin.path', message: `${modPath} does not export a plugins array` }]);
  }
  for (const d of mod.plugins as PluginDescriptor[]) {
    if (!d || typeof d.class !== 'string' || typeof d.create !== 'function' || typeof d.type !== 'string') {
      throw new ConfigError([{ key: 'plugin.path', message: `${modPath} exports an invalid plugin descriptor` }]);
    }
  }
  return mod.plugins as PluginDescriptor[];
}
