import type { Cluster, PluginInfo } from './cluster.js';
import { offsetTranslation, type Direction } from './offset-translation.js';

/** What moving one connector involves, before anything is touched (the --dry-run table's row). */
export interface Inspection {
  readonly name: string;
  readonly type: string;
  readonly connectorClass: string;
  /** The target's plugin for the class, or null when it has none. */
  readonly plugin: PluginInfo | null;
  /** Keys of the config that the target's plugin does not declare (they would be ignored there). */
  readonly unsupported: string[];
  /** Errors the target's validation reports: the connector could not be created there. */
  readonly errors: string[];
  /** What changes on the way. */
  readonly changes: string[];
}

/** Keys every connector takes besides its plugin's own: the worker reads them (Kafka Connect's ConnectorConfig). */
const WORKER_PREFIXES = [
  'transforms.',
  'predicates.',
  'key.converter.',
  'value.converter.',
  'header.converter.',
  'producer.override.',
  'consumer.override.',
  'admin.override.',
  'errors.',
  'topic.creation.',
];

/** Finds the target's plugin for `cls` as Kafka Connect resolves a class: full name, simple name or alias. */
export function findPlugin(plugins: PluginInfo[], cls: string): PluginInfo | null {
  const simple = (c: string) => c.slice(c.lastIndexOf('.') + 1);
  const alias = (c: string) => simple(c).replace(/Connector$/, '');
  return (
    plugins.find((p) => p.class === cls) ??
    plugins.find((p) => simple(p.class) === cls || alias(p.class) === cls) ??
    null
  );
}

/** Looks at connector `name` of `from` against what `to` offers; changes nothing. */
export async function inspect(
  name: string,
  config: Record<string, string>,
  type: string,
  to: Cluster,
  plugins: PluginInfo[],
  direction: Direction,
): Promise<Inspection> {
  const connectorClass = config['connector.class'] ?? '';
  const plugin = findPlugin(plugins, connectorClass);
  const base = { name, type, connectorClass, plugin };
  if (!plugin) return { ...base, unsupported: [], errors: [], changes: [] };
  // Kafka Connect validates a config only under the class name the config itself gives.
  const { declared, errors } = await to.validate(connectorClass, config);
  const unsupported = Object.keys(config)
    .filter((k) => !declared.has(k) && !WORKER_PREFIXES.some((p) => k.startsWith(p)))
    .sort();
  const changes: string[] = [];
  if (plugin.class !== connectorClass) changes.push(`connector.class resolves to ${plugin.class}`);
  if (type === 'sink') changes.push(`sink: resumes from consumer group connect-${name} (shared)`);
  else changes.push(offsetTranslation(plugin.class, direction).note);
  return { ...base, unsupported, errors, changes };
}
