#!/usr/bin/env node
// `npm start`: a standalone worker with a demo pipeline on the embedded log.
// A writer appends a line per second to data/demo/input.txt; the file source reads it into topic
// demo-lines; the file sink writes the topic to data/demo/output.txt.
import { appendFileSync, mkdirSync } from 'node:fs';
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
process.chdir(root);
mkdirSync('data/demo', { recursive: true });
appendFileSync('data/demo/input.txt', '');

const worker = spawn(
  'packages/cli/dist/main.js',
  ['standalone', 'config/demo-worker.properties', 'config/demo-file-source.json', 'config/demo-file-sink.json'],
  {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, TRIBUTARY_LOG_LEVEL: process.env.TRIBUTARY_LOG_LEVEL ?? 'warn' },
  },
);

let n = 0;
const writer = setInterval(() => {
  appendFileSync('data/demo/input.txt', `line ${++n} written at ${new Date().toISOString()}\n`);
}, 1000);

console.log(`
Tributary demo: a worker is starting on http://127.0.0.1:8083 with the embedded log in data/demo/log.

  pipeline   data/demo/input.txt -> demo-file-source -> topic demo-lines -> demo-file-sink -> data/demo/output.txt
  watch it   tail -f data/demo/output.txt
  status     curl -s localhost:8083/connectors?expand=status
  the topic  npx tributary consume demo-lines --log-dir data/demo/log --from-beginning --timeout-ms 2000
  your own   curl -s -X POST -H 'Content-Type: application/json' --data @config/demo-file-sink.json localhost:8083/connectors
             (change "name" and "file" first), or: npx tributary create -f my-connector.json

Ctrl-C stops the worker.
`);

const stop = () => {
  clearInterval(writer);
  worker.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
worker.on('exit', (code) => {
  clearInterval(writer);
  process.exit(code ?? 0);
});
