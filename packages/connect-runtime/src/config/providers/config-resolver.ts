import { ConfigError } from '@tributary/connect-api';
import type { ConfigProvider } from './config-provider.js';
import { DirectoryConfigProvider } from './directory-config-provider.js';
import { EnvVarConfigProvider } from './env-config-provider.js';
import { FileConfigProvider } from './file-config-provider.js';

/** Kafka's `ConfigTransformer` pattern: `${provider:path:key}` or `${provider:key}`. */
const PLACEHOLDER = /\$\{([^}]*?):(?:([^}]*?):)?([^}]*?)\}/g;

const KAFKA = 'org.apache.kafka.common.config.provider.';
/** Provider classes by Kafka's class names and their short forms. */
const PROVIDER_CLASSES: Record<string, (env: NodeJS.ProcessEnv) => ConfigProvider> = {};
for (const [names, make] of [
  [['FileConfigProvider', 'file'], () => new FileConfigProvider()],
  [['EnvVarConfigProvider', 'env'], (env: NodeJS.ProcessEnv) => new EnvVarConfigProvider(env)],
  [['DirectoryConfigProvider', 'dir', 'directory'], () => new DirectoryConfigProvider()],
] as const) {
  for (const n of names) PROVIDER_CLASSES[n] = make;
  PROVIDER_CLASSES[KAFKA + names[0]] = make;
}

/** Substituted values shorter than this are only hidden where they are a whole config value. */
const MIN_REDACT_LENGTH = 4;
const MAX_REMEMBERED = 10_000;
const HIDDEN = '[hidden]';

/**
 * Resolves `${provider:path:key}` placeholders in a connector config with the worker's config
 * providers. Placeholders naming a provider that is not configured are left as they are (as Kafka
 * does: `${topic}`-like text in other configs is not a reference); a configured provider that lacks
 * the key is a ConfigError naming the placeholder, never a value.
 */
export interface ConfigResolver {
  (config: Record<string, string>): Promise<Record<string, string>>;
  /** True when `config.providers` names at least one provider. */
  readonly enabled: boolean;
  /** `text` (a log line, an error message, a trace) with every value a provider returned hidden. */
  redact(text: string): string;
}

/**
 * The resolver for a worker config: `config.providers=file,env,dir`,
 * `config.providers.<name>.class=<Kafka class name or short name>`,
 * `config.providers.<name>.param.<key>=<value>` (e.g. `allowed.paths`, `allowlist.pattern`).
 * Throws a ConfigError for an unknown class. Identity when no providers are configured.
 */
export function createConfigResolver(
  workerProps: Readonly<Record<string, string>>,
  opts: { env?: NodeJS.ProcessEnv } = {},
): ConfigResolver {
  const providers = new Map<string, ConfigProvider>();
  const names = (workerProps['config.providers'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const name of names) {
    const classKey = `config.providers.${name}.class`;
    const cls = workerProps[classKey];
    const make = cls ? PROVIDER_CLASSES[cls.trim()] : undefined;
    if (!make) {
      throw new ConfigError([
        {
          key: classKey,
          message: `${cls ? `unknown config provider class ${cls}` : 'missing'}: use ${KAFKA}FileConfigProvider, EnvVarConfigProvider or DirectoryConfigProvider (or file, env, dir)`,
        },
      ]);
    }
    const provider = make(opts.env ?? process.env);
    const prefix = `config.providers.${name}.param.`;
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(workerProps)) if (k.startsWith(prefix)) params[k.slice(prefix.length)] = v;
    provider.configure(params);
    providers.set(name, provider);
  }

  const secrets = new Set<string>();
  const remember = (v: string) => {
    if (secrets.size >= MAX_REMEMBERED) secrets.delete(secrets.values().next().value!);
    secrets.add(v);
  };

  const resolve = async (config: Record<string, string>): Promise<Record<string, string>> => {
    if (providers.size === 0) return config;
    // Gather every reference first so each file or directory is read once per call.
    const wanted = new Map<string, { provider: ConfigProvider; path: string; keys: Set<string> }>();
    for (const value of Object.values(config)) {
      for (const m of value.matchAll(PLACEHOLDER)) {
        const provider = providers.get(m[1]!);
        if (!provider) continue;
        const id = `${m[1]}\n${m[2] ?? ''}`;
        let w = wanted.get(id);
        if (!w) wanted.set(id, (w = { provider, path: m[2] ?? '', keys: new Set() }));
        w.keys.add(m[3]!);
      }
    }
    if (wanted.size === 0) return config;
    const values = new Map<string, Map<string, string>>();
    for (const [id, w] of wanted) values.set(id, await w.provider.get(w.path, w.keys));
    const out: Record<string, string> = {};
    const missing: Array<{ key: string; message: string }> = [];
    for (const [key, value] of Object.entries(config)) {
      out[key] = value.replace(PLACEHOLDER, (whole, name: string, path: string | undefined, k: string) => {
        if (!providers.has(name)) return whole;
        const v = values.get(`${name}\n${path ?? ''}`)!.get(k);
        if (v === undefined) {
          missing.push({ key, message: `config provider ${name} has no value for ${whole}` });
          return whole;
        }
        remember(v);
        return v;
      });
    }
    if (missing.length > 0) throw new ConfigError(missing);
    return out;
  };

  const redact = (text: string): string => {
    let out = text;
    for (const s of secrets) {
      if (s.length >= MIN_REDACT_LENGTH && out.includes(s)) out = out.split(s).join(HIDDEN);
    }
    return out;
  };

  return Object.assign(resolve, { enabled: providers.size > 0, redact });
}

/** True when `value` holds a `${provider:…}` reference. */
export function hasPlaceholder(value: string | undefined): boolean {
  if (value === undefined) return false;
  PLACEHOLDER.lastIndex = 0;
  const found = PLACEHOLDER.test(value);
  PLACEHOLDER.lastIndex = 0;
  return found;
}

/**
 * Kafka's `reverseTransform`: a config derived from a resolved one (task configs from
 * `taskConfigs()`, the values echoed by config validation) with every key whose raw value holds a
 * placeholder set back to that raw value, so it can be stored and shown without the secret. Values the
 * connector copied under other keys are caught when `resolved` is given: any derived value equal to
 * a value a placeholder resolved to is replaced by that placeholder's raw text.
 */
export function redactResolved(
  raw: Readonly<Record<string, string>>,
  derived: Readonly<Record<string, string>>,
  resolved?: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = { ...derived };
  const byValue = new Map<string, string>();
  for (const [k, v] of Object.entries(raw)) {
    if (!hasPlaceholder(v)) continue;
    if (k in out) out[k] = v;
    const r = resolved?.[k];
    if (r !== undefined && r !== v && r.length >= MIN_REDACT_LENGTH) byValue.set(r, v);
  }
  if (byValue.size > 0) {
    for (const [k, v] of Object.entries(out)) {
      const rawText = byValue.get(v);
      if (rawText !== undefined) out[k] = rawText;
    }
  }
  return out;
}
