import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SchemaBuilder, Schemas, Struct } from '@tributary/connect-api';
import { ValueToKey } from './value-to-key.js';
import { configured, withValue } from './test-helpers.js';

describe('ValueToKey', () => {
  it('builds a map key from value entries', () => {
    const out = configured(new ValueToKey(), { fields: 'a,b' }).apply(withValue(null, { a: 1, b: 2, c: 3 }))!;
    assert.deepEqual(out.key, { a: 1, b: 2 });
    assert.equal(out.keySchema, null);
  });

  it("builds a Struct key with a schema of the value's fields", () => {
    const schema = SchemaBuilder.struct()
      .field('a', Schemas.INT32)
      .field('b', Schemas.INT32)
      .field('c', Schemas.INT32)
      .build();
    const out = configured(new ValueToKey(), { fields: 'a,b' }).apply(
      withValue(schema, new Struct(schema).put('a', 1).put('b', 2).put('c', 3)),
    )!;
    assert.deepEqual(
      out.keySchema!.fields!.map((f) => [f.name, f.schema]),
      [
        ['a', Schemas.INT32],
        ['b', Schemas.INT32],
      ],
    );
    assert.deepEqual((out.key as Struct).toJSON(), { a: 1, b: 2 });
  });

  it('names a missing field', () => {
    const schema = SchemaBuilder.struct().field('a', Schemas.INT32).build();
    assert.throws(
      () => configured(new ValueToKey(), { fields: 'nope' }).apply(withValue(schema, new Struct(schema).put('a', 1))),
      /Field does not exist: nope/,
    );
  });
});
