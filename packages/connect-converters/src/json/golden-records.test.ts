import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DateType, SchemaBuilder, Schemas, type Struct } from '@tributary/connect-api';
import { JsonConverter } from './json-converter.js';
import { JsonWriter } from './json-writer.js';
import { allTypesRecords, specialRecords } from './golden-records.js';

// Lines written by Kafka's own JsonConverter for the record set (golden/src/SinkRecords.java); tests run from
// dist/json/.
const FIXTURES = new URL('../../golden/fixtures/records/', import.meta.url);

function goldenLines(name: string): string[] {
  const text = readFileSync(new URL(name, FIXTURES), 'utf8');
  assert.ok(text.endsWith('\n'));
  return text.slice(0, -1).split('\n');
}

function converter(config: Record<string, string>): JsonConverter {
  const c = new JsonConverter();
  c.configure(config, false);
  return c;
}

const SETS: [string, () => Struct[]][] = [
  ['all-types', allTypesRecords],
  ['specials', specialRecords],
];
const CONFIGS: [string, Record<string, string>][] = [
  ['', { 'schemas.enable': 'false' }],
  ['.numeric', { 'schemas.enable': 'false', 'decimal.format': 'NUMERIC' }],
  ['.envelope', {}],
];

for (const [set, records] of SETS) {
  for (const [suffix, config] of CONFIGS) {
    const file = `${set}${suffix}.jsonl`;
    if (set === 'specials' && suffix === '.numeric') continue;
    describe(`record set ${file}: every Connect type, as Kafka's JsonConverter writes it`, () => {
      const golden = goldenLines(file);
      const c = converter(config);
      records().forEach((r, i) => {
        it(`record ${i} equals Kafka's bytes`, () => {
          assert.equal(Buffer.from(c.fromConnectData('t', r.schema, r)!).toString('utf8'), golden[i]);
        });
        it(`record ${i} reads back and writes the same bytes`, () => {
          if (!('schemas.enable' in config)) {
            const back = c.toConnectData('t', Buffer.from(golden[i]!));
            assert.equal(Buffer.from(c.fromConnectData('t', back.schema, back.value)!).toString('utf8'), golden[i]);
          }
        });
      });
      it('has one golden line per record', () => assert.equal(golden.length, records().length));
    });
  }
}

describe('JsonWriter options for sinks that depart from Kafka', () => {
  const [first] = allTypesRecords();
  const es = new JsonWriter({
    decimalNumeric: true,
    replaceNullWithDefault: true,
    dates: 'iso',
    mapArrays: 'entries',
    schemalessDates: 'millis',
  });
  it('dates: iso writes yyyy-MM-dd; decimals NUMERIC; maps of other keys as {"key","value"} objects', () => {
    const doc = JSON.parse(es.write(first!.schema, first)) as Record<string, unknown>;
    assert.equal(doc.day, '2024-02-29');
    assert.deepEqual(doc.by_id, [
      { key: 1, value: 10 },
      { key: -2, value: 20 },
    ]);
    assert.deepEqual(doc.by_name, { a: 1, b: 2 });
    assert.equal(es.write(first!.schema, first).includes('"d2":12.30,'), true);
    assert.equal(es.write(first!.schema, first).includes('"f32":0.4,'), true);
  });
  it('dates: iso covers years 0 to 9999 and beyond', () => {
    const w = new JsonWriter({ decimalNumeric: false, replaceNullWithDefault: true, dates: 'iso' });
    const schema = DateType.SCHEMA;
    assert.equal(w.write(schema, new Date(-86_400_000)), '"1969-12-31"');
    assert.equal(w.write(schema, new Date(2_932_896 * 86_400_000)), '"9999-12-31"');
    assert.equal(w.write(schema, new Date(2_932_897 * 86_400_000)), '"+010000-01-01"');
  });
  it('stringKeyMapsAsObjects=false writes every map as an array', () => {
    const w = new JsonWriter({
      decimalNumeric: false,
      replaceNullWithDefault: true,
      mapArrays: 'entries',
      stringKeyMapsAsObjects: false,
    });
    const schema = SchemaBuilder.map(Schemas.STRING, Schemas.INT64).build();
    assert.equal(w.write(schema, new Map([['a', 1]])), '[{"key":"a","value":1}]');
    assert.equal(w.write(null, new Map([['a', 1]])), '[{"key":"a","value":1}]');
  });
  it('schemaless Dates: refused as Kafka does, or epoch milliseconds', () => {
    assert.throws(
      () => new JsonWriter({ decimalNumeric: false, replaceNullWithDefault: true }).write(null, { at: new Date(5) }),
      /java.util.Date/,
    );
    assert.equal(es.write(null, { at: new Date(5) }), '{"at":5}');
  });
  it('schemaless values JSON.stringify would write differently take the exact path', () => {
    const w = new JsonWriter({ decimalNumeric: false, replaceNullWithDefault: true });
    assert.equal(
      w.write(null, { a: 1e-5, b: 1e21, c: '\u0001\ud83d\ude00', d: [undefined], e: -0, f: 0.5 }),
      '{"a":1.0E-5,"b":1.0E21,"c":"\\u0001\\uD83D\\uDE00","d":[null],"e":0,"f":0.5}',
    );
    assert.equal(
      w.write(null, { a: 'plain "q" \\ \n', b: [1, 2.5, null, true, { c: 'x' }] }),
      JSON.stringify({ a: 'plain "q" \\ \n', b: [1, 2.5, null, true, { c: 'x' }] }),
    );
  });
});
