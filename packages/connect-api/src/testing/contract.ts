import type { ConnectorConfig } from '../config.js';
import type { Connector } from '../connector.js';
import { fakeConnectorContext } from './contexts.js';

/** A broken contract: which one, what the kit saw, and how to fix the plugin. */
export class ContractError extends Error {
  constructor(
    readonly contract: string,
    seen: string,
    fix: string,
  ) {
    super(`Contract "${contract}" broken: ${seen}\nHow to fix: ${fix}`);
    this.name = 'ContractError';
  }
}

/** Throws a {@link ContractError} unless `ok`. */
export function expectContract(ok: unknown, contract: string, seen: () => string, fix: string): asserts ok {
  if (!ok) throw new ContractError(contract, seen(), fix);
}

/** Settles with `p`, or throws a ContractError when it takes longer than `ms`. */
export async function within<T>(p: Promise<T>, ms: number, contract: string, what: string, fix: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ContractError(contract, `${what} had not returned after ${ms} ms`, fix)), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Starts the connector as a worker would and returns its first task config (the connector is stopped). */
export async function firstTaskConfig(connector: Connector, config: ConnectorConfig): Promise<Record<string, string>> {
  await connector.start(config, fakeConnectorContext('kit'));
  try {
    const configs = await connector.taskConfigs(1);
    expectContract(
      configs.length >= 1,
      'taskConfigs',
      () => `taskConfigs(1) returned ${configs.length} configs`,
      'return at least one task config for a valid connector config',
    );
    return configs[0]!;
  } finally {
    await connector.stop();
  }
}

/**
 * Checks that `validate` refuses `config` without each required key (one declared without a default),
 * naming the key; and that it accepts `config` itself. Returns the keys it checked.
 */
export async function checkRequiredKeys(connector: () => Connector, config: ConnectorConfig): Promise<string[]> {
  const contract = 'validate names a missing required key';
  const def = connector().config();
  const problems = async (props: ConnectorConfig) => {
    const c = connector();
    const values = def.validate(props);
    return c.validate ? await c.validate(props, values) : values;
  };
  const whole = (await problems(config)).filter((v) => v.errors.length > 0);
  expectContract(
    whole.length === 0,
    contract,
    () => `the suite's valid config is refused: ${JSON.stringify(whole.map((v) => [v.name, v.errors]))}`,
    'give the suite a config your connector accepts',
  );
  const required = def.keys().filter((k) => !('default' in k));
  for (const key of required) {
    const props: Record<string, string> = { ...config };
    for (const name of [key.name, ...(key.aliases ?? [])]) delete props[name];
    const values = await problems(props);
    const named = values.some(
      (v) => v.errors.length > 0 && (v.name === key.name || v.errors.some((e) => e.includes(key.name))),
    );
    expectContract(
      named,
      contract,
      () =>
        `without "${key.name}" validate reported ${JSON.stringify(values.filter((v) => v.errors.length).map((v) => [v.name, v.errors]))}`,
      `declare "${key.name}" without a default in config() (the ConfigDef reports it), or report it from validate() under its name`,
    );
  }
  return required.map((k) => k.name);
}
