// Real Debezium for side-by-side runs: io.debezium:debezium-connector-postgres (3.0.x) and Apache Kafka
// Connect 3.9, both resolved from Maven Central with a generated pom + `mvn dependency:copy-dependencies`
// into ~/.cache/tributary/dist (nothing of them is committed), and a ConnectStandalone JVM that runs one
// PostgresConnector against the real Kafka of test/services.
//   import { startDebezium } from './debezium.mjs';
//   const dbz = await startDebezium({ dir, name, config }); ... await dbz.stop();
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitUntil } from './lib.mjs';

export const CONNECT_VERSION = '3.9.2';
export const DEBEZIUM_VERSION = process.env.DEBEZIUM_VERSION ?? '3.0.8.Final'; // latest 3.0.x on Maven Central
export const BROKER = '127.0.0.1:9092';
const CACHE = process.env.TRIBUTARY_CACHE ?? join(homedir(), '.cache/tributary');

const dep = (g, a, v) =>
  `<dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`;

/** Resolves `deps` (runtime scope, transitively) into <cache>/dist/<name>/lib once; returns that lib dir. */
function resolveOnce(name, deps) {
  const home = join(CACHE, 'dist', name);
  if (existsSync(join(home, '.complete'))) return join(home, 'lib');
  const tmp = `${home}.tmp.${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(
    join(tmp, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>local.tributary</groupId><artifactId>${name.replace(/[^A-Za-z0-9.-]/g, '-')}</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>${deps.map((d) => dep(...d)).join('\n  ')}</dependencies></project>`,
  );
  console.error(`resolving ${name} from Maven Central into ${home} (first run only)`);
  mkdirSync(CACHE, { recursive: true });
  execFileSync(
    'flock',
    [
      join(CACHE, '.mvn.lock'),
      'mvn',
      '-B',
      '-q',
      '-f',
      join(tmp, 'pom.xml'),
      'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${join(tmp, 'lib')}`,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  writeFileSync(join(tmp, '.complete'), '');
  rmSync(home, { recursive: true, force: true });
  renameSync(tmp, home);
  return join(home, 'lib');
}

/** Kafka Connect's runtime jars (the same cache entry bench/kafka-source.mjs fills). */
export function connectLib() {
  return resolveOnce(`connect-${CONNECT_VERSION}`, [
    ['org.apache.kafka', 'connect-runtime', CONNECT_VERSION],
    ['org.apache.kafka', 'connect-file', CONNECT_VERSION],
    ['org.apache.kafka', 'connect-json', CONNECT_VERSION],
    ['org.slf4j', 'slf4j-reload4j', '1.7.36'],
  ]);
}

/** Kafka's MirrorMaker 2 connectors (connect-mirror), a Java plugin Tributary does not have. */
export function connectMirrorLib() {
  return resolveOnce(`connect-mirror-${CONNECT_VERSION}`, [['org.apache.kafka', 'connect-mirror', CONNECT_VERSION]]);
}

/**
 * The Debezium PostgreSQL plugin with its runtime dependencies (Kafka's own jars are `provided` and so
 * left out), laid out as a plugin.path directory: <cache>/dist/debezium-<ver>/plugins/debezium-connector-postgres.
 * Returns the plugins directory.
 */
export function debeziumPluginPath() {
  const home = join(CACHE, 'dist', `debezium-${DEBEZIUM_VERSION}`);
  const plugins = join(home, 'plugins');
  if (existsSync(join(home, '.complete'))) return plugins;
  const lib = resolveOnce(`debezium-${DEBEZIUM_VERSION}.lib`, [
    ['io.debezium', 'debezium-connector-postgres', DEBEZIUM_VERSION],
  ]);
  const tmp = `${home}.tmp.${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'plugins'), { recursive: true });
  renameSync(lib, join(tmp, 'plugins', 'debezium-connector-postgres'));
  rmSync(join(CACHE, 'dist', `debezium-${DEBEZIUM_VERSION}.lib`), { recursive: true, force: true });
  writeFileSync(join(tmp, '.complete'), '');
  rmSync(home, { recursive: true, force: true });
  renameSync(tmp, home);
  return plugins;
}

const LOG4J =
  'log4j.rootLogger=WARN, stderr\nlog4j.appender.stderr=org.apache.log4j.ConsoleAppender\n' +
  'log4j.appender.stderr.Target=System.err\nlog4j.appender.stderr.layout=org.apache.log4j.PatternLayout\n' +
  'log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n\n';

/**
 * Starts ConnectStandalone (JsonConverter with schemas for keys and values, as our workers run) with the
 * Debezium plugin on plugin.path, and creates one connector over REST. Returns { child, url, stop() }.
 * `workerProps` adds or overrides worker settings; `heap` is the JVM's -Xmx.
 */
export async function startDebezium({
  dir,
  name,
  config,
  workerProps = {},
  heap = '1g',
  stderr = process.env.BENCH_JAVA_STDERR ? 'inherit' : 'ignore',
}) {
  const lib = connectLib();
  const pluginPath = debeziumPluginPath();
  const port = await freePort();
  const props = {
    'bootstrap.servers': BROKER,
    listeners: `http://127.0.0.1:${port}`,
    'offset.storage.file.filename': join(dir, `${name}.offsets`),
    'offset.flush.interval.ms': '1000',
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable': 'true',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'true',
    'plugin.path': pluginPath,
    ...workerProps,
  };
  const workerFile = join(dir, `${name}-worker.properties`);
  writeFileSync(
    workerFile,
    Object.entries(props)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
  );
  const log4j = join(dir, `${name}-log4j.properties`);
  writeFileSync(log4j, LOG4J);
  const child = spawn(
    'java',
    [
      `-Xms256m`,
      `-Xmx${heap}`,
      `-Dlog4j.configuration=file:${log4j}`,
      '-cp',
      `${lib}/*`,
      'org.apache.kafka.connect.cli.ConnectStandalone',
      workerFile,
    ],
    { stdio: ['ignore', 'ignore', stderr] },
  );
  const url = `http://127.0.0.1:${port}`;
  const alive = () => child.exitCode === null && child.signalCode === null;
  await waitUntil(
    async () => {
      if (!alive()) throw new Error('Kafka Connect exited during start-up (BENCH_JAVA_STDERR=1 shows why)');
      return (await fetch(`${url}/connectors`)).ok;
    },
    180_000,
    200,
  ).catch((err) => {
    child.kill('SIGKILL');
    throw err;
  });
  const res = await fetch(`${url}/connectors`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, config }),
  });
  if (res.status >= 300) {
    child.kill('SIGKILL');
    throw new Error(`creating ${name} in Kafka Connect: ${res.status} ${await res.text()}`);
  }
  return {
    child,
    url,
    alive,
    /** The task's state and trace, or null before it exists. */
    async taskStatus() {
      const r = await fetch(`${url}/connectors/${name}/status`);
      if (!r.ok) return null;
      return (await r.json()).tasks?.[0] ?? null;
    },
    async stop() {
      if (!alive()) return;
      await fetch(`${url}/connectors/${name}`, { method: 'DELETE' }).catch(() => {});
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await new Promise((r) => child.once('exit', r));
      clearTimeout(t);
    },
  };
}

/**
 * Starts one Kafka Connect ConnectDistributed worker (JsonConverter with schemas, the Debezium plugin on
 * plugin.path) in `group` with the internal topics `<group>-configs|offsets|status` on the Kafka of
 * test/services, and waits for its REST API; `mirror` adds MirrorMaker 2's connectors to its class path.
 * Returns { child, url, alive(), stop() }; nothing is created.
 */
export async function startConnectDistributed({
  dir,
  group,
  workerProps = {},
  mirror = false,
  heap = '768m',
  stderr = process.env.BENCH_JAVA_STDERR ? 'inherit' : 'ignore',
}) {
  const lib = connectLib();
  const port = await freePort();
  const props = {
    'bootstrap.servers': BROKER,
    listeners: `http://127.0.0.1:${port}`,
    'group.id': group,
    'config.storage.topic': `${group}-configs`,
    'offset.storage.topic': `${group}-offsets`,
    'status.storage.topic': `${group}-status`,
    'config.storage.replication.factor': '1',
    'offset.storage.replication.factor': '1',
    'status.storage.replication.factor': '1',
    'offset.flush.interval.ms': '1000',
    'scheduled.rebalance.max.delay.ms': '1000',
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable': 'true',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'true',
    'plugin.path': debeziumPluginPath(),
    ...workerProps,
  };
  const workerFile = join(dir, `${group}-worker.properties`);
  writeFileSync(
    workerFile,
    Object.entries(props)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
  );
  const log4j = join(dir, `${group}-log4j.properties`);
  writeFileSync(log4j, LOG4J);
  const child = spawn(
    'java',
    [
      '-Xms256m',
      `-Xmx${heap}`,
      `-Dlog4j.configuration=file:${log4j}`,
      '-cp',
      mirror ? `${lib}/*:${connectMirrorLib()}/*` : `${lib}/*`,
      'org.apache.kafka.connect.cli.ConnectDistributed',
      workerFile,
    ],
    { stdio: ['ignore', 'ignore', stderr] },
  );
  const url = `http://127.0.0.1:${port}`;
  const alive = () => child.exitCode === null && child.signalCode === null;
  // The REST API answers before the worker joined its group; /connectors answers 200 once it has.
  await waitUntil(
    async () => {
      if (!alive()) throw new Error('Kafka Connect exited during start-up (BENCH_JAVA_STDERR=1 shows why)');
      return (await fetch(`${url}/connectors`)).ok;
    },
    180_000,
    200,
  ).catch((err) => {
    child.kill('SIGKILL');
    throw err;
  });
  return {
    child,
    url,
    alive,
    async stop() {
      if (!alive()) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await new Promise((r) => child.once('exit', r));
      clearTimeout(t);
    },
  };
}

// `node bench/debezium.mjs` only resolves the jars (e.g. to warm the cache).
if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(connectLib());
  console.log(debeziumPluginPath());
}
