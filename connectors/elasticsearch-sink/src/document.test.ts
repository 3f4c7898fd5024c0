import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal, DateType, SchemaBuilder, Schemas, Struct, TimeType, TimestampType } from '@tributary/connect-api';
import { documentJson } from './document.js';

describe('documentJson', () => {
  it('writes a struct with logical types the way Elasticsearch date/double fields read them', () => {
    const schema = SchemaBuilder.struct()
      .field('name', Schemas.OPTIONAL_STRING)
      .field('n', Schemas.INT64)
      .field('price', Decimal.schema(2))
      .field('at', TimestampType.SCHEMA)
      .field('day', DateType.SCHEMA)
      .field('time', TimeType.SCHEMA)
      .field('raw', Schemas.BYTES)
      .field('tags', SchemaBuilder.array(Schemas.STRING).build())
      .field('attrs', SchemaBuilder.map(Schemas.STRING, Schemas.INT32).build())
      .build();
    const v = new Struct(schema)
      .put('name', null)
      .put('n', 2n ** 60n)
      .put('price', '12.30')
      .put('at', new Date(Date.UTC(2003, 6, 3, 5, 53, 3)))
      .put('day', new Date(Date.UTC(2020, 1, 29)))
      .put('time', new Date(3_600_000))
      .put('raw', Uint8Array.from([1, 2, 255]))
      .put('tags', ['a', 'b'])
      .put('attrs', new Map([['x', 1]]));
    assert.equal(
      documentJson(schema, v, true),
      '{"name":null,"n":1152921504606846976,"price":12.30,"at":1057211583000,"day":"2020-02-29","time":3600000,"raw":"AQL/","tags":["a","b"],"attrs":{"x":1}}',
    );
  });

  it('writes maps as key/value arrays when compact.map.entries=false or keys are not strings', () => {
    const schema = SchemaBuilder.map(Schemas.INT32, Schemas.STRING).build();
    assert.equal(documentJson(schema, new Map([[1, 'a']]), true), '[{"key":1,"value":"a"}]');
    assert.equal(documentJson(null, new Map([['k', 'v']]), false), '[{"key":"k","value":"v"}]');
  });

  it('writes schemaless values: plain objects natively, bigints exact, dates as epoch ms', () => {
    assert.equal(documentJson(null, { a: 1, b: 'x', c: true, d: null }, true), '{"a":1,"b":"x","c":true,"d":null}');
    assert.equal(
      documentJson(null, { big: 2n ** 64n, at: new Date(5), nested: { m: new Map([['k', 1]]) } }, true),
      '{"big":18446744073709551616,"at":5,"nested":{"m":{"k":1}}}',
    );
  });

  it("writes numbers as Kafka's JsonConverter does: FLOAT32 by Float.toString, whole FLOAT64 with .0", () => {
    const schema = SchemaBuilder.struct()
      .field('f', Schemas.FLOAT32)
      .field('d', Schemas.FLOAT64)
      .field('e', Schemas.FLOAT64)
      .build();
    assert.equal(
      documentJson(schema, new Struct(schema).put('f', 0.4).put('d', 60).put('e', 1e21), true),
      '{"f":0.4,"d":60.0,"e":1.0E21}',
    );
  });

  it('refuses a Decimal that is not a number', () => {
    assert.throws(() => documentJson(Decimal.schema(2), 'abc', true), /not a decimal number/);
  });
});
