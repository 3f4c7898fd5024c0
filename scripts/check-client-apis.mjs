#!/usr/bin/env node
// Fails when the runtime or a connector reaches into a client library's private parts: symbol-keyed
// members (kafkajs' `private:` symbols, @platformatic/kafka's `k…` symbols), deep imports past a
// package's exports map, or patching a client object's methods. Clients are used through their
// public API only; where one cannot do what we need, we choose another.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const RULES = [
  [/getOwnPropertySymbols|['"]private:/, "reads a library's private symbols"],
  [
    /from '@platformatic\/kafka\/|from 'kafkajs\/|from 'pg\/lib\/|from 'cassandra-driver\/lib\//,
    "imports past a package's public entry",
  ],
  [
    /import\s*\{[^}]*\bk[A-Z]\w*[^}]*\}\s*from '@platformatic\/kafka'/,
    "imports @platformatic/kafka's internal symbols",
  ],
  [/as unknown as \{\s*(connection|_\w+)\??\s*:/, "reaches a client's undeclared member through a cast"],
  [/\.(findGroupCoordinator|send|fetch|connect|request)\s*=\s*(async\s*)?(\(|function)/, 'patches a client method'],
];

function* sources(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* sources(p);
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) yield p;
  }
}

const roots = ['packages', 'connectors'].flatMap((d) => readdirSync(join(root, d)).map((p) => join(root, d, p, 'src')));
let found = 0;
for (const r of roots) {
  try {
    statSync(r);
  } catch {
    continue;
  }
  for (const file of sources(r)) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        for (const [re, what] of RULES) {
          if (re.test(line)) {
            found++;
            console.error(`${relative(root, file)}:${i + 1}: ${what}: ${line.trim()}`);
          }
        }
      });
  }
}
if (found > 0) process.exit(1);
console.log('client libraries are used through their public APIs only');
