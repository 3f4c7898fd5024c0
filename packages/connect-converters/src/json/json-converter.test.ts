import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Decimal, SchemaBuilder, Schemas, Struct, TimestampType } from '@tributary/connect-api';
import { JsonConverter } from './json-converter.js';
import { ORDER, order } from './golden-cases.js';

function converter(config: Record<string, string> = {}): JsonConverter {
  const c = new JsonConverter();
  c.configure(config, false);
  return c;
}

const json = (s: string) => Buffer.from(s, 'utf8');

describe('JsonConverter reads Connect values', () => {
  it('gives back a Struct with the same values and exact int64', () => {
    const c = converter();
    const back = c.toConnectData('t', c.fromConnectData('t', ORDER, order()));
    const s = back.value as Struct;
    assert.equal(s.get('id'), 9007199254740993n);
    assert.equal(s.get('amount'), '12.30');
    assert.equal((s.get('ts') as Date).getTime(), 1700000000123);
    assert.deepEqual(s.get('raw'), Uint8Array.of(0, 1, 2, 255));
    assert.equal((s.get('address') as Struct).get('zip'), 12345);
    assert.equal(s.get('qty'), 1);
  });

  it('shares one schema object between records of the same schema', () => {
    const c = converter();
    const bytes = c.fromConnectData('t', ORDER, order());
    const a = c.toConnectData('t', bytes);
    const b = c.toConnectData('t', bytes);
    assert.equal(a.schema, b.schema);
    assert.equal(a.schema!.name, 'shop.Order');
  });

  it('reads NUMERIC decimals exactly and at the schema scale', () => {
    const c = converter({ 'decimal.format': 'NUMERIC' });
    const text =
      '{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":12.3}';
    assert.equal(c.toConnectData('t', json(text)).value, '12.30');
    const big = c.toConnectData('t', c.fromConnectData('t', Decimal.schema(4), '-123456789012345678901234567890.1234'));
    assert.equal(big.value, '-123456789012345678901234567890.1234');
  });

  it('reads plain JSON without schemas, keeping big integers exact', () => {
    const c = converter({ 'schemas.enable': 'false' });
    assert.deepEqual(c.toConnectData('t', json('{"a":[1,2.5,"x"],"b":12345678901234567890}')), {
      schema: null,
      value: { a: [1, 2.5, 'x'], b: 12345678901234567890n },
    });
  });

  it('accepts envelopes in any key order and with spaces', () => {
    const c = converter();
    const v = c.toConnectData('t', json(' { "payload" : 5 , "schema" : { "type" : "int32" , "optional" : false } } '));
    assert.equal(v.value, 5);
    assert.equal(v.schema!.type, 'INT32');
  });

  it('rejects an envelope with a third key even when it looks like ours', () => {
    const c = converter();
    assert.throws(
      () => c.toConnectData('t', json('{"schema":null,"payload":1,"x":2}')),
      /requires "schema" and "payload"/,
    );
  });

  it('applies schema defaults to missing fields when reading', () => {
    const c = converter();
    const text =
      '{"schema":{"type":"struct","fields":[{"type":"string","optional":false,"default":"d","field":"s"}],"optional":false},"payload":{}}';
    assert.equal((c.toConnectData('t', json(text)).value as Struct).get('s'), 'd');
  });

  it("throws Kafka's errors for values that do not fit the schema", () => {
    const c = converter();
    assert.throws(
      () => c.fromConnectData('t', Schemas.INT32, null),
      /null value for field that is required and has no default value/,
    );
    const other = SchemaBuilder.struct().field('x', Schemas.INT32).build();
    assert.throws(() => c.fromConnectData('t', ORDER, new Struct(other).put('x', 1)), /Mismatching schema/);
  });

  it('writes tombstones as null bytes and reads them back as null', () => {
    const c = converter();
    assert.equal(c.fromConnectData('t', null, null), null);
    assert.deepEqual(c.toConnectData('t', null), { schema: null, value: null });
  });

  it('is a header converter too', () => {
    const c = converter();
    const bytes = c.fromConnectHeader('t', 'h', Schemas.STRING, 'v');
    assert.deepEqual(c.toConnectHeader('t', 'h', bytes), { schema: Schemas.STRING, value: 'v' });
  });
});

describe('JsonConverter struct writer: inline fields give the same bytes and errors as the field writers', () => {
  const SCHEMA = SchemaBuilder.struct()
    .name('t.Row')
    .field('s', Schemas.OPTIONAL_STRING)
    .field('i', Schemas.OPTIONAL_INT32)
    .field('l', Schemas.INT64)
    .field('ts', TimestampType.builder().optional().build())
    .field('d', SchemaBuilder.string().optional().defaultValue('dflt').build())
    .field('m', SchemaBuilder.map(Schemas.STRING, Schemas.STRING).optional().build())
    .build();
  const text = (c: JsonConverter, v: unknown) => Buffer.from(c.fromConnectData('t', SCHEMA, v)!).toString('utf8');

  it('writes strings (escaped or not), integers, bigints, timestamps, nulls and defaults', () => {
    const v = new Struct(SCHEMA)
      .put('s', 'a"\u0001\ud83d\ude00')
      .put('i', -0)
      .put('l', 9007199254740993n)
      .put('ts', new Date(1700000000123))
      .put('m', { b: '1', a: '2' });
    assert.equal(
      text(converter({ 'schemas.enable': 'false' }), v),
      '{"s":"a\\"\\u0001\\uD83D\\uDE00","i":0,"l":9007199254740993,"ts":1700000000123,"d":"dflt","m":{"b":"1","a":"2"}}',
    );
    assert.equal(
      text(
        converter({ 'schemas.enable': 'false', 'replace.null.with.default': 'false' }),
        v.put('s', null).put('m', new Map([['k', 'v']])),
      ),
      '{"s":null,"i":0,"l":9007199254740993,"ts":1700000000123,"d":null,"m":{"k":"v"}}',
    );
  });

  it("still throws the field writer's error for a value of the wrong type", () => {
    const c = converter({ 'schemas.enable': 'false' });
    const row = () => new Struct(SCHEMA).put('l', 1);
    // putTrustedAt skips the type check, so a wrong value reaches the writer.
    const wrong = (field: string, value: unknown) =>
      row().putTrustedAt(
        SCHEMA.fields!.findIndex((f) => f.name === field),
        value,
      );
    assert.throws(() => text(c, wrong('s', 5)), { name: 'DataError', message: 'Invalid type for STRING: number' });
    assert.throws(() => text(c, wrong('i', 1.5)), { name: 'DataError', message: 'Invalid type for INT32: number' });
    assert.throws(() => text(c, wrong('ts', 5)), {
      name: 'DataError',
      message: 'Invalid type for Timestamp, expected Date but was number',
    });
    assert.throws(() => text(c, new Struct(SCHEMA)), /null value for field that is required and has no default value/);
  });
});

describe('parseJson long-number detection', () => {
  it('keeps 16+ digit runs exact wherever they stand, and leaves shorter numbers to JSON.parse', async () => {
    const { parseJson } = await import('./json-parse.js');
    for (let pad = 0; pad < 20; pad++) {
      const v = parseJson(`{"${'p'.repeat(pad)}":1,"big":9007199254740993,"small":123456789012345}`) as Record<
        string,
        unknown
      >;
      assert.equal(v.big, 9007199254740993n, `pad ${pad}`);
      assert.equal(v.small, 123456789012345);
    }
    assert.deepEqual(parseJson('[1234567890123456]'), [1234567890123456]);
    assert.deepEqual(parseJson('["12345678901234567890", 1]'), ['12345678901234567890', 1]);
  });
});
