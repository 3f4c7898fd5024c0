import { ConfigDef, type ConfigKey, type ParsedConfig, type Validator } from '@tributary/connect-api';

/** Parses a transform's properties against its declaration; a ConfigError lists every bad key. */
export function parseConfig(def: ConfigDef, props: Record<string, string>): ParsedConfig {
  return def.parse(props);
}

/** KIP-1040's key, shared by the transforms that read struct fields. */
export const REPLACE_NULL_WITH_DEFAULT: ConfigKey = {
  name: 'replace.null.with.default',
  type: 'BOOLEAN',
  default: true,
  importance: 'MEDIUM',
  documentation:
    'Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.',
};

/** Kafka's `NonEmptyListValidator`. */
export const nonEmptyList: Validator = (v, name) =>
  Array.isArray(v) && v.length > 0
    ? undefined
    : `Invalid value ${Array.isArray(v) ? v.join(',') : String(v)} for configuration ${name}: Empty list`;

/** Kafka's `ConfigDef.NonEmptyString`. */
export const nonEmptyString: Validator = (v, name) =>
  typeof v === 'string' && v.length > 0
    ? undefined
    : `Invalid value ${String(v)} for configuration ${name}: String must be non-empty`;
