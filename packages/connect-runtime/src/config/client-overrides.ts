import { ConfigError, HIDDEN, type ConfigValue } from '@tributary/connect-api';
import { hasTopicCreation } from '../log/topic-creation.js';

/**
 * Per-connector Kafka client settings (KIP-458): `producer.override.*`, `consumer.override.*` and
 * `admin.override.*` in a connector config, applied over the worker's `producer.*`/`consumer.*`/
 * `admin.*` settings for that connector's clients, as far as the worker's
 * `connector.client.config.override.policy` allows.
 */

export type ClientType = 'producer' | 'consumer' | 'admin';

export const CLIENT_OVERRIDE_PREFIXES: Readonly<Record<ClientType, string>> = {
  producer: 'producer.override.',
  consumer: 'consumer.override.',
  admin: 'admin.override.',
};

/** A connector's overrides per client, prefix removed (`{ producer: { 'linger.ms': '5' }, … }`). */
export interface ClientOverrides {
  readonly producer: Readonly<Record<string, string>>;
  readonly consumer: Readonly<Record<string, string>>;
  readonly admin: Readonly<Record<string, string>>;
}

/** Which client keys a connector may override; Kafka Connect's `ConnectorClientConfigOverridePolicy`. */
export interface ClientOverridePolicy {
  /** `All`, `None`, `Principal` or `Allowlist`, as the refusal message names it. */
  readonly name: string;
  isAllowed(clientKey: string): boolean;
}

const PRINCIPAL_KEYS = new Set(['sasl.jaas.config', 'sasl.mechanism', 'security.protocol']);

export const ALL_OVERRIDES: ClientOverridePolicy = { name: 'All', isAllowed: () => true };

/** The names `connector.client.config.override.policy` accepts: alias, class simple name, class name (as Kafka). */
export const OVERRIDE_POLICY_NAMES = ['All', 'None', 'Principal', 'Allowlist'] as const;

/**
 * The policy a worker's `connector.client.config.override.policy` names. `Allowlist` (KIP-1188)
 * allows exactly the client keys in `connector.client.config.override.allowlist`.
 */
export function clientOverridePolicy(name: string, allowlist: readonly string[] = []): ClientOverridePolicy {
  switch (policyAlias(name)) {
    case 'All':
      return ALL_OVERRIDES;
    case 'None':
      return { name: 'None', isAllowed: () => false };
    case 'Principal':
      return { name: 'Principal', isAllowed: (k) => PRINCIPAL_KEYS.has(k) };
    case 'Allowlist': {
      const allowed = new Set(allowlist.map((k) => k.trim()).filter(Boolean));
      return { name: 'Allowlist', isAllowed: (k) => allowed.has(k) };
    }
    default:
      throw new ConfigError([{ key: 'connector.client.config.override.policy', message: policyProblem(name)! }]);
  }
}

/** The validator message for an unknown policy name, or undefined. */
export function policyProblem(name: string): string | undefined {
  if (policyAlias(name)) return undefined;
  return (
    `Invalid value ${name} for configuration connector.client.config.override.policy: ` +
    `Class ${name} could not be found. Use one of ${OVERRIDE_POLICY_NAMES.join(', ')}.`
  );
}

function policyAlias(name: string): (typeof OVERRIDE_POLICY_NAMES)[number] | undefined {
  const simple = name
    .trim()
    .replace(/^org\.apache\.kafka\.connect\.connector\.policy\./, '')
    .replace(/ConnectorClientConfigOverridePolicy$/, '');
  return OVERRIDE_POLICY_NAMES.find((n) => n === simple);
}

/**
 * The clients a connector of this type uses, as Kafka Connect decides which overrides to check: a
 * source produces (and uses an admin client for KIP-158 topic creation); a sink consumes (and
 * produces to, and creates, its dead letter queue topic when it has one).
 */
export function clientsUsed(type: 'source' | 'sink', connectorConfig: Readonly<Record<string, string>>): ClientType[] {
  if (type === 'source') return hasTopicCreation(connectorConfig) ? ['producer', 'admin'] : ['producer'];
  const dlq = (connectorConfig['errors.deadletterqueue.topic.name'] ?? '').trim() !== '';
  return dlq ? ['producer', 'consumer', 'admin'] : ['consumer']; // the order of Connect's validate reply
}

/**
 * One validate-endpoint entry per override of a client the connector uses, with Kafka Connect's
 * message when the policy refuses it. Secret client settings are shown as `[hidden]`.
 */
export function clientOverrideValues(
  type: 'source' | 'sink',
  connectorConfig: Readonly<Record<string, string>>,
  policy: ClientOverridePolicy,
): ConfigValue[] {
  const out: ConfigValue[] = [];
  for (const client of clientsUsed(type, connectorConfig)) {
    const prefix = CLIENT_OVERRIDE_PREFIXES[client];
    for (const [k, v] of Object.entries(connectorConfig)) {
      if (!k.startsWith(prefix)) continue;
      const key = k.slice(prefix.length);
      out.push({
        name: k,
        value: SECRET_CLIENT_KEYS.has(key) ? HIDDEN : v,
        recommendedValues: [],
        visible: true,
        errors: policy.isAllowed(key)
          ? []
          : [`The '${policy.name}' policy does not allow '${key}' to be overridden in the connector configuration.`],
      });
    }
  }
  return out;
}

/**
 * The overrides a connector's clients get, prefix removed, for the clients a connector of `type`
 * uses (the others are empty). Throws a ConfigError naming every key the policy refuses (normally
 * caught when the config was created; this catches a worker whose policy changed since).
 *
 * `worker.ts` passes them on: `log.producer({ overrides: o.producer })`, `log.consumer({ …, overrides: o.consumer })`.
 */
export function clientOverrides(
  connectorConfig: Readonly<Record<string, string>>,
  type: 'source' | 'sink',
  policy: ClientOverridePolicy = ALL_OVERRIDES,
): ClientOverrides {
  const refused = clientOverrideValues(type, connectorConfig, policy).filter((v) => v.errors.length > 0);
  if (refused.length > 0) throw new ConfigError(refused.map((v) => ({ key: v.name, message: v.errors[0]! })));
  const used = new Set(clientsUsed(type, connectorConfig));
  const pick = (client: ClientType): Record<string, string> => {
    const out: Record<string, string> = {};
    if (!used.has(client)) return out;
    const prefix = CLIENT_OVERRIDE_PREFIXES[client];
    for (const [k, v] of Object.entries(connectorConfig)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
    return out;
  };
  return { producer: pick('producer'), consumer: pick('consumer'), admin: pick('admin') };
}

/** Kafka client settings of type PASSWORD, hidden in validate output as Kafka Connect hides them. */
const SECRET_CLIENT_KEYS = new Set([
  'sasl.jaas.config',
  'ssl.key.password',
  'ssl.keystore.password',
  'ssl.truststore.password',
  'ssl.keystore.key',
  'ssl.keystore.certificate.chain',
  'ssl.truststore.certificates',
]);
