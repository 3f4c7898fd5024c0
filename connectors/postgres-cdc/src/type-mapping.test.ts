import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Struct } from '@tributary/connect-api';
import { mapColumn, OID, parseArray, type MappingOptions } from './type-mapping.js';

const opts: MappingOptions = { decimalMode: 'precise', timeMode: 'adaptive' };
const map = (oid: number, mod = -1, o = opts) => mapColumn('c', oid, mod, true, o, () => undefined)!;
const numericMod = (p: number, s: number) => ((p << 16) | s) + 4;

describe('Debezium type mapping from text values', () => {
  it('maps integers, int8 beyond 2^53 as bigint', () => {
    assert.equal(map(OID.int2).schema.type, 'INT16');
    assert.equal(map(OID.int8).convert('9007199254740993'), 9007199254740993n);
    assert.equal(map(OID.int8).convert('42'), 42);
  });

  it('maps numeric(p,s) to Decimal with its scale, bare numeric to VariableScaleDecimal, per decimal.handling.mode', () => {
    const m = map(OID.numeric, numericMod(10, 2));
    assert.equal(m.schema.name, 'org.apache.kafka.connect.data.Decimal');
    assert.equal(m.schema.parameters?.scale, '2');
    assert.equal(m.schema.parameters?.['connect.decimal.precision'], '10');
    assert.equal(m.convert('12.3'), '12.30');
    const v = map(OID.numeric).convert('3.14159') as Struct;
    assert.equal(v.schema.name, 'io.debezium.data.VariableScaleDecimal');
    assert.equal(v.get('scale'), 5);
    assert.deepEqual([...(v.get('value') as Uint8Array)], [0x04, 0xcb, 0x2f]);
    assert.equal(map(OID.numeric, -1, { ...opts, decimalMode: 'double' }).convert('1.5'), 1.5);
    assert.equal(map(OID.numeric, -1, { ...opts, decimalMode: 'string' }).convert('NaN'), 'NAN');
  });

  it('maps temporal types adaptively, timestamps as UTC wall clock', () => {
    assert.equal(map(OID.date).convert('2024-01-02'), 19724);
    assert.equal(map(OID.date).convert('1969-12-31'), -1);
    const ts = map(OID.timestamp);
    assert.equal(ts.schema.name, 'io.debezium.time.MicroTimestamp');
    assert.equal(ts.convert('2024-01-02 03:04:05.123456'), 1704164645123456);
    const ts3 = map(OID.timestamp, 3);
    assert.equal(ts3.schema.name, 'io.debezium.time.Timestamp');
    assert.equal(ts3.convert('2024-01-02 03:04:05.123'), 1704164645123);
    assert.equal(map(OID.time).convert('12:34:56.789'), 45296789000);
    assert.equal(map(OID.time, 3).schema.name, 'io.debezium.time.Time');
    assert.equal(map(OID.time, 3).convert('00:00:01.5'), 1500);
    assert.equal(map(OID.timestamptz).convert('2024-01-02 03:04:05.5+02'), '2024-01-02T01:04:05.500000Z');
    assert.equal(map(OID.timestamptz).convert('2024-01-02 03:04:05+00'), '2024-01-02T03:04:05.000000Z');
    assert.equal(map(OID.timestamptz, 3).convert('2024-01-02 03:04:05.5+00'), '2024-01-02T03:04:05.500Z');
    assert.equal(map(OID.timestamptz, 0).convert('2024-01-02 03:04:05+00'), '2024-01-02T03:04:05Z');
    assert.equal(map(OID.timetz).convert('10:00:00.25+01'), '09:00:00.25Z');
    assert.equal(map(OID.interval).convert('P1DT1H'), 90_000_000_000);
  });

  it('maps uuid, json, bytea, enums and arrays', () => {
    assert.equal(map(OID.uuid).schema.name, 'io.debezium.data.Uuid');
    assert.equal(map(OID.jsonb).schema.name, 'io.debezium.data.Json');
    assert.deepEqual([...(map(OID.bytea).convert('\\x0102ff') as Uint8Array)], [1, 2, 255]);
    const e = mapColumn('m', 99999, -1, true, opts, () => ({
      oid: 99999,
      name: 'mood',
      kind: 'e',
      elementOid: 0,
      baseOid: 0,
      enumLabels: ['sad', 'ok'],
    }))!;
    assert.equal(e.schema.name, 'io.debezium.data.Enum');
    assert.equal(e.schema.parameters?.allowed, 'sad,ok');
    const a = map(1007);
    assert.equal(a.schema.type, 'ARRAY');
    assert.deepEqual(a.convert('{1,2,NULL}'), [1, 2, null]);
    assert.deepEqual(parseArray('{"a b","c\\"d",NULL,e}'), ['a b', 'c"d', null, 'e']);
    assert.deepEqual(parseArray('{}'), []);
  });

  it('puts literal column defaults into the schema as Debezium parses them, and nothing else', () => {
    const withDefault = (oid: number, expr: string, mod = -1) =>
      mapColumn('c', oid, mod, false, opts, () => undefined, expr)!.schema.defaultValue;
    assert.equal(withDefault(OID.int4, '42'), 42);
    assert.equal(withDefault(OID.int4, "'-1'::integer"), undefined); // Debezium parses int4 defaults only bare
    assert.equal(withDefault(OID.int8, "'9223372036854775807'::bigint"), 9223372036854775807n);
    assert.equal(withDefault(OID.varchar, "'dflt'::character varying"), 'dflt');
    assert.equal(withDefault(OID.bool, 'true'), true);
    assert.equal(withDefault(OID.numeric, '12.5', numericMod(10, 2)), '12.50');
    assert.equal(withDefault(OID.int4, "nextval('t_id_seq'::regclass)"), undefined);
    assert.equal(withDefault(OID.timestamptz, 'now()'), undefined);
    assert.equal(withDefault(OID.numeric, '1.5'), undefined, 'no default for VariableScaleDecimal');
    assert.equal(map(OID.uuid).schema.version, 1);
    assert.equal(map(OID.json).schema.version, 1);
  });

  it('drops types Debezium does not know', () => {
    assert.equal(
      mapColumn('c', 123456, -1, true, opts, () => undefined),
      null,
    );
  });
});

describe('Debezium encodings of the less common types', () => {
  it('writes bits in as few little-endian bytes as the highest set bit needs; bit(1)/varbit(1) as booleans', () => {
    const b = map(OID.bit, 10);
    assert.equal(b.schema.parameters?.length, '10');
    assert.deepEqual([...(b.convert('1010101010') as Uint8Array)], [0xaa, 0x02]);
    assert.deepEqual([...(b.convert('0000000000') as Uint8Array)], []);
    assert.equal(map(OID.varbit, -1).schema.parameters?.length, '2147483647');
    assert.equal(map(OID.varbit, 1).convert(''), null);
    assert.equal(map(OID.bit, 1).convert('1'), true);
  });

  it("strips trailing zeros of a VariableScaleDecimal, writes NaN/Infinity as null (precise) or Debezium's names (string)", () => {
    const v = map(OID.numeric).convert('12.5000') as Struct;
    assert.equal(v.get('scale'), 1);
    assert.equal(map(OID.numeric).convert('NaN'), null);
    assert.equal(map(OID.numeric, numericMod(10, 2)).convert('Infinity'), null);
    assert.equal(map(OID.numeric, -1, { ...opts, decimalMode: 'string' }).convert('-Infinity'), 'NEGATIVE_INFINITY');
  });

  it("writes dates and timestamps beyond JavaScript's range as Debezium does", () => {
    assert.equal(map(OID.date).convert('infinity'), -2147472692);
    assert.equal(map(OID.timestamp).convert('294276-12-31 23:59:59.999999'), -9223372036853775810n);
    assert.equal(map(OID.timestamp).convert('4713-01-01 00:00:00 BC'), -210863520000000000n);
    assert.equal(map(OID.timestamptz).convert('0044-03-15 12:00:00+00 BC'), '-0043-03-15T12:00:00.000000Z');
    assert.equal(map(OID.interval).convert('P-178000000Y'), -9223372036854775808n);
    assert.equal(
      map(OID.interval, -1, { ...opts, intervalMode: 'string' }).convert('P1Y-2M3DT-4H5M6.500000S'),
      'P1Y-2M3DT-4H5M6.5S',
    );
  });

  it('writes hstore as JSON in Java HashMap order, point as a Point with its WKB, bytea in the binary.handling.mode', () => {
    const lookup = () => ({ oid: 5000, name: 'hstore', kind: 'b', elementOid: 0, baseOid: 0 });
    const h = mapColumn('h', 5000, -1, true, opts, lookup)!;
    assert.equal(h.schema.name, 'io.debezium.data.Json');
    assert.equal(h.convert('"n"=>NULL, "a"=>"1", "b c"=>"d\\"e"'), '{"a":"1","b c":"d\\"e","n":null}');
    const p = map(OID.point).convert('(1.5,-2.25)') as Struct;
    assert.equal(Buffer.from(p.get('wkb') as Uint8Array).toString('base64'), 'AQEAAAAAAAAAAAD4PwAAAAAAAALA');
    assert.equal(map(OID.bytea, -1, { ...opts, binaryMode: 'hex' }).convert('\\x00ff'), '00ff');
    assert.equal(map(OID.bytea, -1, { ...opts, binaryMode: 'base64-url-safe' }).convert('\\xfbff'), '-_8=');
  });
});
