import { ConfigError } from '@tributary/connect-api';
import type { PluginRegistry } from '@tributary/connect-runtime';
import { checkAssertion, difference } from './match.js';
import { InputError, Pipeline, type Outcome } from './pipeline.js';
import { configKeyLine, loadTestFile, TestFileError, type CaseSpec, type TestFile } from './test-file.js';

export interface CaseResult {
  name: string;
  file: string;
  line: number;
  failures: string[];
  ms: number;
}

export interface FileResult {
  file: string;
  /** A problem with the file itself (its YAML, its config): no case ran. */
  error: TestFileError | null;
  kind?: 'source' | 'sink';
  cases: CaseResult[];
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Runs every case of one test file. Never throws for the user's mistakes: they are in the result. */
export async function runTestFile(path: string, registry: PluginRegistry): Promise<FileResult> {
  let file: TestFile;
  try {
    file = await loadTestFile(path);
  } catch (e) {
    if (e instanceof TestFileError) return { file: path, error: e, cases: [] };
    throw e;
  }
  let pipeline: Pipeline;
  try {
    pipeline = Pipeline.build(registry, file.config, file.worker);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const p = e.problems[0]!;
    const at = configKeyLine(file.configSource, p.key) ?? { file: path, line: file.source.lineOf(['config']) };
    return {
      file: path,
      error: new TestFileError(at.file, at.line, p.key ? `${p.key}: ${p.message}` : p.message),
      cases: [],
    };
  }
  const cases: CaseResult[] = [];
  try {
    for (const c of file.cases) cases.push(await runCase(file, pipeline, c));
  } finally {
    pipeline.close();
  }
  return { file: path, error: null, kind: pipeline.kind, cases };
}

async function runCase(file: TestFile, pipeline: Pipeline, c: CaseSpec): Promise<CaseResult> {
  const started = Date.now();
  const result: CaseResult = { name: c.name, file: file.source.path, line: c.line, failures: [], ms: 0 };
  let outcomes: Outcome[];
  try {
    outcomes = await pipeline.run(c.input);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const line = file.source.lineOf([...c.path, 'input', e.input, e.field]);
    result.failures.push(`${file.source.path}:${line}: input ${e.input}: ${e.message}`);
    result.ms = Date.now() - started;
    return result;
  }
  const outputs = outcomes.flatMap((o) => (o.kind === 'output' ? [o.record] : []));
  const filtered = outcomes.flatMap((o) => (o.kind === 'filtered' ? [o.input] : []));
  const errors = outcomes.flatMap((o) =>
    o.kind === 'error' ? [{ input: o.input, stage: o.stage, error: o.error, outcome: o.outcome }] : [],
  );
  const fail = (msg: string) => result.failures.push(msg);

  if (c.expect) {
    const d = difference(c.expect, outputs, c.match);
    if (d !== null)
      fail(`records out (${outputs.length}) differ from expect (${c.expect.length}), ${c.match} match:\n${d}`);
  }
  if (c.filtered !== undefined) {
    const got = typeof c.filtered === 'number' ? filtered.length : filtered;
    const d = difference(c.filtered, got, 'exact');
    if (d !== null)
      fail(`filtered: expected ${JSON.stringify(c.filtered)}, got ${JSON.stringify(got)} (input positions from 0)`);
  }
  if (c.errors) {
    const want = c.errors.map((e) =>
      typeof e.error === 'string' ? { ...e, error: { $regex: escapeRegex(e.error) } } : e,
    );
    const d = difference(want, errors, 'partial');
    if (d !== null) fail(`errors differ (error text matches as a substring):\n${d}`);
  } else {
    for (const e of errors)
      fail(
        `input ${e.input} failed at ${e.stage} (${e.outcome}): ${e.error}\n  (expect it with errors: [{ input: ${e.input}, error: "…" }])`,
      );
  }
  for (const a of c.assert ?? []) {
    try {
      const why = checkAssertion(outputs, a);
      if (why) fail(`assert ${why}`);
    } catch (e) {
      fail(
        `${file.source.path}:${file.source.lineOf([...c.path, 'assert', c.assert!.indexOf(a)])}: ${(e as Error).message}`,
      );
    }
  }
  result.ms = Date.now() - started;
  return result;
}
