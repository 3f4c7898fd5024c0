import {
  ConfigDef,
  ConfigError,
  HIDDEN,
  type ConfigKey,
  type ConfigValue,
  type Connector,
  type SourceConnector,
} from '@tributary/connect-api';
import type { PluginRegistry } from '../plugins/registry.js';
import { BadRequestError } from '../errors.js';
import { topicCreationProblems } from '../log/topic-creation.js';
import {
  commonConnectorConfigDef,
  sinkConnectorConfigDef,
  sourceConnectorConfigDef,
} from '../config/connector-config.js';
import { ALL_OVERRIDES, clientOverrideValues, type ClientOverridePolicy } from '../config/client-overrides.js';

/** `definition` of one key in the validate reply and `GET /connector-plugins/{p}/config`. */
export interface ConfigKeyInfo {
  name: string;
  type: string;
  required: boolean;
  default_value: string | null;
  importance: string;
  documentation: string;
  group: string | null;
  width: string;
  display_name: string;
  dependents: string[];
  order: number;
}

export interface ConfigValueInfo {
  name: string;
  value: string | null;
  recommended_values: string[];
  errors: string[];
  visible: boolean;
}

/** The reply of `PUT /connector-plugins/{plugin}/config/validate`, as Kafka's `ConfigInfos`. */
export interface ConfigInfos {
  name: string;
  error_count: number;
  groups: string[];
  configs: Array<{ definition: ConfigKeyInfo | null; value: ConfigValueInfo }>;
}

export function keyInfo(k: ConfigKey): ConfigKeyInfo {
  const required = !('default' in k);
  const dflt =
    required || k.default === null || k.default === undefined
      ? null
      : Array.isArray(k.default)
        ? k.default.join(',')
        : k.type === 'PASSWORD'
          ? HIDDEN
          : String(k.default);
  return {
    name: k.name,
    type: k.type,
    required,
    default_value: dflt,
    importance: k.importance,
    documentation: k.documentation,
    group: k.group ?? null,
    width: k.width ?? 'NONE',
    display_name: k.displayName ?? k.name,
    dependents: k.dependents ?? [],
    order: k.orderInGroup ?? -1,
  };
}

/** The full declaration a connector is validated against: the runtime's keys plus its own. */
export function connectorConfigDef(connector: Connector, kind: 'source' | 'sink'): ConfigDef {
  return (kind === 'sink' ? sinkConnectorConfigDef() : sourceConnectorConfigDef()).merge(connector.config());
}

/**
 * Validates a connector config the way Kafka Connect does: every key of the runtime and the plugin,
 * transforms and predicates, cross-key rules, and the `*.override.*` client settings the worker's
 * `connector.client.config.override.policy` refuses (KIP-458); an unknown connector class is a BadRequestError.
 */
export async function validateConnectorConfig(
  registry: PluginRegistry,
  config: Record<string, string>,
  overridePolicy: ClientOverridePolicy = ALL_OVERRIDES,
  exactlyOnceSource = false,
): Promise<ConfigInfos> {
  const cls = config['connector.class'];
  if (!cls)
    throw new BadRequestError(
      'Connector config ' + JSON.stringify(Object.keys(config)) + ' contains no connector type',
    );
  let plugin;
  try {
    plugin = registry.resolve(cls, ['source', 'sink']);
  } catch (e) {
    throw new BadRequestError((e as ConfigError).problems?.[0]?.message ?? (e as Error).message);
  }
  const connector = plugin.create();
  const def = connectorConfigDef(connector, plugin.type);
  let values = def.validate(config);
  const extra = transformValues(registry, config);
  if (plugin.type === 'sink') sinkTopicRules(config, values);
  else
    for (const p of topicCreationProblems(config))
      values.push({
        name: p.key,
        value: config[p.key] ?? null,
        recommendedValues: [],
        errors: [p.message],
        visible: true,
      });
  nameRules(values);
  converterRules(registry, values);
  if (connector.validate) values = await connector.validate(config, values);
  if (connector.kind === 'source') exactlyOnceRules(connector, config, values, exactlyOnceSource);
  values.push(...clientOverrideValues(plugin.type, config, overridePolicy));
  const all = [...values.map((v) => ({ key: def.key(v.name) ?? null, v })), ...extra];
  const groups = [
    ...new Set(
      def
        .keys()
        .map((k) => k.group)
        .filter((g): g is string => !!g),
    ),
  ];
  const configs = all.map(({ key, v }) => ({
    definition: key ? keyInfo(key) : null,
    value: {
      name: v.name,
      value:
        key?.type === 'PASSWORD' && v.value !== null
          ? HIDDEN
          : v.value === null || v.value === undefined
            ? null
            : Array.isArray(v.value)
              ? v.value.join(',')
              : String(v.value),
      recommended_values: v.recommendedValues,
      errors: v.errors,
      visible: v.visible,
    },
  }));
  return { name: plugin.class, error_count: configs.reduce((n, c) => n + c.value.errors.length, 0), groups, configs };
}

/**
 * The 400 message Kafka Connect gives for an invalid create or update, to the letter (`{connectorType}`
 * included). Connect lists the errors as they are, since its messages name their key; one of ours that
 * does not gets the key in front.
 */
export function invalidConfigMessage(infos: ConfigInfos): string {
  const lines = infos.configs.flatMap((c) =>
    c.value.errors.map((e) => (mentions(e, c.value.name) ? e : `${c.value.name}: ${e}`)),
  );
  return (
    `Connector configuration is invalid and contains the following ${lines.length} error(s):\n${lines.join('\n')}\n` +
    'You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`'
  );
}

/** Whether an error message names its key (a client override, `consumer.override.x`, by its client key `x`). */
function mentions(message: string, key: string): boolean {
  return message.includes(key) || message.includes(key.replace(/^(producer|consumer|admin)\.override\./, ''));
}

/** A connector name is not empty and has no control characters (Connect's NonEmptyStringWithoutControlChars). */
function nameRules(values: ConfigValue[]): void {
  const v = values.find((x) => x.name === 'name');
  if (!v) return;
  const name = v.value === null || v.value === undefined ? '' : String(v.value);
  const control = [...name].map((c) => c.codePointAt(0)!).filter((c) => c <= 0x1f || (c >= 0x7f && c <= 0x9f));
  if (name === '') v.errors = [`Invalid value ${name} for configuration name: String may not be empty`];
  else if (control.length > 0)
    v.errors = [
      `Invalid value ${name} for configuration name: String may not contain control sequences but had the following ASCII chars: ${control.join(', ')}`,
    ];
}

/** `key.converter`, `value.converter` and `header.converter` name plugins this worker has. */
function converterRules(registry: PluginRegistry, values: ConfigValue[]): void {
  for (const [key, type] of [
    ['key.converter', 'converter'],
    ['value.converter', 'converter'],
    ['header.converter', 'header_converter'],
  ] as const) {
    const v = values.find((x) => x.name === key);
    const cls = v?.value === null || v?.value === undefined ? '' : String(v.value).trim();
    if (v && cls !== '' && !registry.find(cls, [type]))
      v.errors.push(`Invalid value ${cls} for configuration ${key}: Class ${cls} could not be found.`);
  }
}

function sinkTopicRules(config: Record<string, string>, values: ConfigValue[]): void {
  const topics = (config.topics ?? '').trim();
  const regex = (config['topics.regex'] ?? '').trim();
  const add = (name: string, msg: string) => values.find((v) => v.name === name)?.errors.push(msg);
  if (topics && regex) {
    const msg = 'topics and topics.regex are mutually exclusive options, but both are set.';
    add('topics', msg);
    add('topics.regex', msg);
  } else if (!topics && !regex) {
    const msg = 'Must configure one of topics or topics.regex';
    add('topics', msg);
    add('topics.regex', msg);
  } else if (regex) {
    try {
      new RegExp(regex);
    } catch (e) {
      add('topics.regex', `Invalid regex: ${(e as Error).message}`);
    }
  }
}

/** `transforms.<alias>.type` / `predicates.<alias>.type` and the plugins' own keys, prefixed. */
function transformValues(
  registry: PluginRegistry,
  config: Record<string, string>,
): Array<{ key: ConfigKey | null; v: ConfigValue }> {
  const out: Array<{ key: ConfigKey | null; v: ConfigValue }> = [];
  const list = (k: string) =>
    (config[k] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  for (const [listKey, type] of [
    ['transforms', 'transformation'],
    ['predicates', 'predicate'],
  ] as const) {
    for (const alias of list(listKey)) {
      const prefix = `${listKey}.${alias}.`;
      const typeKey = `${prefix}type`;
      const typeValue: ConfigValue = {
        name: typeKey,
        value: config[typeKey] ?? null,
        recommendedValues: [],
        errors: [],
        visible: true,
      };
      out.push({
        key: {
          name: typeKey,
          type: 'CLASS',
          importance: 'HIGH',
          documentation: `Class for the '${alias}' ${type}.`,
          group: `${listKey === 'transforms' ? 'Transforms' : 'Predicates'}: ${alias}`,
        },
        v: typeValue,
      });
      if (!config[typeKey]) {
        typeValue.errors.push('Missing required configuration "' + typeKey + '" which has no default value.');
        continue;
      }
      const plugin = registry.find(config[typeKey]!, [type]);
      if (!plugin || plugin.type !== type) {
        typeValue.errors.push(
          `Invalid value ${config[typeKey]} for configuration ${typeKey}: Class ${config[typeKey]} could not be found.`,
        );
        continue;
      }
      const inner = (plugin.create() as { config(): ConfigDef }).config();
      const sub: Record<string, string> = {};
      for (const [k, v] of Object.entries(config)) if (k.startsWith(prefix)) sub[k.slice(prefix.length)] = v;
      for (const v of inner.validate(sub)) {
        const key = inner.key(v.name)!;
        out.push({ key: { ...key, name: prefix + key.name }, v: { ...v, name: prefix + v.name } });
      }
    }
  }
  return out;
}

export { commonConnectorConfigDef };

/**
 * KIP-618's checks, with Kafka Connect's reasons: `exactly.once.support=required` needs a worker with
 * `exactly.once.source.support=enabled` and a connector that declares support for this config;
 * `transaction.boundary=connector` needs a connector that declares it defines its boundaries.
 */
function exactlyOnceRules(
  connector: SourceConnector,
  config: Record<string, string>,
  values: ConfigValue[],
  enabled: boolean,
): void {
  const add = (name: string, message: string) => {
    const v = values.find((x) => x.name === name);
    if (v) v.errors.push(message);
    else values.push({ name, value: config[name] ?? null, recommendedValues: [], errors: [message], visible: true });
  };
  if ((config['exactly.once.support'] ?? '').toLowerCase() === 'required') {
    if (!enabled)
      add(
        'exactly.once.support',
        'This worker does not have exactly-once source support enabled (exactly.once.source.support=enabled), so a connector requiring it cannot run here.',
      );
    else if (connector.exactlyOnceSupport?.(config) !== 'SUPPORTED') {
      add(
        'exactly.once.support',
        `The connector does not ${connector.exactlyOnceSupport ? 'support' : 'declare whether it supports'} exactly-once semantics with the given configuration.`,
      );
    }
  }
  if (
    enabled &&
    (config['transaction.boundary'] ?? '').toLowerCase() === 'connector' &&
    connector.canDefineTransactionBoundaries?.(config) !== 'SUPPORTED'
  ) {
    add(
      'transaction.boundary',
      'The connector does not support connector-defined transaction boundaries with the given configuration. Please reconfigure it to use a different transaction boundary definition.',
    );
  }
}
