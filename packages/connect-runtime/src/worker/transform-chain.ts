import { ConfigError, type ConnectRecord, type Predicate, type Transformation } from '@tributary/connect-api';
import type { PluginRegistry } from '../plugins/registry.js';

interface Step {
  alias: string;
  transform: Transformation;
  predicate: Predicate | null;
  negate: boolean;
}

/** Keys under `prefix`, prefix removed. */
export function subConfig(config: Readonly<Record<string, string>>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

/**
 * The `transforms=a,b` chain of a connector, with `predicates` and `negate`, built from the
 * registry. `apply` runs the steps in order; a step returning null drops the record.
 */
export class TransformChain {
  private constructor(private readonly steps: Step[]) {}

  static build(config: Readonly<Record<string, string>>, registry: PluginRegistry): TransformChain {
    const list = (key: string) =>
      (config[key] ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    const predicates = new Map<string, Predicate>();
    for (const alias of list('predicates')) {
      const type = config[`predicates.${alias}.type`];
      if (!type)
        throw new ConfigError([{ key: `predicates.${alias}.type`, message: 'Missing required configuration' }]);
      const p = registry.resolve(type, ['predicate'], `predicates.${alias}.type`).create();
      p.configure(subConfig(config, `predicates.${alias}.`));
      predicates.set(alias, p);
    }
    const steps = list('transforms').map((alias): Step => {
      const prefix = `transforms.${alias}.`;
      const type = config[`${prefix}type`];
      if (!type) throw new ConfigError([{ key: `${prefix}type`, message: 'Missing required configuration' }]);
      const transform = registry.resolve(type, ['transformation'], `${prefix}type`).create();
      const own = subConfig(config, prefix);
      const predicateAlias = own.predicate;
      delete own.type;
      delete own.predicate;
      const negate = own.negate === 'true';
      delete own.negate;
      transform.configure(own);
      const predicate = predicateAlias ? predicates.get(predicateAlias) : null;
      if (predicateAlias && !predicate) {
        throw new ConfigError([
          { key: `${prefix}predicate`, message: `Predicate ${predicateAlias} is not defined in predicates` },
        ]);
      }
      return { alias, transform, predicate: predicate ?? null, negate };
    });
    return new TransformChain(steps);
  }

  get isEmpty(): boolean {
    return this.steps.length === 0;
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    let r: R | null = record;
    for (const s of this.steps) {
      if (s.predicate && s.predicate.test(r) === s.negate) continue;
      r = s.transform.apply(r);
      if (r === null) return null;
    }
    return r;
  }

  close(): void {
    for (const s of this.steps) s.transform.close?.();
  }
}
