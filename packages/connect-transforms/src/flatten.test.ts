import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SchemaBuilder, Schemas, Struct } from '@tributary/connect-api';
import { Flatten } from './flatten.js';
import { configured, withValue } from './test-helpers.js';

describe('Flatten', () => {
  it('flattens nested maps with the delimiter, keeping arrays', () => {
    const t = configured(new Flatten('value'), { delimiter: '#' });
    const out = t.apply(withValue(null, { A: { B: { int8: 8, string: 'x' }, list: [1, 2] }, top: true, n: null }))!;
    assert.deepEqual(out.value, { 'A#B#int8': 8, 'A#B#string': 'x', 'A#list': [1, 2], top: true, n: null });
  });

  it('flattens nested Structs into one schema; children of optional parents become optional', () => {
    const inner = SchemaBuilder.struct()
      .field('int8', Schemas.INT8)
      .field('str', SchemaBuilder.string().defaultValue('d').build())
      .build();
    const mid = SchemaBuilder.struct()
      .optional()
      .field('inner', inner)
      .field('list', SchemaBuilder.array(Schemas.INT32).build())
      .build();
    const schema = SchemaBuilder.struct().name('top').field('mid', mid).field('flag', Schemas.BOOLEAN).build();
    const value = new Struct(schema)
      .put('flag', true)
      .put('mid', new Struct(mid).put('list', [1]).put('inner', new Struct(inner).put('int8', 8).put('str', 's')));
    const out = configured(new Flatten('value'), {}).apply(withValue(schema, value))!;
    assert.equal(out.valueSchema!.name, 'top');
    assert.deepEqual(
      out.valueSchema!.fields!.map((f) => [f.name, f.schema.type, f.schema.optional]),
      [
        ['mid.inner.int8', 'INT8', true],
        ['mid.inner.str', 'STRING', true],
        ['mid.list', 'ARRAY', true],
        ['flag', 'BOOLEAN', false],
      ],
    );
    assert.equal(out.valueSchema!.fields![1]!.schema.defaultValue, 'd');
    assert.deepEqual((out.value as Struct).toJSON(), {
      'mid.inner.int8': 8,
      'mid.inner.str': 's',
      'mid.list': [1],
      flag: true,
    });
  });

  it('keeps null nested Structs as missing fields and null values as null', () => {
    const mid = SchemaBuilder.struct().optional().field('a', Schemas.INT32).build();
    const schema = SchemaBuilder.struct().optional().field('mid', mid).build();
    const t = configured(new Flatten('value'), {});
    assert.deepEqual((t.apply(withValue(schema, new Struct(schema)))!.value as Struct).toJSON(), { 'mid.a': null });
    assert.equal(t.apply(withValue(schema, null))!.value, null);
    assert.equal(t.apply(withValue(null, null))!.value, null);
  });
});
