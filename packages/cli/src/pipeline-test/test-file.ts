import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { readConfigFile } from '@tributary/connect-runtime';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';

/** A problem in a test file (or the config it names), with where it is. */
export class TestFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
    this.name = 'TestFileError';
  }
}

/** A parsed YAML or JSON file that can say on which line a value stands. */
export class SourceFile {
  private constructor(
    readonly path: string,
    readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  static async read(path: string): Promise<SourceFile> {
    const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new TestFileError(path, 1, e.code === 'ENOENT' ? 'no such file' : e.message);
    });
    return SourceFile.parse(path, text);
  }

  static parse(path: string, text: string): SourceFile {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const err = doc.errors[0];
    if (err)
      throw new TestFileError(
        path,
        lines.linePos(err.pos[0]).line,
        `not valid YAML/JSON: ${err.message.split('\n')[0]}`,
      );
    return new SourceFile(path, doc, lines);
  }

  get value(): unknown {
    return this.doc.toJS();
  }

  /** The line of the value at `path` (or of the key, for a key whose value is absent), else of the closest parent. */
  lineOf(path: ReadonlyArray<string | number>): number {
    for (let n = path.length; n >= 0; n--) {
      const node = this.doc.getIn(path.slice(0, n), true) as Node | undefined;
      if (node && typeof node === 'object' && 'range' in node && node.range)
        return this.lines.linePos(node.range[0]).line;
      if (n > 0) {
        const parent = this.doc.getIn(path.slice(0, n - 1), true);
        if (isMap(parent)) {
          const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === path[n - 1]);
          if (pair && isScalar(pair.key) && pair.key.range) return this.lines.linePos(pair.key.range[0]).line;
        }
      }
    }
    return 1;
  }

  error(path: ReadonlyArray<string | number>, message: string): TestFileError {
    return new TestFileError(this.path, this.lineOf(path), message);
  }

  isList(path: ReadonlyArray<string | number>): boolean {
    return isSeq(this.doc.getIn(path, true));
  }
}

/** One case of a test file, as written. */
export interface CaseSpec {
  name: string;
  line: number;
  /** Where in the file the case is, for errors about its parts. */
  path: Array<string | number>;
  input: Record<string, unknown>[];
  expect?: Record<string, unknown>[];
  match: 'partial' | 'exact';
  filtered?: number[] | number;
  errors?: Record<string, unknown>[];
  assert?: Record<string, unknown>[];
}

/** Where a connector config came from, to point at the line of a key. */
export interface ConfigSource {
  file: SourceFile | null;
  /** The path of the config map in `file` (or the properties file's path when `file` is null). */
  path: Array<string | number>;
  propertiesPath?: string;
  propertiesText?: string;
}

export interface TestFile {
  source: SourceFile;
  config: Record<string, string>;
  configSource: ConfigSource;
  /** Worker settings the test applies (converters), as in worker.properties. */
  worker: Record<string, string>;
  cases: CaseSpec[];
}

const CASE_KEYS = new Set(['name', 'input', 'expect', 'match', 'filtered', 'errors', 'assert']);
const TOP_KEYS = new Set(['config', 'worker', 'tests']);

/** Reads a test file and the connector config it names; every mistake names the file and line. */
export async function loadTestFile(path: string): Promise<TestFile> {
  const source = await SourceFile.read(path);
  const top = source.value;
  if (!isObject(top)) throw source.error([], 'a test file is a map with config and tests');
  for (const k of Object.keys(top))
    if (!TOP_KEYS.has(k)) throw source.error([k], `unknown key "${k}" (expected config, worker, tests)`);
  if (top.config === undefined)
    throw source.error(
      [],
      'no config: give a connector config inline ({name, config}) or a path to a .json or .properties file',
    );
  const { config, configSource } = await readConfig(source, top.config);
  const worker = top.worker === undefined ? {} : stringMap(source, ['worker'], top.worker);
  if (!Array.isArray(top.tests) || top.tests.length === 0)
    throw source.error(['tests'], 'tests must be a non-empty list of cases');
  const cases = top.tests.map((c, i) => readCase(source, i, c));
  return { source, config, configSource, worker, cases };
}

async function readConfig(
  source: SourceFile,
  spec: unknown,
): Promise<{ config: Record<string, string>; configSource: ConfigSource }> {
  if (typeof spec === 'string') {
    const file = resolve(dirname(source.path), spec);
    if (/\.properties$/i.test(file)) {
      const text = await readFile(file, 'utf8').catch(() => {
        throw source.error(['config'], `cannot read ${file}`);
      });
      return {
        config: await readConfigFile(file),
        configSource: { file: null, path: [], propertiesPath: file, propertiesText: text },
      };
    }
    const inner = await SourceFile.read(file);
    const body = inner.value;
    return bodyConfig(inner, body);
  }
  return bodyConfig(source, spec, ['config']);
}

/** A REST body `{name, config}` or a flat config map. */
function bodyConfig(
  file: SourceFile,
  body: unknown,
  at: Array<string | number> = [],
): { config: Record<string, string>; configSource: ConfigSource } {
  if (!isObject(body)) throw file.error(at, 'a connector config is a REST body ({name, config}) or a map of keys');
  if (isObject(body.config)) {
    const config = stringMap(file, [...at, 'config'], body.config);
    if (typeof body.name === 'string') config.name = body.name;
    return { config, configSource: { file, path: [...at, 'config'] } };
  }
  return { config: stringMap(file, at, body), configSource: { file, path: at } };
}

function readCase(source: SourceFile, i: number, c: unknown): CaseSpec {
  const path = ['tests', i];
  if (!isObject(c))
    throw source.error(path, 'a case is a map with name, input and expect (or filtered, errors, assert)');
  for (const k of Object.keys(c))
    if (!CASE_KEYS.has(k))
      throw source.error([...path, k], `unknown key "${k}" in a case (expected ${[...CASE_KEYS].join(', ')})`);
  const name = typeof c.name === 'string' && c.name ? c.name : `case ${i + 1}`;
  if (!Array.isArray(c.input) || c.input.length === 0)
    throw source.error(
      c.input === undefined ? path : [...path, 'input'],
      `case "${name}" has no input: give input, a list of records`,
    );
  c.input.forEach((r, j) => {
    if (!isObject(r))
      throw source.error(
        [...path, 'input', j],
        'an input record is a map (key, value, headers, timestamp, topic, raw)',
      );
  });
  for (const k of ['expect', 'errors', 'assert'] as const) {
    if (c[k] !== undefined && (!Array.isArray(c[k]) || !(c[k] as unknown[]).every(isObject)))
      throw source.error([...path, k], `${k} must be a list of maps`);
  }
  if (c.expect === undefined && c.filtered === undefined && c.errors === undefined && c.assert === undefined) {
    throw source.error(path, `case "${name}" checks nothing: give expect, filtered, errors or assert`);
  }
  if (c.match !== undefined && c.match !== 'partial' && c.match !== 'exact')
    throw source.error([...path, 'match'], 'match is partial (the default) or exact');
  if (
    c.filtered !== undefined &&
    !(typeof c.filtered === 'number' || (Array.isArray(c.filtered) && c.filtered.every((n) => Number.isInteger(n))))
  ) {
    throw source.error([...path, 'filtered'], 'filtered is a count or a list of input positions (from 0)');
  }
  return {
    name,
    line: source.lineOf(path),
    path,
    input: c.input as Record<string, unknown>[],
    match: (c.match as 'exact' | undefined) ?? 'partial',
    expect: c.expect as Record<string, unknown>[] | undefined,
    filtered: c.filtered as number[] | number | undefined,
    errors: c.errors as Record<string, unknown>[] | undefined,
    assert: c.assert as Record<string, unknown>[] | undefined,
  };
}

function stringMap(file: SourceFile, at: Array<string | number>, v: unknown): Record<string, string> {
  if (!isObject(v)) throw file.error(at, 'expected a map of keys to values');
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x !== null && typeof x === 'object')
      throw file.error([...at, k], `${k}: a config value is a string, number or boolean`);
    out[k] = x === null ? '' : String(x);
  }
  return out;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The line of a connector config key, in the test file or the config file it names. */
export function configKeyLine(src: ConfigSource, key: string): { file: string; line: number } | null {
  if (src.file) return { file: src.file.path, line: src.file.lineOf([...src.path, key]) };
  if (src.propertiesPath && src.propertiesText !== undefined) {
    const idx = src.propertiesText
      .split('\n')
      .findIndex((l) => l.trimStart().startsWith(key) && /^\s*[=:\s]/.test(l.trimStart().slice(key.length)));
    return { file: src.propertiesPath, line: idx >= 0 ? idx + 1 : 1 };
  }
  return null;
}
