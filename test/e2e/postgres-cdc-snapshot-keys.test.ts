// Incremental snapshots over key types other than integers: text, uuid, composite (int + text), numeric and
// timestamp primary keys, chunked in key order while a writer updates, deletes and inserts rows of every table,
// by two connectors at once: one with signal-table watermarks, one read-only (`read.only=true`). The topic of each
// table, replayed, equals the table.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ensureService } from '../support/services.js';
import { WorkerProcess, waitFor } from '../support/worker-process.js';
import {
  connectorConfig,
  freshDatabase,
  JSON_CONVERTERS,
  readTopic,
  seedItems,
  waitForCaughtUp,
  withClient,
} from './postgres-cdc/cdc-harness.js';
import { streaming, waitForNotification } from './postgres-cdc/signal-harness.js';

const ROWS = 3000;
const CHUNK = 256;
const DB = 'cdcx_keys';
/** The two connectors: topic prefix, slot and connector name are the same word. */
const SIDES: Array<{ name: string; extra: Record<string, string> }> = [
  { name: 'cdcx_keys', extra: { 'signal.data.collection': 'public.debezium_signal' } },
  { name: 'cdcx_keys_ro', extra: { 'read.only': 'true' } },
];

interface KeyTable {
  name: string;
  ddl: string;
  /** Row `g` (1..ROWS for the seed, beyond for inserts), as SQL values for (key columns..., val). */
  row: (g: string) => string;
  /** The key columns as the event key carries them (`decimal.handling.mode=string`, MicroTimestamp). */
  keySql: string;
}

const TABLES: KeyTable[] = [
  {
    name: 'k_text',
    ddl: 'CREATE TABLE k_text (k text PRIMARY KEY, val int NOT NULL)',
    // Mixed case and lengths, so text order differs from numeric order.
    row: (g) => `CASE WHEN ${g} % 2 = 0 THEN 'Key-' ELSE 'key-' END || ${g}::text`,
    keySql: "json_build_object('k', k)",
  },
  {
    name: 'k_uuid',
    ddl: 'CREATE TABLE k_uuid (k uuid PRIMARY KEY, val int NOT NULL)',
    row: (g) => `md5(${g}::text)::uuid`,
    keySql: "json_build_object('k', k)",
  },
  {
    name: 'k_comp',
    ddl: 'CREATE TABLE k_comp (a int NOT NULL, b text NOT NULL, val int NOT NULL, PRIMARY KEY (a, b))',
    row: (g) => `${g} % 37, 'b' || (${g} * 7919 % 100000)::text`,
    keySql: "json_build_object('a', a, 'b', b)",
  },
  {
    name: 'k_num',
    ddl: 'CREATE TABLE k_num (k numeric(14,3) PRIMARY KEY, val int NOT NULL)',
    row: (g) => `(${g} * 1.5 - 2000.125)::numeric(14,3)`,
    keySql: "json_build_object('k', k::text)",
  },
  {
    name: 'k_ts',
    ddl: 'CREATE TABLE k_ts (k timestamp(6) PRIMARY KEY, val int NOT NULL)',
    row: (g) => `timestamp '2020-02-29 23:59:59.999999' + ${g} * interval '1 minute 0.000001 second'`,
    keySql: "json_build_object('k', (extract(epoch from k) * 1000000)::bigint)",
  },
];

/** md5 over `key JSON|val` of every row, sorted: computed the same way from the table and from the replay. */
function digest(rows: Array<[string, number]>): { rows: number; md5: string } {
  const lines = rows.map(([k, v]) => `${k}|${v}`).sort();
  return { rows: lines.length, md5: createHash('md5').update(lines.join('\n')).digest('hex') };
}

async function tableDigest(t: KeyTable) {
  return withClient(DB, async (c) => {
    // json_build_object's text spacing differs from JSON.stringify: parse and re-serialise in JS.
    const r = await c.query(`SELECT ${t.keySql}::text AS k, val FROM ${t.name}`);
    return digest(r.rows.map((x: { k: string; val: number }) => [JSON.stringify(JSON.parse(x.k)), x.val]));
  });
}

async function replayDigest(w: WorkerProcess, prefix: string, t: KeyTable) {
  const state = new Map<string, number>();
  let reads = 0;
  await readTopic(w, `${prefix}.public.${t.name}`, (e) => {
    if (!e.value) return; // tombstone
    const key = JSON.stringify(e.key);
    if (e.value.op === 'd') state.delete(key);
    else state.set(key, Number(e.value.after!.val));
    if (e.value.op === 'r') reads++;
  });
  return { ...digest([...state]), reads };
}

/** Updates, deletes and inserts (new keys beyond ROWS) across all the tables, paced, until stopped. */
function writer() {
  let stopped = false;
  let made = 0;
  let next = ROWS + 1;
  const run = withClient(DB, async (c) => {
    while (!stopped) {
      const t = TABLES[made % TABLES.length]!;
      const r = Math.random();
      const pick = `(SELECT ctid FROM ${t.name} OFFSET floor(random() * ${ROWS / 2}) LIMIT 1)`;
      if (r < 0.25) await c.query(`INSERT INTO ${t.name} VALUES (${t.row(String(next++))}, 0)`);
      else if (r < 0.85) await c.query(`UPDATE ${t.name} SET val = val + 1 WHERE ctid = ${pick}`);
      else await c.query(`DELETE FROM ${t.name} WHERE ctid = ${pick}`);
      if (++made % 10 === 0) await new Promise((res) => setTimeout(res, 25));
    }
  });
  return {
    stop: async () => {
      stopped = true;
      await run;
      return made;
    },
  };
}

describe('postgres-cdc: incremental snapshots over text, uuid, composite, numeric and timestamp keys', () => {
  let w: WorkerProcess;

  before(async () => {
    ensureService('postgres');
    ensureService('kafka');
    await freshDatabase(DB);
    await seedItems(DB, 10); // waitForCaughtUp's sentinel goes there
    await withClient(DB, async (c) => {
      await c.query(
        'CREATE TABLE debezium_signal (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048))',
      );
      for (const t of TABLES) {
        await c.query(t.ddl);
        await c.query(`INSERT INTO ${t.name} SELECT ${t.row('g')}, g FROM generate_series(1, ${ROWS}) g`);
      }
    });
    w = await WorkerProcess.create({ ...JSON_CONVERTERS, 'offset.flush.interval.ms': '500' });
    await w.start();
    for (const side of SIDES) {
      const created = await w.request('POST', '/connectors', {
        name: side.name,
        config: connectorConfig(DB, side.name, {
          'topic.prefix': side.name,
          'slot.drop.on.stop': 'true',
          'snapshot.mode': 'no_data',
          'decimal.handling.mode': 'string',
          'table.include.list': `public\\.(items|${TABLES.map((t) => t.name).join('|')})`,
          'signal.enabled.channels': 'rest',
          'incremental.snapshot.chunk.size': String(CHUNK),
          'notification.enabled.channels': 'sink',
          'notification.sink.topic.name': `${side.name}.notifications`,
          ...side.extra,
        }),
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      await waitFor(`${side.name} streaming`, () => streaming(side.name), 300_000, 100);
    }
  });

  after(async () => {
    await w?.stop();
  });

  it(`snapshots ${TABLES.length} tables of ${ROWS} rows in chunks of ${CHUNK} while a writer changes them`, async () => {
    const writes = writer();
    const t0 = Date.now();
    for (const side of SIDES) {
      const r = await w.request('POST', `/tributary/connectors/${side.name}/signals`, {
        id: 'keys-1',
        type: 'execute-snapshot',
        data: { 'data-collections': TABLES.map((t) => `public.${t.name}`) },
      });
      assert.equal(r.status, 202, JSON.stringify(r.body));
    }
    for (const side of SIDES)
      await waitForNotification(w, `${side.name}.notifications`, `${side.name}: the snapshot completed`, (ns) =>
        ns.some((n) => n.id === 'keys-1' && n.type === 'COMPLETED'),
      );
    const made = await writes.stop();
    console.log(`# ${TABLES.length} x ${ROWS} rows snapshotted in ${Date.now() - t0} ms; ${made} writes meanwhile`);
    for (const side of SIDES) await waitForCaughtUp(DB, side.name, 120_000);
    for (const side of SIDES)
      for (const t of TABLES) {
        const [src, replay] = [await tableDigest(t), await replayDigest(w, side.name, t)];
        const label = `${side.name} ${t.name}`;
        console.log(
          `# ${label}: ${replay.reads} r events; table ${src.rows} rows md5 ${src.md5}, replay ${replay.rows} rows md5 ${replay.md5}`,
        );
        assert.equal(replay.rows, src.rows, `${label}: row count`);
        assert.equal(replay.md5, src.md5, `${label}: checksum`);
        assert.ok(replay.reads >= ROWS * 0.8, `${label}: snapshotted (${replay.reads} r events)`);
      }
  });
});
