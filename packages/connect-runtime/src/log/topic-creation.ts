/**
 * Topic creation for source connectors (KIP-158), as Kafka Connect does it: when a connector config
 * has any `topic.creation.*` key, a topic its tasks write to and that does not exist is created with
 * the settings of the first group in `topic.creation.groups` whose `include` matches the topic name
 * and whose `exclude` does not, else with those of the `default` group (which matches every topic).
 *
 * - `topic.creation.default.partitions` and `.replication.factor` are both required then; `-1`
 *   means the broker's default.
 * - A group's `include`/`exclude` are comma-separated regular expressions matched against the whole
 *   topic name (Java's Pattern.matches); `exclude` wins over `include`.
 * - Any other `topic.creation.<group>.<key>` is a topic-level config (e.g. `cleanup.policy=compact`).
 * - A named group inherits every setting of `default` it does not set itself, as in Kafka Connect.
 *
 * The worker-level `topic.creation.enable` switch is the caller's to check.
 */
import { ConfigError, type ConfigProblem } from '@tributary/connect-api';
import type { TopicSpec } from './log.js';

const PREFIX = 'topic.creation.';
const DEFAULT_GROUP = 'default';
/** Keys of a group that are not topic-level configs. */
const GROUP_KEYS = new Set(['include', 'exclude', 'partitions', 'replication.factor']);

const splitList = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

/** True when the connector asks for topic creation (has any `topic.creation.*` key). */
export function hasTopicCreation(config: Readonly<Record<string, string>>): boolean {
  return Object.keys(config).some((k) => k.startsWith(PREFIX));
}

/** Every problem with the connector's `topic.creation.*` keys (empty when there are none). */
export function topicCreationProblems(config: Readonly<Record<string, string>>): ConfigProblem[] {
  if (!hasTopicCreation(config)) return [];
  const problems: ConfigProblem[] = [];
  const groups = splitList(config[`${PREFIX}groups`]);
  for (const group of [DEFAULT_GROUP, ...groups]) {
    for (const key of ['partitions', 'replication.factor']) {
      const name = `${PREFIX}${group}.${key}`;
      const raw = config[name];
      if (raw === undefined) {
        if (group === DEFAULT_GROUP)
          problems.push({
            key: name,
            message: 'is required when any topic.creation.* key is set (-1 for the broker default)',
          });
        continue;
      }
      const n = Number(raw);
      if (!Number.isInteger(n) || (n !== -1 && n < 1) || (key === 'replication.factor' && n > 32767)) {
        problems.push({ key: name, message: `must be -1 (broker default) or a positive integer, got "${raw}"` });
      }
    }
    if (group === DEFAULT_GROUP) continue;
    for (const which of ['include', 'exclude']) {
      const name = `${PREFIX}${group}.${which}`;
      for (const re of splitList(config[name])) {
        try {
          new RegExp(re);
        } catch (err) {
          problems.push({ key: name, message: `invalid regular expression "${re}": ${(err as Error).message}` });
        }
      }
    }
    if (splitList(config[`${PREFIX}${group}.include`]).length === 0) {
      problems.push({
        key: `${PREFIX}${group}.include`,
        message: `is required for group "${group}" listed in topic.creation.groups`,
      });
    }
  }
  if (groups.includes(DEFAULT_GROUP))
    problems.push({ key: `${PREFIX}groups`, message: '"default" is implicit and cannot be listed' });
  return problems;
}

/** The settings of one group, with what it does not set inherited from `default`. */
function groupSettings(config: Readonly<Record<string, string>>, group: string): Map<string, string> {
  const own = (g: string) => {
    const m = new Map<string, string>();
    const p = `${PREFIX}${g}.`;
    for (const [k, v] of Object.entries(config)) if (k.startsWith(p)) m.set(k.slice(p.length), v);
    return m;
  };
  const settings = own(DEFAULT_GROUP);
  settings.delete('include');
  settings.delete('exclude');
  if (group !== DEFAULT_GROUP) for (const [k, v] of own(group)) settings.set(k, v);
  return settings;
}

const fullMatch = (patterns: string[], topic: string): boolean =>
  patterns.some((p) => new RegExp(`^(?:${p})$`).test(topic));

/** The group whose settings create `topic`: the first listed group that matches, else `default`. */
export function topicCreationGroup(config: Readonly<Record<string, string>>, topic: string): string {
  for (const group of splitList(config[`${PREFIX}groups`])) {
    if (fullMatch(splitList(config[`${PREFIX}${group}.exclude`]), topic)) continue;
    if (fullMatch(splitList(config[`${PREFIX}${group}.include`]), topic)) return group;
  }
  return DEFAULT_GROUP;
}

/**
 * How to create `topic` for a source connector with config `connectorConfig`, or null when the
 * connector has no `topic.creation.*` keys (then the broker's auto-creation, if any, applies).
 * Throws a ConfigError naming every bad key.
 */
export function topicCreationSpec(connectorConfig: Readonly<Record<string, string>>, topic: string): TopicSpec | null {
  if (!hasTopicCreation(connectorConfig)) return null;
  const problems = topicCreationProblems(connectorConfig);
  if (problems.length > 0) throw new ConfigError(problems);
  const settings = groupSettings(connectorConfig, topicCreationGroup(connectorConfig, topic));
  const configs: Record<string, string> = {};
  for (const [k, v] of settings) if (!GROUP_KEYS.has(k)) configs[k] = v;
  return {
    topic,
    partitions: Number(settings.get('partitions') ?? -1),
    replicationFactor: Number(settings.get('replication.factor') ?? -1),
    configs,
  };
}
