#!/usr/bin/env node
// Runs every compiled test file with node's built-in test runner.
//   --unit   only the unit tests, no real servers: beside the code (packages/*, connectors/*), and test/unit/
//            (suites shared across packages, e.g. the log contract run on the embedded log)
//   --e2e    only the end-to-end tests under test/e2e/
// Extra arguments that are not flags are path filters (substring match).
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const e2eOnly = args.includes('--e2e');
const filters = args.filter((a) => !a.startsWith('--'));

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const unitRoots = ['packages', 'connectors'].flatMap((d) =>
  existsSync(join(root, d)) ? readdirSync(join(root, d)).map((p) => join(root, d, p, 'dist')) : [],
);
let files = [];
if (!e2eOnly) files.push(...unitRoots.flatMap((d) => walk(d)), ...walk(join(root, 'test', 'dist', 'unit')));
if (!unitOnly) files.push(...walk(join(root, 'test', 'dist', 'e2e')));
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
files = files.map((f) => relative(root, f)).sort();
if (files.length === 0) {
  console.error('no test files found (did the build run?)');
  process.exit(1);
}
// --test-force-exit: a file whose tests are over exits even if a handle stays open (a writer left running by a
// failed test once kept a file's process, and so the whole run, waiting forever).
const nodeArgs = ['--test', '--test-concurrency=1', '--test-force-exit', '--test-reporter=spec'];
const res = spawnSync(process.execPath, [...nodeArgs, ...files], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(res.status ?? 1);
