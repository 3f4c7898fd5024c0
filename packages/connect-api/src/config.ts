import { ConfigError, type ConfigProblem } from './errors.js';

/** Flat string configuration, exactly as POSTed to the REST API (after config providers resolved it). */
export type ConnectorConfig = Readonly<Record<string, string>>;

/** Kafka's ConfigDef types, upper-case as they appear in the REST API. */
export type ConfigType = 'STRING' | 'INT' | 'LONG' | 'SHORT' | 'DOUBLE' | 'BOOLEAN' | 'LIST' | 'CLASS' | 'PASSWORD';
export type Importance = 'HIGH' | 'MEDIUM' | 'LOW';
export type Width = 'NONE' | 'SHORT' | 'MEDIUM' | 'LONG';

/** Returns an error message when `value` (already parsed to its type) is not acceptable. */
export type Validator = (value: unknown, name: string) => string | undefined;

/** The declaration of one configuration key. */
export interface ConfigKey {
  name: string;
  type: ConfigType;
  /** Omitted means the key is required. Give defaults as the parsed type or as the string form. */
  default?: unknown;
  importance: Importance;
  documentation: string;
  group?: string;
  orderInGroup?: number;
  width?: Width;
  displayName?: string;
  dependents?: string[];
  validator?: Validator;
  /** Offered as `recommended_values`, and enforced when `validator` is not given. */
  validValues?: string[];
  /** Other spellings accepted for this key (e.g. a key renamed upstream). */
  aliases?: string[];
}

/** One key's outcome from {@link ConfigDef.validate}, as the validate endpoint reports it. */
export interface ConfigValue {
  name: string;
  value: unknown;
  recommendedValues: string[];
  errors: string[];
  visible: boolean;
}

/** A placeholder shown in place of secret values in every output. */
export const HIDDEN = '[hidden]';

/**
 * The one declaration of a plugin's configuration. It drives parsing and validation, the
 * `PUT /connector-plugins/{plugin}/config/validate` endpoint, the redaction of PASSWORD values in
 * every output, and the config table in the plugin's README.
 */
export class ConfigDef {
  private readonly keyMap = new Map<string, ConfigKey>();

  /** Declares a key; declaring a name twice is a programming error. */
  define(key: ConfigKey): this {
    if (this.keyMap.has(key.name)) throw new Error(`Configuration ${key.name} is defined twice.`);
    this.keyMap.set(key.name, key);
    return this;
  }

  /** A new definition holding this one's keys and `other`'s. */
  merge(other: ConfigDef): ConfigDef {
    const out = new ConfigDef();
    for (const k of this.keys()) out.define(k);
    for (const k of other.keys()) if (!out.keyMap.has(k.name)) out.define(k);
    return out;
  }

  keys(): ConfigKey[] {
    return [...this.keyMap.values()];
  }

  key(name: string): ConfigKey | undefined {
    return this.keyMap.get(name);
  }

  /** Every key, each with its parsed value or its errors. Never throws for bad values. */
  validate(props: Readonly<Record<string, string>>): ConfigValue[] {
    return this.keys().map((key) => {
      const out: ConfigValue = {
        name: key.name,
        value: null,
        recommendedValues: key.validValues ?? [],
        errors: [],
        visible: true,
      };
      try {
        out.value = this.valueOf(key, props);
        const msg = this.check(key, out.value);
        if (msg) out.errors.push(msg);
      } catch (e) {
        out.errors.push((e as Error).message);
      }
      return out;
    });
  }

  /** Parses every declared key (defaults applied); throws a ConfigError listing every bad key. */
  parse(props: Readonly<Record<string, string>>): ParsedConfig {
    const problems: ConfigProblem[] = [];
    const values = new Map<string, unknown>();
    for (const v of this.validate(props)) {
      for (const message of v.errors) problems.push({ key: v.name, message });
      values.set(v.name, v.value);
    }
    if (problems.length > 0) throw new ConfigError(problems);
    return new ParsedConfig(values, props);
  }

  /** A copy of `props` with PASSWORD values replaced by `[hidden]`. */
  redact(props: Readonly<Record<string, string>>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(props)) out[k] = this.keyMap.get(k)?.type === 'PASSWORD' ? HIDDEN : v;
    return out;
  }

  private valueOf(key: ConfigKey, props: Readonly<Record<string, string>>): unknown {
    const raw = [key.name, ...(key.aliases ?? [])].map((n) => props[n]).find((v) => v !== undefined);
    if (raw === undefined) {
      if (!('default' in key))
        throw new Error(`Missing required configuration "${key.name}" which has no default value.`);
      return key.default === null || key.default === undefined ? null : parseType(key, key.default);
    }
    return parseType(key, raw);
  }

  private check(key: ConfigKey, value: unknown): string | undefined {
    if (value === null) return undefined;
    if (key.validator) return key.validator(value, key.name);
    if (key.validValues && !key.validValues.includes(String(value))) {
      return `Invalid value ${String(value)} for configuration ${key.name}: String must be one of: ${key.validValues.join(', ')}`;
    }
    return undefined;
  }
}

/** Typed access to a parsed configuration. Unknown keys stay reachable through `originals`. */
export class ParsedConfig {
  constructor(
    private readonly values: ReadonlyMap<string, unknown>,
    readonly originals: Readonly<Record<string, string>>,
  ) {}

  get(name: string): unknown {
    return this.values.get(name) ?? null;
  }
  string(name: string): string {
    return this.values.get(name) as string;
  }
  optionalString(name: string): string | null {
    const v = this.values.get(name);
    return v === null || v === undefined || v === '' ? null : (v as string);
  }
  int(name: string): number {
    return this.values.get(name) as number;
  }
  bool(name: string): boolean {
    return this.values.get(name) as boolean;
  }
  list(name: string): string[] {
    return (this.values.get(name) as string[] | null) ?? [];
  }
  password(name: string): string | null {
    return (this.values.get(name) as string | null) ?? null;
  }

  /** Keys of `originals` that start with `prefix`, prefix removed (as Kafka's `originalsWithPrefix`). */
  withPrefix(prefix: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.originals)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
    return out;
  }
}

function parseType(key: ConfigKey, raw: unknown): unknown {
  const { name, type } = key;
  const bad = (what: string) => new Error(`Invalid value ${String(raw)} for configuration ${name}: ${what}`);
  const text = typeof raw === 'string' ? raw.trim() : raw;
  switch (type) {
    case 'STRING':
    case 'CLASS':
    case 'PASSWORD':
      return String(raw);
    case 'BOOLEAN': {
      if (typeof text === 'boolean') return text;
      const t = String(text).toLowerCase();
      if (t === 'true') return true;
      if (t === 'false') return false;
      throw bad('Expected value to be either true or false');
    }
    case 'INT':
    case 'SHORT':
    case 'LONG': {
      const n = typeof text === 'number' ? text : /^[+-]?\d+$/.test(String(text)) ? Number(text) : NaN;
      if (!Number.isSafeInteger(n)) throw bad('Not a number of type ' + type);
      if (type === 'INT' && (n < -(2 ** 31) || n >= 2 ** 31)) throw bad('Not a number of type INT');
      if (type === 'SHORT' && (n < -32768 || n > 32767)) throw bad('Not a number of type SHORT');
      return n;
    }
    case 'DOUBLE': {
      const n = typeof text === 'number' ? text : String(text) === '' ? NaN : Number(text);
      if (Number.isNaN(n)) throw bad('Not a number of type DOUBLE');
      return n;
    }
    case 'LIST':
      if (Array.isArray(raw)) return raw.map(String);
      return String(raw).trim() === ''
        ? []
        : String(raw)
            .split(',')
            .map((s) => s.trim());
  }
}

/** Validators for common constraints, in the spirit of Kafka's `ConfigDef.Range` and friends. */
export const Validators = {
  atLeast(min: number): Validator {
    return (v, name) =>
      (v as number) < min
        ? `Invalid value ${String(v)} for configuration ${name}: Value must be at least ${min}`
        : undefined;
  },
  between(min: number, max: number): Validator {
    return (v, name) =>
      (v as number) < min || (v as number) > max
        ? `Invalid value ${String(v)} for configuration ${name}: Value must be between ${min} and ${max}`
        : undefined;
  },
  nonEmptyString(): Validator {
    return (v, name) =>
      String(v).trim() === '' ? `Invalid value for configuration ${name}: String must be non-empty` : undefined;
  },
  in(...values: string[]): Validator {
    return (v, name) =>
      !values.includes(String(v))
        ? `Invalid value ${String(v)} for configuration ${name}: String must be one of: ${values.join(', ')}`
        : undefined;
  },
  inIgnoreCase(...values: string[]): Validator {
    const lower = values.map((s) => s.toLowerCase());
    return (v, name) =>
      !lower.includes(String(v).toLowerCase())
        ? `Invalid value ${String(v)} for configuration ${name}: String must be one of (case insensitive): ${values.join(', ')}`
        : undefined;
  },
};

/** The config table of a plugin's README, generated from its declaration. */
export function configTable(def: ConfigDef): string {
  const rows = def.keys().map((k) => {
    const dflt = !('default' in k)
      ? '*required*'
      : k.type === 'PASSWORD' && k.default
        ? HIDDEN
        : `\`${formatDefault(k.default)}\``;
    const doc = k.documentation.replace(/\|/g, '\\|').replace(/\n/g, ' ');
    return `| \`${k.name}\` | ${k.type} | ${dflt} | ${k.importance} | ${doc} |`;
  });
  return ['| key | type | default | importance | description |', '|---|---|---|---|---|', ...rows].join('\n');
}

function formatDefault(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}
