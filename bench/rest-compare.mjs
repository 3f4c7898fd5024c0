// The REST API side by side: every request below goes to Apache Kafka Connect 3.9 (ConnectStandalone with
// the file connectors, jars from Maven Central through bench/debezium.mjs, on the Kafka of test/services)
// and to a tributary standalone worker; the script prints both statuses and whether the replies match.
//   npx node bench/rest-compare.mjs            compare and print
//   npx node bench/rest-compare.mjs --write    also write Connect's replies to test/e2e/golden/rest-api.json,
//                                              which test/e2e/rest-api-golden.test.ts replays against our worker
// A case with `deviation` is one where Connect answers 500 because of its own bug; we keep a 4xx there
// (listed in the README's compatibility section) and the golden file records both.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROKER, CONNECT_VERSION, connectLib } from './debezium.mjs';
import { freePort, ROOT, startWorker, table, waitUntil } from './lib.mjs';

// The matching rules the golden test uses (built by `npm run build`).
const { matches } = await import(new URL('../test/dist/e2e/rest-api-golden-match.js', import.meta.url).href);

const JSON_TYPE = { 'content-type': 'application/json' };
const TOPIC = 'rest-compare-lines';
const LONG = 'n'.repeat(300);
const sinkCfg = (file) => ({ 'connector.class': 'FileStreamSink', file: `<dir>/${file}`, topics: TOPIC });
const create = (name, config) => ({
  method: 'POST',
  path: '/connectors',
  headers: JSON_TYPE,
  body: JSON.stringify({ name, config }),
});

// Each case: [id, request, mode (how replies are compared: test/e2e/rest-api-golden-match.ts), deviation?].
const SETUP = [
  [
    'create-source',
    create('src', { 'connector.class': 'FileStreamSource', file: '<dir>/in.txt', topic: TOPIC }),
    'exact',
  ],
  ['create-sink', create('snk', sinkCfg('out.txt')), 'exact'],
  [
    'create-sink-regex',
    create('snkre', {
      'connector.class': 'FileStreamSink',
      file: '<dir>/out2.txt',
      'topics.regex': 'rest-compare-.*',
      'tasks.max': '2',
    }),
    'exact',
  ],
];
const CASES = [
  ['loggers-list', { method: 'GET', path: '/admin/loggers' }, 'exact'],
  ['loggers-get-root', { method: 'GET', path: '/admin/loggers/root' }, 'exact'],
  ['loggers-get-unknown', { method: 'GET', path: '/admin/loggers/no.such.logger' }, 'exact'],
  [
    'loggers-put-worker',
    { method: 'PUT', path: '/admin/loggers/connector.src?scope=worker', headers: JSON_TYPE, body: '{"level":"DEBUG"}' },
    'includes',
  ],
  ['loggers-get-after-put', { method: 'GET', path: '/admin/loggers/connector.src' }, 'exact'],
  [
    'loggers-put-lowercase',
    { method: 'PUT', path: '/admin/loggers/connector.src', headers: JSON_TYPE, body: '{"level":"warn"}' },
    'includes',
  ],
  ['loggers-get-lowercase', { method: 'GET', path: '/admin/loggers/connector.src' }, 'exact'],
  [
    'loggers-put-cluster',
    { method: 'PUT', path: '/admin/loggers/connector.src?scope=cluster', headers: JSON_TYPE, body: '{"level":"INFO"}' },
    'exact',
  ],
  [
    'loggers-put-bad-level',
    { method: 'PUT', path: '/admin/loggers/connector.src', headers: JSON_TYPE, body: '{"level":"LOUD"}' },
    'exact',
  ],
  [
    'loggers-put-no-level',
    { method: 'PUT', path: '/admin/loggers/connector.src', headers: JSON_TYPE, body: '{}' },
    'exact',
  ],
  [
    'loggers-put-null-level',
    { method: 'PUT', path: '/admin/loggers/connector.src', headers: JSON_TYPE, body: '{"level":null}' },
    'exact',
  ],
  [
    'loggers-put-no-body',
    { method: 'PUT', path: '/admin/loggers/connector.src', headers: JSON_TYPE },
    'exact',
    { status: 400, body: { error_code: 400, message: "Desired 'level' parameter was not specified in request." } },
  ],
  ['tasks-source', { method: 'GET', path: '/connectors/src/tasks' }, 'tasks'],
  ['tasks-sink', { method: 'GET', path: '/connectors/snk/tasks' }, 'tasks'],
  ['tasks-sink-regex', { method: 'GET', path: '/connectors/snkre/tasks' }, 'tasks'],
  ['tasks-config-sink', { method: 'GET', path: '/connectors/snk/tasks-config' }, 'tasks'],
  ['tasks-config-sink-regex', { method: 'GET', path: '/connectors/snkre/tasks-config' }, 'tasks'],
  ['topics-unknown', { method: 'GET', path: '/connectors/nope/topics' }, 'exact'],
  ['topics-reset-unknown', { method: 'PUT', path: '/connectors/nope/topics/reset' }, 'exact'],
  ['task-status-negative', { method: 'GET', path: '/connectors/src/tasks/-1/status' }, 'exact'],
  ['task-restart-negative', { method: 'POST', path: '/connectors/src/tasks/-1/restart' }, 'exact'],
  ['task-status-not-a-number', { method: 'GET', path: '/connectors/src/tasks/abc/status' }, 'exact'],
  ['task-status-missing', { method: 'GET', path: '/connectors/src/tasks/5/status' }, 'exact'],
  ...[
    ['DELETE', '/connectors'],
    ['PUT', '/connectors'],
    ['POST', '/connectors/src'],
    ['GET', '/connectors/src/pause'],
    ['DELETE', '/connectors/src/status'],
    ['POST', '/connector-plugins'],
    ['GET', '/connectors/src/restart'],
    ['PUT', '/'],
    ['POST', '/health'],
    ['DELETE', '/admin/loggers/root'],
    ['POST', '/admin/loggers'],
    ['PATCH', '/connectors/src/tasks'],
  ].map(([method, path]) => [`405-${method}${path.replaceAll('/', '-')}`, { method, path }, 'exact']),
  ['options-connectors', { method: 'OPTIONS', path: '/connectors' }, 'allow'],
  ['options-connector', { method: 'OPTIONS', path: '/connectors/src' }, 'allow'],
  ['options-loggers', { method: 'OPTIONS', path: '/admin/loggers' }, 'allow'],
  ['options-unknown-path', { method: 'OPTIONS', path: '/no/such/path' }, 'exact'],
  ['delete-unknown-path', { method: 'DELETE', path: '/no/such/path' }, 'exact'],
  [
    '415-text-plain',
    {
      method: 'POST',
      path: '/connectors',
      headers: { 'content-type': 'text/plain' },
      body: '{"name":"x","config":{}}',
    },
    'exact',
  ],
  [
    '415-form',
    {
      method: 'POST',
      path: '/connectors',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '{"name":"x","config":{}}',
    },
    'exact',
  ],
  [
    '415-xml',
    { method: 'POST', path: '/connectors', headers: { 'content-type': 'application/xml' }, body: '<a/>' },
    'exact',
  ],
  [
    '415-pause-text',
    { method: 'PUT', path: '/connectors/src/pause', headers: { 'content-type': 'text/plain' }, body: 'x' },
    'exact',
  ],
  [
    '415-config-text',
    { method: 'PUT', path: '/connectors/src/config', headers: { 'content-type': 'text/plain' }, body: 'x' },
    'exact',
  ],
  [
    '415-resume-form-empty',
    {
      method: 'PUT',
      path: '/connectors/src/resume',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    },
    'exact',
  ],
  ['pause-no-content-type', { method: 'PUT', path: '/connectors/src/pause' }, 'exact'],
  [
    'resume-json-charset',
    { method: 'PUT', path: '/connectors/src/resume', headers: { 'content-type': 'application/json; charset=utf-8' } },
    'exact',
  ],
  [
    'malformed-json',
    { method: 'POST', path: '/connectors', headers: JSON_TYPE, body: '{"name": "x", ' },
    'status',
    { status: 400 },
  ],
  ['array-body', { method: 'POST', path: '/connectors', headers: JSON_TYPE, body: '[1]' }, 'status', { status: 400 }],
  [
    'string-body',
    { method: 'POST', path: '/connectors', headers: JSON_TYPE, body: '"str"' },
    'status',
    { status: 400 },
  ],
  [
    'malformed-json-put-config',
    { method: 'PUT', path: '/connectors/src/config', headers: JSON_TYPE, body: '{"a": ' },
    'status',
    { status: 400 },
  ],
  ['name-trimmed', create('  padded  ', sinkCfg('padded.txt')), 'exact'],
  ['name-control-char', create('bad\u0001name', sinkCfg('x.txt')), 'exact'],
  ['name-tab', create('tab\tname', sinkCfg('x.txt')), 'exact'],
  ['name-newline', create('nl\nname', sinkCfg('x.txt')), 'exact'],
  ['name-del', create('del\u007fname', sinkCfg('x.txt')), 'exact'],
  ['name-blank', create('   ', sinkCfg('x.txt')), 'exact'],
  [
    'name-missing',
    { method: 'POST', path: '/connectors', headers: JSON_TYPE, body: JSON.stringify({ config: sinkCfg('x.txt') }) },
    'exact',
  ],
  [
    'name-spaces-in-url',
    { method: 'PUT', path: '/connectors/%20sp%20/config', headers: JSON_TYPE, body: JSON.stringify(sinkCfg('sp.txt')) },
    'exact',
  ],
  ['name-long-create', create(LONG, sinkCfg('long.txt')), 'exact'],
  ['name-long-status', { method: 'GET', path: `/connectors/${LONG}/status` }, 'status'],
  ['name-long-pause', { method: 'PUT', path: `/connectors/${LONG}/pause` }, 'exact'],
  ['name-long-config', { method: 'GET', path: `/connectors/${LONG}/config` }, 'exact'],
  ['name-long-delete', { method: 'DELETE', path: `/connectors/${LONG}` }, 'exact'],
  ['list', { method: 'GET', path: '/connectors' }, 'set'],
  ['converter-key-unknown', create('cv', { ...sinkCfg('cv.txt'), 'key.converter': 'com.nope.Conv' }), 'exact'],
  [
    'converter-value-unknown',
    create('cv', {
      ...sinkCfg('cv.txt'),
      'value.converter': 'Nope',
      'header.converter': 'org.apache.kafka.connect.json.JsonConverter',
    }),
    'exact',
  ],
  ['converter-header-unknown', create('cv', { ...sinkCfg('cv.txt'), 'header.converter': 'com.nope.H' }), 'exact'],
  [
    'converter-validate',
    {
      method: 'PUT',
      path: '/connector-plugins/FileStreamSinkConnector/config/validate',
      headers: JSON_TYPE,
      body: JSON.stringify({ ...sinkCfg('cv.txt'), name: 'cv', 'key.converter': 'com.nope.Conv' }),
    },
    'validate-errors',
  ],
  ['config-def-sink', { method: 'GET', path: '/connector-plugins/FileStreamSink/config' }, 'config-def'],
  ['config-def-source', { method: 'GET', path: '/connector-plugins/FileStreamSource/config' }, 'config-def'],
  ['unknown-plugin-config', { method: 'GET', path: '/connector-plugins/Nope/config' }, 'exact'],
  ['unknown-delete', { method: 'DELETE', path: '/connectors/nope' }, 'exact'],
  ['unknown-pause', { method: 'PUT', path: '/connectors/nope/pause' }, 'status'],
  ['unknown-resume', { method: 'PUT', path: '/connectors/nope/resume' }, 'status'],
  ['unknown-stop', { method: 'PUT', path: '/connectors/nope/stop' }, 'status', { status: 404 }],
  ['unknown-restart', { method: 'POST', path: '/connectors/nope/restart' }, 'status', { status: 404 }],
  ['unknown-restart-tasks', { method: 'POST', path: '/connectors/nope/restart?includeTasks=true' }, 'status'],
  ['unknown-task-restart', { method: 'POST', path: '/connectors/nope/tasks/0/restart' }, 'status', { status: 404 }],
  ['unknown-tasks', { method: 'GET', path: '/connectors/nope/tasks' }, 'exact'],
  ['unknown-tasks-config', { method: 'GET', path: '/connectors/nope/tasks-config' }, 'exact'],
  ['unknown-offsets', { method: 'GET', path: '/connectors/nope/offsets' }, 'exact'],
  ['unknown-config', { method: 'GET', path: '/connectors/nope/config' }, 'exact'],
  [
    'unknown-patch-config',
    { method: 'PATCH', path: '/connectors/nope/config', headers: JSON_TYPE, body: '{}' },
    'exact',
  ],
  ['unknown-delete-offsets', { method: 'DELETE', path: '/connectors/nope/offsets' }, 'exact'],
].map(([id, request, mode, deviation]) => ({ id, request, mode, ...(deviation ? { deviation } : {}) }));

/** Run-specific parts of a reply (directories, ports, times) become placeholders. */
function normalize(text, dir, port) {
  return text
    .replaceAll(dir, '<dir>')
    .replaceAll(`127.0.0.1:${port}`, '<worker>')
    .replace(/"last_modified":\d+/g, '"last_modified":"<time>"');
}

async function send(url, dir, port, { method, path, headers = {}, body }) {
  const res = await fetch(url + path, {
    method,
    headers,
    body: body === undefined ? undefined : body.replaceAll('<dir>', dir),
  });
  const text = normalize(await res.text(), dir, port);
  let parsed;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, ...(method === 'OPTIONS' ? { allow: res.headers.get('allow') } : {}) };
}

async function startConnect(dir) {
  const port = await freePort();
  const props = {
    'bootstrap.servers': BROKER,
    listeners: `http://127.0.0.1:${port}`,
    'offset.storage.file.filename': join(dir, 'java.offsets'),
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
  };
  const workerFile = join(dir, 'java-worker.properties');
  writeFileSync(
    workerFile,
    Object.entries(props)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
  );
  const log4j = join(dir, 'java-log4j.properties');
  // Connect's root logger at INFO, as its own config/connect-log4j.properties has it.
  writeFileSync(
    log4j,
    'log4j.rootLogger=INFO, stderr\nlog4j.appender.stderr=org.apache.log4j.ConsoleAppender\nlog4j.appender.stderr.Target=System.err\n' +
      'log4j.appender.stderr.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n\n',
  );
  const child = spawn(
    'java',
    [
      '-Xmx512m',
      `-Dlog4j.configuration=file:${log4j}`,
      '-cp',
      `${connectLib()}/*`,
      'org.apache.kafka.connect.cli.ConnectStandalone',
      workerFile,
    ],
    { stdio: ['ignore', 'ignore', process.env.BENCH_JAVA_STDERR ? 'inherit' : 'ignore'] },
  );
  return { child, port, url: `http://127.0.0.1:${port}` };
}

async function startOurs(dir) {
  const port = await freePort();
  const workerFile = join(dir, 'worker.properties');
  writeFileSync(
    workerFile,
    [
      `listeners=http://127.0.0.1:${port}`,
      `embedded.log.dir=${join(dir, 'log')}`,
      `offset.storage.file.filename=${join(dir, 'connect.offsets')}`,
      'key.converter=org.apache.kafka.connect.storage.StringConverter',
      'value.converter=org.apache.kafka.connect.storage.StringConverter',
    ].join('\n'),
  );
  const child = await startWorker(workerFile, { TRIBUTARY_LOG_LEVEL: 'info' });
  return { child, port, url: `http://127.0.0.1:${port}` };
}

async function main() {
  const write = process.argv.includes('--write');
  const javaDir = mkdtempSync(join(tmpdir(), 'rest-compare-java-'));
  const oursDir = mkdtempSync(join(tmpdir(), 'rest-compare-ours-'));
  writeFileSync(join(javaDir, 'in.txt'), 'hello\n');
  writeFileSync(join(oursDir, 'in.txt'), 'hello\n');
  const java = await startConnect(javaDir);
  const ours = await startOurs(oursDir);
  try {
    // Connect answers 404 until its REST resources are up: wait for a 200.
    for (const w of [java, ours])
      await waitUntil(async () => (await fetch(`${w.url}/connectors`)).status === 200, 180_000, 200);
    const rows = [['case', `Connect ${CONNECT_VERSION}`, 'tributary', 'match']];
    const golden = [];
    let differ = 0;
    for (const c of [...SETUP.map(([id, request, mode]) => ({ id, request, mode, setup: true })), ...CASES]) {
      const j = await send(java.url, javaDir, java.port, c.request);
      const o = await send(ours.url, oursDir, ours.port, c.request);
      if (c.setup) await new Promise((r) => setTimeout(r, 1500)); // let the tasks start on both sides
      const ok = matches(c.mode, j, o, c.deviation, c.request.path);
      if (!ok) differ++;
      rows.push([c.id, j.status, o.status, ok ? (c.deviation ? 'kept 4xx' : 'yes') : 'NO']);
      if (!ok && process.env.SHOW_DIFF)
        console.error(
          `# ${c.id}\n  Connect:   ${JSON.stringify(j).slice(0, 600)}\n  tributary: ${JSON.stringify(o).slice(0, 600)}`,
        );
      golden.push({
        id: c.id,
        ...(c.setup ? { setup: true } : {}),
        mode: c.mode,
        request: c.request,
        connect: j,
        ...(c.deviation ? { deviation: c.deviation } : {}),
      });
    }
    console.log(table(rows));
    console.log(
      `\n${golden.length} requests, ${golden.length - differ} answered as Connect ${CONNECT_VERSION} does (or with the 4xx we keep), ${differ} differ.`,
    );
    if (write) {
      const file = join(ROOT, 'test/e2e/golden/rest-api.json');
      writeFileSync(file, JSON.stringify({ connect: CONNECT_VERSION, cases: golden }, null, 1) + '\n');
      console.log(`wrote ${file}`);
    }
  } finally {
    java.child.kill('SIGTERM');
    ours.child.kill('SIGTERM');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
