import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Decimal, SchemaBuilder, Schemas, Struct } from '@tributary/connect-api';
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
    const text = '{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":12.3}';
    assert.equal(c.toConnectData('t', json(text)).value, '12.30');
    const big = c.toConnectData('t', c.fromConnectData('t', Decimal.schema(4), '-123456789012345678901234567890.1234'));
    assert.equal(big.value, '-123456789012345678901234567890.1234');
  });

  it('reads plain JSON without schemas, keeping big integers exact', () => {
    const c = converter({ 'schemas.enable': 'false' });
    assert.deepEqual(c.toConnectData('t', json('{"a":[1,2.5,"x"],"b":12345678901234567890}')), {
      schema: null, value: { a: [1, 2.5, 'x'], b: 12345678901234567890n },
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
    assert.throws(() => c.toConnectData('t', json('{"schema":null,"payload":1,"x":2}')), /requires "schema" and "payload"/);
  });

  it('applies schema defaults to missing fields when reading', () => {
    const c = converter();
    const text = '{"schema":{"type":"struct","fields":[{"type":"string","optional":false,"default":"d","field":"s"}],"optional":false},"payload":{}}';
    assert.equal((c.toConnectData('t', json(text)).value as Struct).get('s'), 'd');
  });

  it('throws Kafka\'s errors for values that do not fit the schema', () => {
    const c = converter();
    assert.throws(() => c.fromConnectData('t', Schemas.INT32, null), /null value for field that is required and has no default value/);
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
