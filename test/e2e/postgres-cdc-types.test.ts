// postgres-cdc against a real PostgreSQL 15: edge values of the built-in types (and domains, arrays, an enum,
// hstore, a partitioned table) come out as Debezium 3.0.8 streams them, and the snapshot writes exactly what
// the stream writes. The expected values are the ones bench/debezium-compare.mjs read from real Debezium; the
// differences it accepts are listed in connectors/postgres-cdc/README.md.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ensureService } from '../support/services.js';
import { WorkerProcess, waitFor } from '../support/worker-process.js';
import {
  connectorConfig,
  freshDatabase,
  JSON_CONVERTERS,
  readTopic,
  withClient,
  type ChangeEvent,
} from './postgres-cdc/cdc-harness.js';

const DB = 'cdc_types';

/** Column, type, edge value, and what Debezium writes for it (JSON with schemas, payload). */
const COLUMNS: Array<[string, string, string, unknown]> = [
  ['c_date', 'date', "'infinity'", -2147472692],
  ['c_date_neg', 'date', "'-infinity'", -2147472691],
  ['c_date_bc', 'date', "'0044-03-15 BC'", -735160],
  ['c_time', 'time', "'24:00:00'", 86_400_000_000],
  ['c_timetz', 'timetz', "'00:00:00.000001-14:59'", '14:59:00.000001Z'],
  ['c_ts_bc', 'timestamp', "'4713-01-01 00:00:00 BC'", -210863520000000000],
  ['c_tstz', 'timestamptz', "'infinity'", 'infinity'],
  ['c_tstz0', 'timestamptz(0)', "'1900-01-01 00:00:00+00:19:32'", '1899-12-31T23:40:28Z'],
  ['c_interval', 'interval', "'-178000000 years'", -9223372036854775808],
  ['c_interval2', 'interval', "'P1Y-2M3DT-4H5M6.000007S'", 26543106000007],
  ['c_numeric', 'numeric(12,3)', "'NaN'", null],
  ['c_numeric_free', 'numeric', "'12.5000'", { scale: 1, value: 'fQ==' }],
  ['c_numeric_inf', 'numeric', "'-Infinity'", null],
  ['c_money', 'money', "'-92233720368547758.08'", 'gAAAAAAAAAA='],
  ['c_float4', 'float4', "'NaN'", 'NaN'],
  ['c_float8', 'float8', "'-Infinity'", '-Infinity'],
  ['c_bit', 'bit(10)', "B'1010101010'", 'qgI='],
  ['c_bit_zero', 'bit(8)', "B'00000000'", ''],
  ['c_varbit1', 'varbit(1)', "B''", null],
  ['c_varbit', 'varbit', "B'1111000011110000111'", 'h4cH'],
  ['c_hstore', 'hstore', `'a=>1, "b c"=>"d\\"e", n=>NULL'`, '{"a":"1","b c":"d\\"e","n":null}'],
  ['c_point', 'point', "'(1.5,-2.25)'", { x: 1.5, y: -2.25, wkb: 'AQEAAAAAAAAAAAD4PwAAAAAAAALA', srid: null }],
  ['c_ltree', 'ltree', "'Top.Science'", 'Top.Science'],
  ['c_money2', 'money2', "'-999999.99'", '+gofAQ=='],
  ['c_tsvector', 'tsvector', "'a fat cat'", undefined], // Debezium leaves the column out
  ['a_numeric', 'numeric[]', "'{1.50,NaN}'", null],
  ['a_time', 'time[]', "'{00:00:01,24:00:00}'", [1_000_000, 0]],
  ['a_date', 'date[]', "'{2024-01-01,infinity}'", [19723, -622191234]],
  ['a_mood', 'mood[]', "'{happy,NULL}'", null],
  ['a_bit', 'bit(3)[]', "'{101}'", null],
];

describe('postgres-cdc: edge values of every kind of column', () => {
  let w: WorkerProcess;
  before(async () => {
    ensureService('postgres');
    w = await WorkerProcess.create({ ...JSON_CONVERTERS });
    await w.start();
    await freshDatabase(DB);
    await withClient(DB, async (c) => {
      await c.query(
        "CREATE EXTENSION IF NOT EXISTS hstore; CREATE EXTENSION IF NOT EXISTS ltree; CREATE TYPE mood AS ENUM ('sad', 'happy'); CREATE DOMAIN money2 AS numeric(8,2)",
      );
      await c.query(`CREATE TABLE edge (id int PRIMARY KEY, ${COLUMNS.map(([n, t]) => `${n} ${t}`).join(', ')})`);
      await c.query(`INSERT INTO edge VALUES (1, ${COLUMNS.map((x) => x[2]).join(', ')})`);
      await c.query('CREATE TABLE parted (id int, region text, PRIMARY KEY (id, region)) PARTITION BY LIST (region)');
      await c.query(
        "CREATE TABLE parted_eu PARTITION OF parted FOR VALUES IN ('eu'); CREATE TABLE parted_us PARTITION OF parted FOR VALUES IN ('us')",
      );
      await c.query("INSERT INTO parted VALUES (1, 'eu'), (2, 'us')");
    });
    const res = await w.request('POST', '/connectors', {
      name: DB,
      config: connectorConfig(DB, DB, { 'slot.drop.on.stop': 'true' }),
    });
    assert.equal(res.status, 201);
    await waitFor(
      'streaming',
      () =>
        withClient(
          DB,
          async (c) =>
            (await c.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 AND active', [DB])).rowCount! > 0,
        ),
      60_000,
      100,
    );
    await withClient(DB, async (c) => {
      await c.query(`INSERT INTO edge VALUES (2, ${COLUMNS.map((x) => x[2]).join(', ')})`);
      await c.query("INSERT INTO parted VALUES (3, 'eu')");
    });
  });
  after(async () => {
    await w.request('DELETE', `/connectors/${DB}`).catch(() => {});
    await w.kill();
  });

  async function events(table: string, atLeast: number): Promise<ChangeEvent[]> {
    const out: ChangeEvent[] = [];
    await waitFor(
      `${atLeast} records of ${table}`,
      async () => {
        out.length = 0;
        await readTopic(w, `${DB}.public.${table}`, (e) => out.push(e));
        return out.length >= atLeast;
      },
      60_000,
      500,
    );
    return out;
  }

  it('writes each edge value as Debezium streams it, and the snapshot row equals the streamed one', async () => {
    const [r, c] = await events('edge', 2);
    assert.deepEqual([r!.value!.op, c!.value!.op], ['r', 'c']);
    const snap = r!.value!.after!,
      streamed = c!.value!.after!;
    for (const [name, , , expected] of COLUMNS) {
      if (expected === undefined) assert.ok(!(name in streamed), `${name} is left out, as Debezium leaves it out`);
      else assert.deepEqual(streamed[name], expected, name);
    }
    assert.deepEqual({ ...snap, id: 2 }, streamed, 'the snapshot writes what the stream writes');
    console.log(`# ${COLUMNS.length} edge values as Debezium streams them; snapshot and stream agree`);
  });

  it('snapshots a partitioned table and each partition, and streams changes under the partition', async () => {
    const root = await events('parted', 2);
    const eu = await events('parted_eu', 2);
    const us = await events('parted_us', 1);
    assert.deepEqual(
      root.map((e) => [e.value!.op, e.key]),
      [
        ['r', { id: 1, region: 'eu' }],
        ['r', { id: 2, region: 'us' }],
      ],
    );
    assert.deepEqual(
      eu.map((e) => [e.value!.op, e.key]),
      [
        ['r', { id: 1, region: 'eu' }],
        ['c', { id: 3, region: 'eu' }],
      ],
    );
    assert.deepEqual(
      us.map((e) => [e.value!.op, e.key]),
      [['r', { id: 2, region: 'us' }]],
    );
  });
});
