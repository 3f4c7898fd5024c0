import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import cassandra from 'cassandra-driver';
import { Decimal, SchemaBuilder, Schemas, Struct } from '@tributary/connect-api';
import { toCql } from './cql-values.js';

const TEXT = { code: cassandra.types.dataTypes.text };

describe('toCql into text columns', () => {
  it("writes objects, maps and Structs as JSON by the shared codec (Kafka's rules, decimals as numbers)", () => {
    const schema = SchemaBuilder.struct()
      .field('f', Schemas.FLOAT32)
      .field('d', Schemas.FLOAT64)
      .field('p', Decimal.schema(2))
      .build();
    assert.equal(
      toCql(new Struct(schema).put('f', 0.4).put('d', 60).put('p', '1.50'), TEXT, 'c'),
      '{"f":0.4,"d":60.0,"p":1.50}',
    );
    assert.equal(
      toCql({ a: [1, 'x'], big: 2n ** 60n, at: new Date(5) }, TEXT, 'c'),
      '{"a":[1,"x"],"big":1152921504606846976,"at":5}',
    );
    assert.equal(toCql(new Map([[1, 'a']]), TEXT, 'c'), '[[1,"a"]]');
  });
  it('keeps strings and scalars as text', () => {
    assert.equal(toCql('plain', TEXT, 'c'), 'plain');
    assert.equal(toCql(12, TEXT, 'c'), '12');
    assert.equal(toCql(new Date(0), TEXT, 'c'), '1970-01-01T00:00:00.000Z');
  });
});
