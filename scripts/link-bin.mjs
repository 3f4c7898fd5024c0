#!/usr/bin/env node
// After a build: make the CLI executable and linked as node_modules/.bin/tributary, so `npx tributary`
// works on a fresh clone (npm links workspace bins at install time, before dist/ exists).
import { chmodSync, existsSync, lstatSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const main = join(root, 'packages/cli/dist/main.js');
if (existsSync(main)) chmodSync(main, 0o755);
const bin = join(root, 'node_modules/.bin');
const link = join(bin, 'tributary');
let present = false;
try {
  present = lstatSync(link).isSymbolicLink() || true;
} catch {
  present = false;
}
if (!present && existsSync(join(root, 'node_modules'))) {
  mkdirSync(bin, { recursive: true });
  symlinkSync('../@tributary/cli/dist/main.js', link);
}
