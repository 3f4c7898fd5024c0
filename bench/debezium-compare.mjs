#!/usr/bin/env node
// bench/debezium-compare: our PostgresConnector and real Debezium (io.debezium:debezium-connector-postgres
// 3.0.x in Apache Kafka Connect 3.9, from Maven Central, see bench/debezium.mjs) capture the same changes of
// a golden set of column types, each with its own slot, publication and topic.prefix, both into the real
// Kafka of test/services with JsonConverter schemas.enable=true. Both topics are then read back with kafkajs
// and compared record by record: topic names (as <prefix>.<schema>.<table>), keys (schema + payload),
// headers, and the value envelopes field by field (schema and payload of before/after/op/transaction and of
// the source block). Values that legitimately differ between runs (times, LSNs, txIds, source.version) are
// compared by kind only (null, number, string, ...). Prints a diff table; exits 1 when differences remain
// beyond the accepted ones listed in ACCEPTED (each also listed in connectors/postgres-cdc/README.md).
//   node bench/debezium-compare.mjs   (BENCH_JAVA_STDERR=1: Kafka Connect's log; SHOW_RUN_DEPENDENT=1: both sides'
//                                      sequence/lsn/txId per record on stderr)
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import pg from 'pg';
import { ROOT, freePort, post, startWorker, table, waitUntil } from './lib.mjs';
import { BROKER, DEBEZIUM_VERSION, startDebezium } from './debezium.mjs';

const require = createRequire(join(ROOT, 'packages/connect-runtime/package.json'));
const { Kafka, logLevel } = require('kafkajs');

const DB = 'dbz_compare';
const PG = { host: '127.0.0.1', port: 55432, user: 'postgres', password: 'postgres' };
const run = Date.now().toString(36);
const PREFIX = { dbz: `cmp_dbz_${run}`, ours: `cmp_ours_${run}` };
const TABLES = ['golden', 'golden_full'];
const dir = await mkdtemp(join(tmpdir(), 'dbz-compare-'));

/** Paths whose values depend on the run: compared by kind (null/number/string/array) only. */
const RUN_DEPENDENT = [
  /^value\.payload\.(ts_ms|ts_us|ts_ns)$/,
  /^value\.payload\.source\.(version|ts_ms|ts_us|ts_ns|txId|lsn|xmin)$/,
  /^value\.payload\.source\.sequence$/,
];
/** Differences we keep on purpose, with the reason (README "Differences from Debezium"). */
const ACCEPTED = [];

execFileSync('bash', [join(ROOT, 'test/services/up.sh'), 'kafka'], { stdio: ['ignore', 'ignore', 'inherit'] });
execFileSync('bash', [join(ROOT, 'test/services/up.sh'), 'postgres'], { stdio: ['ignore', 'ignore', 'inherit'] });

async function sql(database, text, params) {
  const c = new pg.Client({ ...PG, database });
  await c.connect();
  try { return await c.query(text, params); } finally { await c.end(); }
}

const COLUMNS = `id int PRIMARY KEY, i2 int2, i4 int4 NOT NULL DEFAULT 42, i8 int8, num numeric(10,2), bare numeric,
  flag bool NOT NULL, t text, vc varchar(20) DEFAULT 'dflt', ts timestamp, ts3 timestamp(3), tstz timestamptz, d date,
  tm time, u uuid, j json, jb jsonb, b bytea, ints int[], texts text[], m mood`;
const ROW1 = `(1, -7, 2147483647, 9007199254740993, 12.30, 3.14159, true, 'hello', 'v', '2024-01-02 03:04:05.123456',
  '2024-01-02 03:04:05.123', '2024-01-02 03:04:05.5+02', '2024-01-02', '12:34:56.789', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  '{"a": 1}', '{"b": [1, 2]}', '\\x0102ff', '{1,2,NULL}', '{"x y",z}', 'happy')`;
const ROW2 = '(2, NULL, 0, NULL, NULL, NULL, false, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)';
const ROW3 = `(3, 32767, -1, -9223372036854775808, -0.01, -123456789.000123, true, 'quote '' "and" \\ back', 'ü€😀',
  '1969-12-31 23:59:59.999999', '1900-02-28 12:00:00', '1999-12-31 23:59:59.123456-08', '1960-01-01', '00:00:00.000001',
  '00000000-0000-0000-0000-000000000000', '[1, "two", null]', '{"nested": {"k": "v"}, "a": [true]}', '\\x', '{}',
  '{"a,b","c\\"d",NULL,""}', 'sad')`;

/** The changes both connectors capture, per table; returns the number of records each topic should get. */
async function streamChanges(c, tbl) {
  await c.query(`INSERT INTO ${tbl} VALUES ${ROW3}`); // c
  await c.query(`UPDATE ${tbl} SET t = 'uno', num = 99.5, ints = '{7}' WHERE id = 1`); // u
  await c.query(`UPDATE ${tbl} SET id = 20 WHERE id = 2`); // primary key change: d + tombstone + c
  await c.query(`DELETE FROM ${tbl} WHERE id = 3`); // d + tombstone
  await c.query('BEGIN');
  await c.query(`INSERT INTO ${tbl} (id, flag, t) VALUES (4, true, 'in a transaction')`); // c
  await c.query(`UPDATE ${tbl} SET m = 'ok', tm = '23:59:59' WHERE id = 4`); // u
  await c.query('COMMIT');
  await c.query(`INSERT INTO ${tbl} (id, flag, t) SELECT 5, false, string_agg(md5(g::text), '') FROM generate_series(1, 1000) g`); // c (TOASTed t)
  await c.query(`UPDATE ${tbl} SET i2 = 5 WHERE id = 5`); // u with t unchanged and TOASTed
  return 2 /* snapshot */ + 1 + 1 + 3 + 2 + 2 + 2;
}

// A fresh database with the golden tables and two snapshot rows each.
await sql('postgres', `SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = '${DB}' AND active`);
await sql('postgres', `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '${DB}' AND NOT active`);
await sql('postgres', `DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
await sql('postgres', `CREATE DATABASE ${DB}`);
await sql(DB, "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')");
for (const tbl of TABLES) {
  await sql(DB, `CREATE TABLE ${tbl} (${COLUMNS})`);
  await sql(DB, `INSERT INTO ${tbl} VALUES ${ROW1}, ${ROW2}`);
}
await sql(DB, 'ALTER TABLE golden_full REPLICA IDENTITY FULL');

const common = (who) => ({
  'connector.class': 'io.debezium.connector.postgresql.PostgresConnector', 'tasks.max': '1',
  'database.hostname': PG.host, 'database.port': String(PG.port), 'database.user': PG.user, 'database.password': PG.password,
  'database.dbname': DB, 'topic.prefix': PREFIX[who], 'plugin.name': 'pgoutput', 'slot.name': `cmp_${who}`,
  'publication.name': `cmp_${who}_pub`, 'publication.autocreate.mode': 'filtered', 'table.include.list': TABLES.map((t) => `public.${t}`).join(','),
  'snapshot.mode': 'initial', 'slot.drop.on.stop': 'true',
});

async function startOurs() {
  const port = await freePort();
  const workerFile = join(dir, 'ours-worker.properties');
  await writeFile(workerFile, [
    `bootstrap.servers=${BROKER}`, `listeners=http://127.0.0.1:${port}`, `offset.storage.file.filename=${join(dir, 'ours.offsets')}`,
    'offset.flush.interval.ms=1000',
    'key.converter=org.apache.kafka.connect.json.JsonConverter', 'key.converter.schemas.enable=true',
    'value.converter=org.apache.kafka.connect.json.JsonConverter', 'value.converter.schemas.enable=true',
  ].join('\n'));
  const child = await startWorker(workerFile);
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(async () => (await fetch(`${url}/`)).ok, 60_000);
  await post(`${url}/connectors`, { name: 'cmp-ours', config: common('ours') });
  return {
    child,
    async stop() {
      await fetch(`${url}/connectors/cmp-ours`, { method: 'DELETE' }).catch(() => {});
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

const kafka = new Kafka({ clientId: 'debezium-compare', brokers: [BROKER], logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
const topicOf = (who, tbl) => `${PREFIX[who]}.public.${tbl}`;
async function count(topic) {
  try { return (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high) - Number(o.low), 0); } catch { return 0; }
}
const slotActive = async (slot) => (await sql(DB, 'SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot])).rows[0]?.active === true;

let dbz = null;
let ours = null;
let exitCode = 1;
try {
  console.error(`# starting Debezium ${DEBEZIUM_VERSION} in Kafka Connect and a tributary worker (prefixes ${PREFIX.dbz}, ${PREFIX.ours})`);
  [dbz, ours] = await Promise.all([startDebezium({ dir, name: 'cmp-dbz', config: common('dbz') }), startOurs()]);
  // Both snapshots done and both streaming before any change is made.
  await waitUntil(async () => {
    const st = await dbz.taskStatus();
    if (st?.state === 'FAILED') throw Object.assign(new Error(`Debezium task failed: ${st.trace}`), { fatal: true });
    if (ours.child.exitCode !== null) throw Object.assign(new Error('our worker exited'), { fatal: true });
    for (const who of ['dbz', 'ours']) {
      if (!(await slotActive(`cmp_${who}`))) return false;
      for (const tbl of TABLES) if ((await count(topicOf(who, tbl))) < 2) return false;
    }
    return true;
  }, 180_000, 250).catch((err) => { throw err.fatal ? err : new Error('the connectors did not finish their snapshots within 3 minutes'); });

  let expected = 0;
  const c = new pg.Client({ ...PG, database: DB });
  await c.connect();
  for (const tbl of TABLES) expected = await streamChanges(c, tbl);
  await c.end();
  await waitUntil(async () => {
    for (const who of ['dbz', 'ours']) for (const tbl of TABLES) if ((await count(topicOf(who, tbl))) < expected) return false;
    return true;
  }, 120_000, 250).catch(async () => {
    const got = [];
    for (const who of ['dbz', 'ours']) for (const tbl of TABLES) got.push(`${topicOf(who, tbl)}=${await count(topicOf(who, tbl))}`);
    throw new Error(`not every topic reached ${expected} records: ${got.join(' ')}`);
  });

  const records = await readAll([...TABLES.flatMap((t) => [topicOf('dbz', t), topicOf('ours', t)])]);
  const { rows, compared, unexpected, accepted } = compare(records, expected);
  const listed = (await admin.listTopics()).filter((t) => t.startsWith(`${PREFIX.dbz}.`) || t.startsWith(`${PREFIX.ours}.`));
  const names = (who) => listed.filter((t) => t.startsWith(`${PREFIX[who]}.`)).map((t) => `<prefix>${t.slice(PREFIX[who].length)}`).sort();
  const topicDiff = JSON.stringify(names('dbz')) !== JSON.stringify(names('ours'));
  console.log(`\nbench/debezium-compare: Debezium ${DEBEZIUM_VERSION} (Kafka Connect 3.9) vs tributary PostgresConnector, JsonConverter with schemas`);
  console.log(`topics  Debezium: ${names('dbz').join(', ')}\n        ours:     ${names('ours').join(', ')}${topicDiff ? '   <-- DIFFERENT' : '   (same)'}`);
  console.log(`records compared: ${compared.records} per side; fields compared: ${compared.fields} (${compared.kindOnly} by kind only)\n`);
  if (rows.length > 1) console.log(table(rows));
  else console.log('no differences');
  console.log(`\n# unexpected differences: ${unexpected + (topicDiff ? 1 : 0)}; accepted (documented) differences: ${accepted}`);
  exitCode = unexpected + (topicDiff ? 1 : 0) === 0 ? 0 : 1;
} catch (err) {
  console.error(`debezium-compare failed: ${err.stack ?? err}`);
} finally {
  await Promise.all([dbz?.stop(), ours?.stop()]);
  // slot.drop.on.stop drops both slots on a graceful stop; make sure nothing is left behind.
  await waitUntil(async () => (await sql(DB, 'SELECT count(*)::int AS n FROM pg_replication_slots WHERE active AND database = $1', [DB])).rows[0].n === 0, 20_000, 200).catch(() => {});
  await sql('postgres', `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '${DB}' AND NOT active`).catch(() => {});
  const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${PREFIX.dbz}.`) || t.startsWith(`${PREFIX.ours}.`));
  if (mine.length && !process.env.KEEP_TOPICS) await admin.deleteTopics({ topics: mine }).catch(() => {});
  await admin.disconnect();
  await rm(dir, { recursive: true, force: true });
}
process.exit(exitCode);

/** Every record of the topics, in offset order: { key, value, headers } with JSON parsed losslessly. */
async function readAll(topics) {
  const want = new Map();
  for (const t of topics) want.set(t, await count(t));
  const out = new Map(topics.map((t) => [t, []]));
  const consumer = kafka.consumer({ groupId: `debezium-compare-${run}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  for (const t of topics) await consumer.subscribe({ topic: t, fromBeginning: true });
  let done;
  const finished = new Promise((r) => { done = r; });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const hdrs = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, v === null || v === undefined ? null : String(v)]));
      out.get(topic).push({ key: parse(message.key), value: parse(message.value), headers: hdrs });
      if ([...want].every(([t, n]) => out.get(t).length >= n)) done();
    },
  });
  await Promise.race([finished, new Promise((_, rej) => setTimeout(() => rej(new Error('timed out reading the topics back')), 60_000))]);
  await consumer.disconnect();
  return out;
}

function parse(buf) {
  if (buf === null || buf === undefined) return null;
  // Keep the exact text of numbers: int64 values beyond 2^53 must compare exactly.
  return JSON.parse(buf.toString('utf8'), (_k, v, ctx) => (typeof v === 'number' && !Number.isSafeInteger(v) && ctx?.source && !/[.eE]/.test(ctx.source) ? BigInt(ctx.source) : v));
}

/**
 * Compares the records of each table pairwise. Schemas are compared with their fields keyed by name
 * (plus the field order), payloads path by path; the prefix is replaced by <prefix> on both sides.
 */
function compare(records, expected) {
  const rows = [['table', '#', 'op', 'path', 'Debezium', 'ours', 'status']];
  const compared = { records: 0, fields: 0, kindOnly: 0 };
  let unexpected = 0, accepted = 0;
  for (const tbl of TABLES) {
    const a = records.get(topicOf('dbz', tbl)), b = records.get(topicOf('ours', tbl));
    const n = Math.max(a.length, b.length);
    if (a.length !== b.length || a.length !== expected) {
      rows.push([tbl, '-', '', 'record count', a.length, b.length, 'UNEXPECTED']); unexpected++;
    }
    for (let i = 0; i < Math.min(n, a.length, b.length); i++) {
      compared.records++;
      const x = normalise(a[i], PREFIX.dbz), y = normalise(b[i], PREFIX.ours);
      const op = x.value?.payload?.op ?? (x.value === null ? 'tombstone' : '?');
      const diffs = [];
      walk('', x, y, diffs, compared);
      if (process.env.SHOW_RUN_DEPENDENT && x.value && y.value) {
        const src = (v) => v.payload.source;
        console.error(`${tbl} #${i} ${op}: sequence ${src(x.value).sequence} | ${src(y.value).sequence}   lsn ${src(x.value).lsn} | ${src(y.value).lsn}   txId ${src(x.value).txId} | ${src(y.value).txId}`);
      }
      for (const [path, dv, ov] of diffs) {
        const acc = ACCEPTED.find((r) => r.path.test(path) && (!r.when || r.when(dv, ov, op)));
        rows.push([tbl, i, op, path, show(dv), show(ov), acc ? `accepted: ${acc.reason}` : 'UNEXPECTED']);
        if (acc) accepted++; else unexpected++;
      }
    }
  }
  return { rows, compared, unexpected, accepted };
}

/** Schemas become { ...attrs, fields: {name: schema}, 'fields order': [...] }; the prefix becomes <prefix>. */
function normalise(rec, prefix) {
  const fixStr = (s) => (typeof s === 'string' && s.startsWith(`${prefix}.`) ? `<prefix>${s.slice(prefix.length)}` : s);
  const schema = (s) => {
    if (!s || typeof s !== 'object') return s;
    const o = {};
    for (const [k, v] of Object.entries(s)) {
      if (k === 'fields') { o.fields = Object.fromEntries(v.map((f) => [f.field, schema(f)])); o['fields order'] = v.map((f) => f.field).join(','); }
      else if (k === 'items' || k === 'keys' || k === 'values') o[k] = schema(v);
      else o[k] = fixStr(v);
    }
    return o;
  };
  const side = (m) => (m === null ? null : { schema: schema(m.schema), payload: m.payload });
  const value = side(rec.value);
  if (value?.payload?.source?.name === prefix) value.payload.source = { ...value.payload.source, name: '<prefix>' };
  return { key: side(rec.key), value, headers: rec.headers };
}

function kind(v) {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'string' && v.startsWith('[')) { try { return `json[${JSON.parse(v).map((e) => kind(e)).join(',')}]`; } catch { /* plain */ } }
  return typeof v === 'bigint' ? 'number' : typeof v;
}

function walk(path, x, y, diffs, compared) {
  const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (RUN_DEPENDENT.some((r) => r.test(path))) {
    compared.fields++; compared.kindOnly++;
    if (kind(x) !== kind(y)) diffs.push([`${path} (kind)`, kind(x), kind(y)]);
    return;
  }
  if (isObj(x) && isObj(y)) {
    for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
      const p = path ? `${path}.${k}` : k;
      if (!(k in x)) diffs.push([p, '(absent)', y[k]]);
      else if (!(k in y)) diffs.push([p, x[k], '(absent)']);
      else walk(p, x[k], y[k], diffs, compared);
    }
    return;
  }
  compared.fields++;
  if (stringify(x) !== stringify(y)) diffs.push([path, x, y]);
}

function stringify(v) { return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x)); }
function show(v) { const s = typeof v === 'string' ? v : stringify(v); return s.length > 70 ? `${s.slice(0, 67)}...` : s; }
