/**
 * How a reply of ours is held against Kafka Connect's recorded reply (test/e2e/golden/rest-api.json,
 * written by bench/rest-compare.mjs, which uses these same rules side by side).
 */
export interface Reply {
  status: number;
  body: unknown;
  allow?: string | null;
}

/** Connect answers 500 here because of its own bug; we answer `status` (and `body`, when given). */
export interface Deviation {
  status: number;
  body?: unknown;
}

/**
 * exact: status and body; status: status only; set: a list compared as a set; allow: OPTIONS, status and
 * the Allow set; includes: a logger PUT names the logger; tasks: the keys the runtime adds to task
 * configs; validate-errors: the errors of a validate reply; config-def: the runtime's keys in Connect's
 * order and tasks.max.enforce.
 */
export type Mode = 'exact' | 'status' | 'set' | 'allow' | 'includes' | 'tasks' | 'validate-errors' | 'config-def';

type Json = any;

export function matches(
  mode: Mode,
  connect: Reply,
  ours: Reply,
  deviation: Deviation | undefined,
  path: string,
): boolean {
  if (ours.status !== (deviation ?? connect).status) return false;
  const c = connect.body as Json;
  const o = ours.body as Json;
  switch (mode) {
    case 'status':
      return true;
    case 'exact':
      return deepEqual(o, deviation?.body !== undefined ? deviation.body : deviation ? o : c);
    case 'set':
      return deepEqual([...o].sort(), [...c].sort());
    case 'allow':
      return deepEqual(new Set(ours.allow?.split(',')), new Set(connect.allow?.split(',')));
    case 'includes':
      return Array.isArray(o) && o.includes(decodeURIComponent(path.split('?')[0]!.split('/').pop()!));
    case 'tasks':
      return deepEqual(runtimeKeys(o), runtimeKeys(c));
    case 'validate-errors':
      return o.error_count === c.error_count && deepEqual(errorsOf(o), errorsOf(c));
    case 'config-def':
      return (
        deepEqual(sharedOrder(o, c), sharedOrder(c, o)) &&
        deepEqual(
          withoutDoc(o.find((k: Json) => k.name === 'tasks.max.enforce')),
          withoutDoc(c.find((k: Json) => k.name === 'tasks.max.enforce')),
        )
      );
  }
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Set || b instanceof Set)
    return a instanceof Set && b instanceof Set && a.size === b.size && [...a].every((x) => b.has(x));
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Json)[k], (b as Json)[k]));
}

const RUNTIME_TASK_KEYS = ['task.class', 'topics', 'topics.regex'];

/** The keys Connect's runtime adds to each task config; the rest is the connector's own business. */
function runtimeKeys(body: Json): Json[] {
  const configs: Json[] = Array.isArray(body) ? body.map((t: Json) => t.config) : Object.values(body);
  return configs.map((c) => Object.fromEntries(RUNTIME_TASK_KEYS.filter((k) => k in c).map((k) => [k, c[k]])));
}

function errorsOf(infos: Json): Record<string, string[]> {
  return Object.fromEntries(
    infos.configs.filter((c: Json) => c.value.errors.length > 0).map((c: Json) => [c.value.name, c.value.errors]),
  );
}

/** The keys of `a` that `b` declares too, in `a`'s order, with group and order in group. */
function sharedOrder(a: Json[], b: Json[]): string[] {
  const names = new Set(b.map((k) => k.name));
  return a.filter((k) => names.has(k.name)).map((k) => `${k.name}:${k.group}:${k.order}`);
}

function withoutDoc(k: Json): Json {
  if (!k) return k;
  const { documentation: _doc, ...rest } = k;
  return rest;
}
