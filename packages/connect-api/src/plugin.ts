import type { SinkConnector, SourceConnector } from './connector.js';
import type { Converter, HeaderConverter } from './converter.js';
import type { Predicate, Transformation } from './transform.js';

export type PluginType = 'source' | 'sink' | 'converter' | 'header_converter' | 'transformation' | 'predicate';

interface PluginOf<T extends PluginType, I> {
  readonly type: T;
  /** The canonical class name shown by the REST API, e.g. `org.example.MySourceConnector`. */
  readonly class: string;
  /** Other names that resolve to this plugin: short names, the Java class names of the ecosystem. */
  readonly aliases?: readonly string[];
  readonly version?: string;
  /** A fresh instance; called once per connector, task or configured transform. */
  create(): I;
}

/**
 * How a package declares what it offers. A plugin package exports `plugins: PluginDescriptor[]` from
 * the module named by `"tributary": { "plugins": "<module>" }` in its package.json; the runtime's
 * registry loads it from a `plugin.path` directory. Built-in plugins use the same descriptors.
 */
export type PluginDescriptor =
  | PluginOf<'source', SourceConnector>
  | PluginOf<'sink', SinkConnector>
  | PluginOf<'converter', Converter>
  | PluginOf<'header_converter', HeaderConverter>
  | PluginOf<'transformation', Transformation>
  | PluginOf<'predicate', Predicate>;
