#!/usr/bin/env node
// Installs dependencies when a fresh clone has none yet, so `npm start` and `npm test` work first time.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
if (!existsSync(`${root}node_modules/.package-lock.json`)) {
  console.log('Installing dependencies (first run)…');
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: root,
    stdio: 'inherit',
  });
  process.exit(r.status ?? 1);
}
