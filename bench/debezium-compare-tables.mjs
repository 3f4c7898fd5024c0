// The tables bench/debezium-compare.mjs captures with both connectors: every built-in PostgreSQL type (and
// domains, arrays, an enum, hstore/citext/ltree/isbn, a partitioned table), each with ordinary, null and
// edge values, taken by the snapshot and then written again while streaming.
//   TABLES[i] = { name, ddl, after?, rows: [snapshot row SQL], stream: async (client) => records expected }

export const SETUP = [
  'CREATE EXTENSION IF NOT EXISTS hstore',
  'CREATE EXTENSION IF NOT EXISTS citext',
  'CREATE EXTENSION IF NOT EXISTS ltree',
  'CREATE EXTENSION IF NOT EXISTS isn',
  "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
  'CREATE DOMAIN money2 AS numeric(8,2)',
  'CREATE DOMAIN short_text AS varchar(20)',
  'CREATE DOMAIN positive AS int4 CHECK (VALUE > 0)',
  'CREATE DOMAIN day AS date',
  'CREATE DOMAIN free_num AS numeric',
  // Written last in every run: once both connectors have emitted it, they have emitted everything before it.
  'CREATE TABLE zz_marker (id int PRIMARY KEY)',
];

// The table compared since the first version of the bench (REPLICA IDENTITY DEFAULT and FULL).
const GOLDEN = `id int PRIMARY KEY, i2 int2, i4 int4 NOT NULL DEFAULT 42, i8 int8, num numeric(10,2), bare numeric,
  flag bool NOT NULL, t text, vc varchar(20) DEFAULT 'dflt', ts timestamp, ts3 timestamp(3), tstz timestamptz, d date,
  tm time, u uuid, j json, jb jsonb, b bytea, ints int[], texts text[], m mood`;
const G1 = `(1, -7, 2147483647, 9007199254740993, 12.30, 3.14159, true, 'hello', 'v', '2024-01-02 03:04:05.123456',
  '2024-01-02 03:04:05.123', '2024-01-02 03:04:05.5+02', '2024-01-02', '12:34:56.789', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  '{"a": 1}', '{"b": [1, 2]}', '\\x0102ff', '{1,2,NULL}', '{"x y",z}', 'happy')`;
const G2 =
  '(2, NULL, 0, NULL, NULL, NULL, false, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)';
const G3 = `(3, 32767, -1, -9223372036854775808, -0.01, -123456789.000123, true, 'quote '' "and" \\ back', 'ü€😀',
  '1969-12-31 23:59:59.999999', '1900-02-28 12:00:00', '1999-12-31 23:59:59.123456-08', '1960-01-01', '00:00:00.000001',
  '00000000-0000-0000-0000-000000000000', '[1, "two", null]', '{"nested": {"k": "v"}, "a": [true]}', '\\x', '{}',
  '{"a,b","c\\"d",NULL,""}', 'sad')`;

async function goldenChanges(c, tbl) {
  await c.query(`INSERT INTO ${tbl} VALUES ${G3}`); // c
  await c.query(`UPDATE ${tbl} SET t = 'uno', num = 99.5, ints = '{7}' WHERE id = 1`); // u
  await c.query(`UPDATE ${tbl} SET id = 20 WHERE id = 2`); // primary key change: d + tombstone + c
  await c.query(`DELETE FROM ${tbl} WHERE id = 3`); // d + tombstone
  await c.query('BEGIN');
  await c.query(`INSERT INTO ${tbl} (id, flag, t) VALUES (4, true, 'in a transaction')`); // c
  await c.query(`UPDATE ${tbl} SET m = 'ok', tm = '23:59:59' WHERE id = 4`); // u
  await c.query('COMMIT');
  await c.query(
    `INSERT INTO ${tbl} (id, flag, t) SELECT 5, false, string_agg(md5(g::text), '') FROM generate_series(1, 1000) g`,
  ); // c (TOASTed t)
  await c.query(`UPDATE ${tbl} SET i2 = 5 WHERE id = 5`); // u with t unchanged and TOASTed
  return 1 + 1 + 3 + 2 + 2 + 2;
}

// Every built-in scalar type, the contrib types, an enum and domains.
const SCALAR_COLUMNS = [
  ['c_bool', 'bool', 'true', 'false'],
  ['c_int2', 'int2', '-32768', '32767'],
  ['c_int4', 'int4', '-2147483648', '2147483647'],
  ['c_int8', 'int8', '-9223372036854775808', '9223372036854775807'],
  ['c_float4', 'float4', "'-3.4028235e38'", "'NaN'"],
  ['c_float8', 'float8', "'Infinity'", "'-0'"],
  ['c_float8b', 'float8', "'-Infinity'", "'4.9e-324'"],
  ['c_numeric', 'numeric(12,3)', "'NaN'", "'-999999999.999'"],
  ['c_numeric0', 'numeric(5)', '-99999', '0'],
  ['c_numeric_bare', 'numeric', "'NaN'", "'1e-20'"],
  ['c_numeric_inf', 'numeric', "'Infinity'", "'-Infinity'"],
  ['c_numeric_big', 'numeric', "'123456789012345678901234567890.123456789'", "'-0.000000000000000000001'"],
  ['c_money', 'money', "'-92233720368547758.08'", "'92233720368547758.07'"],
  ['c_char', '"char"', "'a'", "''"],
  ['c_bpchar', 'char(5)', "'ab'", "'ü€'"],
  ['c_bpchar1', 'char', "'x'", "' '"],
  ['c_varchar', 'varchar(10)', "''", "'😀😀'"],
  ['c_text', 'text', 'E\'line\\nbreak\\ttab "q" \\\\\'', "''"],
  ['c_name', 'name', "'pg_catalog'", "''"],
  ['c_bytea', 'bytea', "'\\x00ff'", "''"],
  ['c_date', 'date', "'infinity'", "'-infinity'"],
  ['c_date2', 'date', "'0044-03-15 BC'", "'9999-12-31'"],
  ['c_date3', 'date', "'0001-01-01'", "'1582-10-04'"],
  ['c_time', 'time', "'24:00:00'", "'00:00:00'"],
  ['c_time3', 'time(3)', "'23:59:59.999'", "'24:00:00'"],
  ['c_time0', 'time(0)', "'12:00:01'", "'00:00:00'"],
  ['c_timetz', 'timetz', "'24:00:00+00'", "'00:00:00.000001-14:59'"],
  ['c_timetz3', 'timetz(3)', "'12:34:56.789+05:30'", "'23:59:59.999-01'"],
  ['c_ts', 'timestamp', "'infinity'", "'-infinity'"],
  ['c_ts2', 'timestamp', "'4713-01-01 00:00:00 BC'", "'294276-12-31 23:59:59.999999'"],
  ['c_ts0', 'timestamp(0)', "'1970-01-01 00:00:00'", "'2000-02-29 12:00:00'"],
  ['c_ts3', 'timestamp(3)', "'1969-12-31 23:59:59.999'", "'0001-01-01 00:00:00'"],
  ['c_tstz', 'timestamptz', "'infinity'", "'-infinity'"],
  ['c_tstz2', 'timestamptz', "'0001-01-01 00:00:00+00'", "'9999-12-31 23:59:59.999999+14'"],
  ['c_tstz0', 'timestamptz(0)', "'2024-06-30 23:59:59-07'", "'1900-01-01 00:00:00+00:19:32'"],
  ['c_tstz3', 'timestamptz(3)', "'2024-06-30 23:59:59.5+00'", "'1969-12-31 23:59:59.999+00'"],
  ['c_interval', 'interval', "'-178000000 years'", "'1 year 2 months 3 days 04:05:06.789'"],
  ['c_interval2', 'interval', "'-1 day +02:03'", "'0'"],
  ['c_interval3', 'interval', "'P1Y-2M3DT-4H5M6.000007S'", "'999999 hours'"],
  ['c_bit1', 'bit(1)', "B'1'", "B'0'"],
  ['c_bit', 'bit(10)', "B'1010101010'", "B'0000000001'"],
  ['c_bit8', 'bit(8)', "B'11111111'", "B'00000000'"],
  ['c_bit64', 'bit(64)', `B'1${'0'.repeat(62)}1'`, `B'${'0'.repeat(64)}'`],
  ['c_varbit', 'varbit(20)', "B'101'", "B''"],
  ['c_varbit1', 'varbit(1)', "B'1'", "B''"],
  ['c_varbit_u', 'varbit', "B'1111000011110000111'", "B'0'"],
  ['c_uuid', 'uuid', "'ffffffff-ffff-ffff-ffff-ffffffffffff'", "'00000000-0000-0000-0000-000000000000'"],
  ['c_json', 'json', `'{"a": [1, 2.50, null], "ü": "\\u00e9"}'`, "'null'"],
  ['c_jsonb', 'jsonb', `'{"z": 1, "a": {"b": []}}'`, `'"str"'`],
  ['c_xml', 'xml', '\'<a b="1">t&amp;</a>\'', "''"],
  ['c_jsonpath', 'jsonpath', "'$.a[*] ? (@ > 1)'", "'$'"],
  ['c_inet', 'inet', "'192.168.0.1/24'", "'::ffff:1.2.3.4'"],
  ['c_cidr', 'cidr', "'10.0.0.0/8'", "'2001:db8::/32'"],
  ['c_macaddr', 'macaddr', "'08:00:2b:01:02:03'", "'ff:ff:ff:ff:ff:ff'"],
  ['c_macaddr8', 'macaddr8', "'08:00:2b:01:02:03:04:05'", "'00:00:00:00:00:00:00:00'"],
  ['c_point', 'point', "'(1.5,-2.25)'", "'(0,0)'"],
  ['c_line', 'line', "'{1,-1,0}'", "'{0,1,2}'"],
  ['c_lseg', 'lseg', "'[(0,0),(1,1)]'", "'[(-1,2),(3,4)]'"],
  ['c_box', 'box', "'(1,1),(0,0)'", "'(2,3),(-1,-2)'"],
  ['c_path', 'path', "'[(0,0),(1,1),(2,0)]'", "'((0,0),(1,1))'"],
  ['c_polygon', 'polygon', "'((0,0),(1,0),(0,1))'", "'((0,0))'"],
  ['c_circle', 'circle', "'<(1,2),3>'", "'<(0,0),0.5>'"],
  ['c_tsvector', 'tsvector', "'a fat cat:3'", "''"],
  ['c_tsquery', 'tsquery', "'fat & (rat | cat)'", "''"],
  ['c_int4range', 'int4range', "'[1,10)'", "'empty'"],
  ['c_int8range', 'int8range', "'(,5]'", "'[-9223372036854775808,)'"],
  ['c_numrange', 'numrange', "'[1.5,2.25]'", "'(,)'"],
  ['c_tsrange', 'tsrange', "'[2024-01-01 00:00,2024-02-01 00:00)'", "'[-infinity,infinity]'"],
  ['c_tstzrange', 'tstzrange', "'[2024-01-01 00:00+02,)'", "'empty'"],
  ['c_daterange', 'daterange', "'[2024-01-01,2024-12-31]'", "'(,infinity)'"],
  ['c_int4multirange', 'int4multirange', "'{[1,3),[5,7)}'", "'{}'"],
  ['c_oid', 'oid', '4294967295', '0'],
  ['c_xid', 'xid', "'4294967295'", "'0'"],
  ['c_xid8', 'xid8', "'18446744073709551615'", "'0'"],
  ['c_cid', 'cid', "'7'", "'0'"],
  ['c_tid', 'tid', "'(4294967295,65535)'", "'(0,0)'"],
  ['c_regclass', 'regclass', "'pg_class'", "'pg_type'"],
  ['c_regtype', 'regtype', "'integer'", "'text[]'"],
  ['c_pg_lsn', 'pg_lsn', "'FFFFFFFF/FFFFFFFF'", "'0/0'"],
  ['c_pg_snapshot', 'pg_snapshot', "'10:20:10,14,15'", "'1:1:'"],
  ['c_txid_snapshot', 'txid_snapshot', "'10:20:10,14,15'", "'1:1:'"],
  ['c_int2vector', 'int2vector', "'1 2 3'", "''"],
  ['c_oidvector', 'oidvector', "'23 25'", "''"],
  ['c_aclitem', 'aclitem', "'postgres=arwdDxt/postgres'", "'=r/postgres'"],
  ['c_hstore', 'hstore', `'a=>1, "b c"=>"d\\"e", n=>NULL'`, "''"],
  ['c_citext', 'citext', "'MiXeD'", "''"],
  ['c_ltree', 'ltree', "'Top.Science.Astronomy'", "''"],
  ['c_isbn', 'isbn', "'978-0-393-04002-9'", "'0-201-63361-2'"],
  ['c_mood', 'mood', "'happy'", "'sad'"],
  ['c_money2', 'money2', "'-999999.99'", "'0.01'"],
  ['c_short_text', 'short_text', "'domain text'", "''"],
  ['c_positive', 'positive', '2147483647', '1'],
  ['c_day', 'day', "'2000-01-01'", "'infinity'"],
  ['c_free_num', 'free_num', "'12.5000'", "'NaN'"],
];

// Arrays of each element type that has one (one-dimensional; NULL elements and empty arrays included).
const ARRAY_COLUMNS = [
  ['a_bool', 'bool[]', "'{t,f,NULL}'"],
  ['a_int2', 'int2[]', "'{-32768,32767}'"],
  ['a_int4', 'int4[]', "'{1,NULL,-2}'"],
  ['a_int8', 'int8[]', "'{-9223372036854775808,9223372036854775807}'"],
  ['a_float4', 'float4[]', "'{1.5,NaN,-Infinity}'"],
  ['a_float8', 'float8[]', "'{0.1,Infinity}'"],
  ['a_numeric', 'numeric(12,3)[]', "'{1.5,-2.25,NULL}'"],
  ['a_numeric_bare', 'numeric[]', "'{1.50,NaN,1e-5}'"],
  ['a_money', 'money[]', "'{1.50,-2}'"],
  ['a_char', '"char"[]', "'{a,b}'"],
  ['a_bpchar', 'char(3)[]', '\'{ab,""}\''],
  ['a_varchar', 'varchar(5)[]', '\'{"a,b","\\\\"}\''],
  ['a_text', 'text[]', '\'{"",NULL,"NULL","x y"}\''],
  ['a_name', 'name[]', "'{pg,x}'"],
  ['a_bytea', 'bytea[]', '\'{"\\\\\\\\x00ff",NULL}\''],
  ['a_date', 'date[]', "'{2024-01-01,infinity,1960-02-29}'"],
  ['a_time', 'time[]', "'{00:00:01,24:00:00}'"],
  ['a_timetz', 'timetz[]', "'{12:00:00+02}'"],
  ['a_ts', 'timestamp[]', '\'{"2024-01-01 00:00:00.5",infinity}\''],
  ['a_tstz', 'timestamptz[]', '\'{"2024-01-01 00:00:00+02"}\''],
  ['a_interval', 'interval[]', '\'{"1 day","-1 hour"}\''],
  ['a_bit', 'bit(3)[]', "'{101,010}'"],
  ['a_varbit', 'varbit[]', "'{1,0101}'"],
  ['a_uuid', 'uuid[]', "'{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}'"],
  ['a_json', 'json[]', `'{"{\\"a\\": 1}",null}'`],
  ['a_jsonb', 'jsonb[]', `'{"[1, 2]"}'`],
  ['a_xml', 'xml[]', "'{<a/>}'"],
  ['a_inet', 'inet[]', "'{1.2.3.4,::1}'"],
  ['a_cidr', 'cidr[]', "'{10.0.0.0/8}'"],
  ['a_macaddr', 'macaddr[]', "'{08:00:2b:01:02:03}'"],
  ['a_macaddr8', 'macaddr8[]', "'{08:00:2b:01:02:03:04:05}'"],
  ['a_point', 'point[]', '\'{"(1,2)"}\''],
  ['a_int4range', 'int4range[]', '\'{"[1,2)",empty}\''],
  ['a_tsrange', 'tsrange[]', '\'{"[2024-01-01,2024-01-02)"}\''],
  ['a_daterange', 'daterange[]', '\'{"[2024-01-01,2024-01-05)"}\''],
  ['a_oid', 'oid[]', "'{1,4294967295}'"],
  ['a_mood', 'mood[]', "'{happy,NULL,sad}'"],
  ['a_money2', 'money2[]', "'{1.5}'"],
  ['a_hstore', 'hstore[]', `'{"a=>1"}'`],
  ['a_citext', 'citext[]', "'{A,b}'"],
  ['a_ltree', 'ltree[]', "'{a.b,c}'"],
  ['a_empty', 'int4[]', "'{}'"],
];

const scalarDdl = `id int PRIMARY KEY, ${SCALAR_COLUMNS.map(([n, t]) => `${n} ${t}`).join(', ')}`;
const scalarRow = (id, which) => `(${id}, ${SCALAR_COLUMNS.map((c) => c[which]).join(', ')})`;
const scalarNulls = (id) => `(${id}${', NULL'.repeat(SCALAR_COLUMNS.length)})`;
const arrayDdl = `id int PRIMARY KEY, ${ARRAY_COLUMNS.map(([n, t]) => `${n} ${t}`).join(', ')}`;
const arrayRow = (id) => `(${id}, ${ARRAY_COLUMNS.map((c) => c[2]).join(', ')})`;
const arrayNulls = (id) => `(${id}${', NULL'.repeat(ARRAY_COLUMNS.length)})`;

export const TABLES = [
  {
    name: 'golden',
    ddl: GOLDEN,
    rows: [G1, G2],
    stream: (c) => goldenChanges(c, 'golden'),
  },
  {
    name: 'golden_full',
    ddl: GOLDEN,
    after: ['ALTER TABLE golden_full REPLICA IDENTITY FULL'],
    rows: [G1, G2],
    stream: (c) => goldenChanges(c, 'golden_full'),
  },
  {
    name: 'types_scalar',
    ddl: scalarDdl,
    rows: [scalarRow(1, 2), scalarRow(2, 3), scalarNulls(3)],
    async stream(c) {
      await c.query(`INSERT INTO types_scalar VALUES ${scalarRow(11, 2)}, ${scalarRow(12, 3)}, ${scalarNulls(13)}`); // 3 c
      await c.query("UPDATE types_scalar SET c_text = 'changed', c_date = '2024-02-29' WHERE id = 11"); // u
      await c.query('DELETE FROM types_scalar WHERE id = 12'); // d + tombstone
      return 3 + 1 + 2;
    },
  },
  {
    name: 'types_array',
    ddl: arrayDdl,
    rows: [arrayRow(1), arrayNulls(2)],
    async stream(c) {
      await c.query(`INSERT INTO types_array VALUES ${arrayRow(11)}, ${arrayNulls(12)}`); // 2 c
      await c.query('DELETE FROM types_array WHERE id = 11'); // d + tombstone
      return 2 + 2;
    },
  },
  {
    // Partitioned: the rows live in the partitions (topics named after the partitions or the root, as each connector does).
    name: 'parted',
    ddl: 'id int, region text, amount numeric(8,2), PRIMARY KEY (id, region)',
    partitions: [
      ['parted_eu', "'eu'"],
      ['parted_us', "'us'"],
    ],
    rows: ["(1, 'eu', 1.50)", "(2, 'us', 2.50)"],
    async stream(c) {
      await c.query("INSERT INTO parted VALUES (3, 'eu', 3.50), (4, 'us', 4.50)");
      await c.query('UPDATE parted SET amount = 9 WHERE id = 1');
      await c.query('DELETE FROM parted WHERE id = 2');
      return null; // counted per topic
    },
  },
  {
    // A bytea stored out of line (random, so incompressible) that an update leaves unchanged: the placeholder.
    name: 'toasted',
    ddl: 'id int PRIMARY KEY, n int, blob bytea',
    rows: [],
    async stream(c) {
      await c.query(
        "INSERT INTO toasted SELECT 1, 0, decode(string_agg(lpad(to_hex((random() * 255)::int), 2, '0'), ''), 'hex') FROM generate_series(1, 100000)",
      );
      await c.query('UPDATE toasted SET n = 1 WHERE id = 1');
      return 2;
    },
  },
  {
    // The outbox table of Debezium's outbox documentation; the outbox runs route it through EventRouter.
    name: 'outbox',
    ddl: 'id uuid PRIMARY KEY, aggregatetype varchar(255) NOT NULL, aggregateid varchar(255) NOT NULL, type varchar(255) NOT NULL, payload jsonb',
    rows: [
      `('7f0a8a1e-0000-4000-8000-000000000001', 'order', '1', 'OrderCreated', '{"id": 1, "lines": [{"sku": "a", "qty": 2}], "total": 12.5}')`,
      `('7f0a8a1e-0000-4000-8000-000000000002', 'customer', '7', 'CustomerCreated', '{"id": 7, "name": "Ada", "vip": true}')`,
    ],
    async stream(c) {
      await c.query(`INSERT INTO outbox VALUES
        ('7f0a8a1e-0000-4000-8000-000000000003', 'order', '2', 'OrderCreated', '{"id": 2, "big": 9007199254740993, "note": null}'),
        ('7f0a8a1e-0000-4000-8000-000000000004', 'order', '1', 'OrderShipped', '{"id": 1, "carrier": {"name": "X", "eta": 3}}')`);
      await c.query(
        "INSERT INTO outbox VALUES ('7f0a8a1e-0000-4000-8000-000000000005', 'customer', '8', 'CustomerDeleted', NULL)",
      );
      await c.query("UPDATE outbox SET type = 'OrderCancelled' WHERE aggregateid = '2'"); // u: skipped by EventRouter
      await c.query("DELETE FROM outbox WHERE id = '7f0a8a1e-0000-4000-8000-000000000001'"); // d + tombstone: dropped
      return 5;
    },
  },
  {
    name: 'trunc_me',
    ddl: 'id int PRIMARY KEY, v text',
    rows: ["(1, 'a')"],
    async stream(c) {
      await c.query("INSERT INTO trunc_me VALUES (2, 'b')");
      await c.query('TRUNCATE trunc_me');
      await c.query("INSERT INTO trunc_me VALUES (3, 'c')");
      return 3;
    },
  },
];

/** DDL of every table (partitions included), in creation order. */
export function createStatements() {
  const out = [];
  for (const t of TABLES) {
    if (t.partitions) {
      out.push(`CREATE TABLE ${t.name} (${t.ddl}) PARTITION BY LIST (region)`);
      for (const [p, v] of t.partitions) out.push(`CREATE TABLE ${p} PARTITION OF ${t.name} FOR VALUES IN (${v})`);
    } else {
      out.push(`CREATE TABLE ${t.name} (${t.ddl})`);
    }
    if (t.rows.length) out.push(`INSERT INTO ${t.name} VALUES ${t.rows.join(', ')}`);
    for (const s of t.after ?? []) out.push(s);
  }
  return out;
}
