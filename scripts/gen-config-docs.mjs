#!/usr/bin/env node
// Regenerates the config tables in READMEs from the plugins' config declarations.
// A table sits between `<!-- config:CLASS -->` and `<!-- /config -->` (CLASS = plugin class or alias,
// or `worker` for the worker's own keys). With --check, exits 1 when a README is out of date.
import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const check = process.argv.includes('--check');
const imp = (p) => import(pathToFileURL(join(root, p)).href);

const { configTable } = await imp('packages/connect-api/dist/index.js');
const { workerConfigDef, distributedConfigDef, autoRestartConfigDef } = await imp(
  'packages/connect-runtime/dist/index.js',
);
const { builtinPlugins } = await imp('packages/cli/dist/index.js');
const { plugins: converterPlugins } = await imp('packages/connect-converters/dist/index.js');
const { plugins: transformPlugins } = await imp('packages/connect-transforms/dist/index.js');
const all = [...builtinPlugins, ...converterPlugins, ...transformPlugins];

function defFor(name) {
  if (name === 'worker') return workerConfigDef;
  if (name === 'distributed') return distributedConfigDef;
  if (name === 'auto-restart') return autoRestartConfigDef;
  const d = all.find((p) => p.class === name || (p.aliases ?? []).includes(name));
  if (!d) throw new Error(`no plugin named ${name}`);
  const inst = d.create();
  return inst.config ? inst.config() : null;
}

const readmes = [
  'README.md',
  ...['packages', 'connectors'].flatMap((d) => readdirSync(join(root, d)).map((p) => join(d, p, 'README.md'))),
].filter((p) => existsSync(join(root, p)));

let stale = [];
for (const rel of readmes) {
  const path = join(root, rel);
  const text = readFileSync(path, 'utf8');
  const next = text.replace(/(<!-- config:([^ ]+) -->\n)[\s\S]*?(<!-- \/config -->)/g, (_m, open, name, close) => {
    const def = defFor(name);
    return `${open}${def ? configTable(def) : '_no settings_'}\n${close}`;
  });
  if (next !== text) {
    stale.push(rel);
    if (!check) writeFileSync(path, next);
  }
}
if (check && stale.length) {
  console.error(`config tables out of date in: ${stale.join(', ')} — run npm run docs`);
  process.exit(1);
}
console.log(
  check
    ? 'config tables up to date'
    : `config tables written${stale.length ? `: ${stale.join(', ')}` : ' (no change)'}`,
);
