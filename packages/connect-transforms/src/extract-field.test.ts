import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SchemaBuilder, Schemas, Struct } from '@tributary/connect-api';
import { ExtractField } from './extract-field.js';
import { configured, sourceRecord, withValue } from './test-helpers.js';

describe('ExtractField', () => {
  it('extracts from a map key', () => {
    const out = configured(new ExtractField('key'), { field: 'magic' }).apply(sourceRecord({ key: { magic: 42 } }))!;
    assert.equal(out.key, 42);
    assert.equal(out.keySchema, null);
  });

  it('extracts a Struct field with its schema', () => {
    const schema = SchemaBuilder.struct().field('magic', Schemas.INT32).build();
    const out = configured(new ExtractField('value'), { field: 'magic' }).apply(
      withValue(schema, new Struct(schema).put('magic', 42)),
    )!;
    assert.equal(out.value, 42);
    assert.equal(out.valueSchema, Schemas.INT32);
  });

  it('follows nested paths with V2, backticks quoting dots', () => {
    const inner = SchemaBuilder.struct().field('b.c', Schemas.STRING).build();
    const schema = SchemaBuilder.struct().field('a', inner).build();
    const value = new Struct(schema).put('a', new Struct(inner).put('b.c', 'deep'));
    const t = configured(new ExtractField('value'), { field: 'a.`b.c`', 'field.syntax.version': 'V2' });
    assert.equal(t.apply(withValue(schema, value))!.value, 'deep');
    const m = configured(new ExtractField('value'), { field: 'a.b', 'field.syntax.version': 'v2' });
    assert.equal(m.apply(withValue(null, { a: { b: 7 } }))!.value, 7);
    assert.equal(m.apply(withValue(null, { a: 1 }))!.value, null);
  });

  it('V1 takes a dotted name literally', () => {
    assert.equal(
      configured(new ExtractField('value'), { field: 'a.b' }).apply(withValue(null, { 'a.b': 1 }))!.value,
      1,
    );
  });

  it('keeps tombstones and fails on unknown Struct fields', () => {
    const schema = SchemaBuilder.struct().optional().field('magic', Schemas.INT32).build();
    const t = configured(new ExtractField('value'), { field: 'magic' });
    const out = t.apply(withValue(schema, null))!;
    assert.equal(out.value, null);
    assert.equal(out.valueSchema, Schemas.INT32);
    assert.equal(t.apply(withValue(null, null))!.value, null);
    assert.throws(
      () => configured(new ExtractField('value'), { field: 'nope' }).apply(withValue(schema, new Struct(schema))),
      /Unknown field: nope/,
    );
  });

  it('rejects an unbalanced backtick', () => {
    assert.throws(
      () => configured(new ExtractField('value'), { field: '`a.b', 'field.syntax.version': 'V2' }),
      /Incomplete backtick pair in path: \[`a.b\]/,
    );
  });
});
