// Hands a cluster's connectors from tributary workers to Kafka Connect 3.9 (jars from Maven Central through
// bench/debezium.mjs): a tributary cluster runs a file source and a file sink, stops; a Java
// ConnectDistributed worker (another group, the same config, offset and status topics, on the Kafka of
// test/services) then starts the tasks from the task configs tributary wrote (task.class, topics) and the
// source resumes from tributary's offsets. Prints what the sink file holds.
//   npx node bench/connect-handoff.mjs        (BENCH_JAVA_STDERR=1: Kafka Connect's log)
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BROKER, CONNECT_VERSION, connectLib } from './debezium.mjs';
import { freePort, post, ROOT, waitUntil } from './lib.mjs';

const { startDistributed } = await import(pathToFileURL(join(ROOT, 'packages/connect-runtime/dist/index.js')).href);
const { plugins } = await import(pathToFileURL(join(ROOT, 'connectors/file/dist/index.js')).href);

const group = `handoff-${Date.now()}`;
const dir = mkdtempSync(join(tmpdir(), 'connect-handoff-'));
const input = join(dir, 'in.txt');
const output = join(dir, 'out.txt');
const lines = () => readFileSync(output, 'utf8').split('\n').filter(Boolean);
const props = (port, groupId) => ({
  listeners: `http://127.0.0.1:${port}`,
  'bootstrap.servers': BROKER,
  'group.id': groupId,
  'config.storage.topic': `${group}-configs`,
  'offset.storage.topic': `${group}-offsets`,
  'status.storage.topic': `${group}-status`,
  'config.storage.replication.factor': '1',
  'offset.storage.replication.factor': '1',
  'status.storage.replication.factor': '1',
  'offset.flush.interval.ms': '1000',
  'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
  'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
});

writeFileSync(input, 'one\ntwo\n');
const oursPort = await freePort();
const ours = await startDistributed({ props: props(oursPort, group), plugins });
await waitUntil(async () => (await fetch(`${ours.url}/health`)).status === 200, 60_000, 200);
await post(`${ours.url}/connectors`, {
  name: 'handoff-src',
  config: { 'connector.class': 'FileStreamSource', file: input, topic: `${group}-lines` },
});
await post(`${ours.url}/connectors`, {
  name: 'handoff-sink',
  config: { 'connector.class': 'FileStreamSink', file: output, topics: `${group}-lines` },
});
await waitUntil(async () => lines().length === 2, 60_000, 100);
const taskConfig = (await (await fetch(`${ours.url}/connectors/handoff-sink/tasks`)).json())[0].config;
await new Promise((r) => setTimeout(r, 1500)); // one offset flush
await ours.stop();
console.log(`tributary cluster: 2 lines delivered, sink task config ${JSON.stringify(taskConfig)}; stopped`);

appendFileSync(input, 'three\nfour\n');
const javaPort = await freePort();
const workerFile = join(dir, 'java.properties');
writeFileSync(
  workerFile,
  Object.entries(props(javaPort, `${group}-java`))
    .map(([k, v]) => `${k}=${v}`)
    .join('\n'),
);
const log4j = join(dir, 'log4j.properties');
writeFileSync(
  log4j,
  'log4j.rootLogger=INFO, stderr\nlog4j.appender.stderr=org.apache.log4j.ConsoleAppender\nlog4j.appender.stderr.Target=System.err\n' +
    'log4j.appender.stderr.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n\n',
);
const started = Date.now();
const java = spawn(
  'java',
  [
    '-Xmx512m',
    `-Dlog4j.configuration=file:${log4j}`,
    '-cp',
    `${connectLib()}/*`,
    'org.apache.kafka.connect.cli.ConnectDistributed',
    workerFile,
  ],
  { stdio: ['ignore', 'ignore', process.env.BENCH_JAVA_STDERR ? 'inherit' : 'ignore'] },
);
try {
  await waitUntil(async () => lines().length >= 4, 180_000, 200);
  await new Promise((r) => setTimeout(r, 3000)); // anything replayed would arrive by now
  const status = await (await fetch(`http://127.0.0.1:${javaPort}/connectors?expand=status`)).json();
  const tasks = Object.fromEntries(
    Object.entries(status).map(([n, s]) => [n, s.status.tasks.map((t) => t.state).join(',')]),
  );
  const got = lines();
  console.log(
    `Kafka Connect ${CONNECT_VERSION}: tasks ${JSON.stringify(tasks)}, resumed in ${((Date.now() - started) / 1000).toFixed(1)} s (JVM start included)`,
  );
  console.log(
    `sink file: ${JSON.stringify(got)} — ${got.length === 4 && new Set(got).size === 4 ? 'every line once' : 'NOT every line once'}`,
  );
} finally {
  java.kill('SIGTERM');
}
