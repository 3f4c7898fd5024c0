import type { ConfigKey } from '@tributary/connect-api';

export type PluginKind = 'source' | 'sink';

/** The names a new plugin's files use, derived from its package name. */
export interface PluginNames {
  /** The npm package name, as given (`acme-source`, `@acme/orders-sink`). */
  pkg: string;
  /** The folder it is written to (the name without its scope). */
  dir: string;
  kind: PluginKind;
  /** `AcmeSource`: the prefix of its classes and its short alias. */
  pascal: string;
  /** `com.example.AcmeSourceConnector`. */
  className: string;
}

/** One config key of a template, rendered into `src/config.ts` and into the README's table. */
export interface TemplateKey extends Omit<ConfigKey, 'validator'> {
  /** TypeScript source of the validator, e.g. `Validators.atLeast(1)`. */
  validator?: string;
}

/** What a template contributes: its keys, its source files and the config the kit test uses. */
export interface Template {
  keys: TemplateKey[];
  files: Record<string, string>;
}
