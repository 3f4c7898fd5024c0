import { AssertionError, deepStrictEqual } from 'node:assert';
import { isObject } from './test-file.js';

/**
 * `{ $regex: "…" }` in an expectation matches text; `{ $any: true }` matches any value that is present.
 * Everything else matches by value.
 */
function matcher(v: unknown): ((actual: unknown) => boolean) | null {
  if (!isObject(v)) return null;
  const keys = Object.keys(v);
  if (keys.length === 1 && keys[0] === '$regex')
    return (a) => typeof a === 'string' && new RegExp(String(v.$regex)).test(a);
  if (keys.length === 1 && keys[0] === '$any') return (a) => a !== undefined;
  return null;
}

/**
 * The part of `actual` that `expected` speaks of: with `partial`, objects keep only the expected keys
 * (recursively); with `exact`, nested values are whole. Matchers that hold become the expectation itself,
 * so that the diff shows only real differences.
 */
export function project(expected: unknown, actual: unknown, mode: 'partial' | 'exact', top = true): unknown {
  const m = matcher(expected);
  if (m) return m(actual) ? expected : actual;
  if (isObject(expected) && isObject(actual) && (mode === 'partial' || top)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(expected)) if (k in actual) out[k] = project(expected[k], actual[k], mode, false);
    return out;
  }
  if (Array.isArray(expected) && Array.isArray(actual) && mode === 'partial' && expected.length === actual.length) {
    return actual.map((a, i) => project(expected[i], a, mode, false));
  }
  return actual;
}

/** Null when `actual` matches; else node's readable diff of expected (-) against actual (+). */
export function difference(expected: unknown, actual: unknown, mode: 'partial' | 'exact'): string | null {
  const projected = project(expected, actual, mode);
  try {
    deepStrictEqual(projected, expected);
    return null;
  } catch (e) {
    if (!(e instanceof AssertionError)) throw e;
    return e.message.replace(/^Expected values to be strictly deep-equal:\n/, '');
  }
}

/** Reads `$`, `$.a.b`, `$[0].value['x.y']` in `root`; undefined when a step is missing. */
export function readPath(root: unknown, path: string): unknown {
  if (!path.startsWith('$')) throw new Error(`a path starts with $ (got ${path})`);
  const steps = path.slice(1).match(/\.[^.[\]]+|\[\d+\]|\['[^']*'\]|\["[^"]*"\]/g) ?? [];
  if (steps.join('') !== path.slice(1)) throw new Error(`cannot read path ${path}: use .name, [index] or ['name']`);
  let cur: unknown = root;
  for (const s of steps) {
    const key = s.startsWith('.')
      ? s.slice(1)
      : s.startsWith("['") || s.startsWith('["')
        ? s.slice(2, -2)
        : Number(s.slice(1, -1));
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/** One `assert` entry: `{ path, equals | matches | exists | type }`; null when it holds, else why not. */
export function checkAssertion(root: unknown, a: Record<string, unknown>): string | null {
  const path = String(a.path ?? '');
  const got = readPath(root, path);
  const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));
  if ('equals' in a) {
    const d = difference(a.equals, got, 'exact');
    return d === null ? null : `${path}: expected ${show(a.equals)}, got ${show(got)}`;
  }
  if ('matches' in a)
    return typeof got === 'string' && new RegExp(String(a.matches)).test(got)
      ? null
      : `${path}: expected text matching /${String(a.matches)}/, got ${show(got)}`;
  if ('exists' in a)
    return (got !== undefined) === Boolean(a.exists)
      ? null
      : `${path}: expected ${a.exists ? 'a value' : 'nothing'}, got ${show(got)}`;
  if ('type' in a) {
    const t = got === null ? 'null' : Array.isArray(got) ? 'array' : typeof got;
    return t === a.type ? null : `${path}: expected a ${String(a.type)}, got ${t} ${show(got)}`;
  }
  throw new Error(`assert on ${path} needs equals, matches, exists or type`);
}
