#!/usr/bin/env node
// Bundles the console (Preact, JSX) into dist/ with esbuild: one script, one stylesheet, one page.
// Run by the root `npm run build`; nothing is fetched at run time.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const dist = join(here, 'dist');
mkdirSync(dist, { recursive: true });
await build({
  entryPoints: [join(here, 'src/main.tsx')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outfile: join(dist, 'console.js'),
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync(join(here, 'src/index.html'), join(dist, 'index.html'));
copyFileSync(join(here, 'src/console.css'), join(dist, 'console.css'));
const size = (f) => statSync(join(dist, f)).size;
if (process.argv.includes('--size'))
  console.log(`console.js ${size('console.js')} B, console.css ${size('console.css')} B`);
