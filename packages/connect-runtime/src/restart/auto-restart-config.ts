import { ConfigDef, Validators, type ConfigKey } from '@tributary/connect-api';

/**
 * Kafka Connect's validate reply lists its groups, and clients compare them: a connector's keys join
 * its Common group (after Connect's own), the worker's have a group of their own.
 */
const CONNECTOR_GROUP = 'Common';
const WORKER_GROUP = 'Auto-restart';

/** Defaults of the worker, which a connector inherits unless it sets the same key. */
export const AUTO_RESTART_DEFAULTS = {
  'auto.restart.enabled': false,
  'auto.restart.max.restarts': 10,
  'auto.restart.backoff.initial.ms': 10_000,
  'auto.restart.backoff.max.ms': 1_800_000,
} as const;

type Key = keyof typeof AUTO_RESTART_DEFAULTS;

const docs: Record<Key, string> = {
  'auto.restart.enabled':
    'Restart a FAILED connector or task by itself, with backoff. Off by default, as Kafka Connect: a restart replays the records since the last offset commit, so a failure that repeats on the same data writes them again each round.',
  'auto.restart.max.restarts':
    'How many restarts in a row a connector or task gets before it is left FAILED with a message saying so. A failure more than a minute after a restart starts the count afresh.',
  'auto.restart.backoff.initial.ms':
    'Wait before the first restart; each further restart in a row waits twice as long.',
  'auto.restart.backoff.max.ms': 'Longest wait between restarts.',
};

const types: Record<Key, ConfigKey['type']> = {
  'auto.restart.enabled': 'BOOLEAN',
  'auto.restart.max.restarts': 'INT',
  'auto.restart.backoff.initial.ms': 'LONG',
  'auto.restart.backoff.max.ms': 'LONG',
};

/**
 * Declares the four keys on `def`: with the worker's defaults (`inherit` false), or with no default so
 * that a connector that leaves them out takes the worker's (`inherit` true).
 */
export function defineAutoRestart(def: ConfigDef, inherit: boolean, firstOrder = 100): ConfigDef {
  let order = firstOrder;
  for (const name of Object.keys(AUTO_RESTART_DEFAULTS) as Key[]) {
    const worker = AUTO_RESTART_DEFAULTS[name];
    def.define({
      name,
      type: types[name],
      default: inherit ? null : worker,
      importance: 'LOW',
      group: inherit ? CONNECTOR_GROUP : WORKER_GROUP,
      orderInGroup: order++,
      width: 'SHORT',
      displayName: name,
      documentation: inherit ? `${docs[name]} Unset: the worker's ${name} (default ${String(worker)}).` : docs[name],
      ...(types[name] === 'BOOLEAN'
        ? {}
        : { validator: Validators.atLeast(name === 'auto.restart.max.restarts' ? 0 : 1) }),
    });
  }
  return def;
}

/** The connector keys alone, for the README table. */
export const autoRestartConfigDef = defineAutoRestart(new ConfigDef(), true);

export interface AutoRestartSettings {
  enabled: boolean;
  maxRestarts: number;
  initialMs: number;
  maxMs: number;
}

/** A connector's settings: its own keys over the worker's. Values that do not parse fall back to the worker's. */
export function autoRestartSettings(
  connector: Readonly<Record<string, string>>,
  worker: AutoRestartSettings,
): AutoRestartSettings {
  const num = (k: Key, dflt: number) => {
    const v = connector[k]?.trim();
    return v && /^\d+$/.test(v) ? Number(v) : dflt;
  };
  const on = connector['auto.restart.enabled']?.trim().toLowerCase();
  return {
    enabled: on === 'true' ? true : on === 'false' ? false : worker.enabled,
    maxRestarts: num('auto.restart.max.restarts', worker.maxRestarts),
    initialMs: Math.max(1, num('auto.restart.backoff.initial.ms', worker.initialMs)),
    maxMs: Math.max(1, num('auto.restart.backoff.max.ms', worker.maxMs)),
  };
}
