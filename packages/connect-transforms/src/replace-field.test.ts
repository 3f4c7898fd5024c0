import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SchemaBuilder, Schemas, Struct } from '@tributary/connect-api';
import { ReplaceField } from './replace-field.js';
import { configured, withValue } from './test-helpers.js';

describe('ReplaceField', () => {
  it("excludes, includes and renames map entries (Kafka's schemaless test)", () => {
    const t = configured(new ReplaceField('value'), { exclude: 'dont', renames: 'abc:xyz,foo:bar' });
    const out = t.apply(withValue(null, { dont: 'whatever', abc: 42, foo: true, etc: 'etc' }))!;
    assert.deepEqual(out.value, { xyz: 42, bar: true, etc: 'etc' });
  });

  it('keeps only included fields of a Struct, renamed, with a derived schema', () => {
    const t = configured(new ReplaceField('value'), { include: 'abc,foo', renames: 'abc:xyz,foo:bar' });
    const schema = SchemaBuilder.struct()
      .name('n')
      .field('dont', Schemas.STRING)
      .field('abc', Schemas.INT32)
      .field('foo', Schemas.BOOLEAN)
      .field('etc', Schemas.STRING)
      .build();
    const value = new Struct(schema).put('dont', 'whatever').put('abc', 42).put('foo', true).put('etc', 'etc');
    const out = t.apply(withValue(schema, value))!;
    assert.deepEqual(
      out.valueSchema!.fields!.map((f) => f.name),
      ['xyz', 'bar'],
    );
    assert.equal(out.valueSchema!.name, 'n');
    assert.deepEqual((out.value as Struct).toJSON(), { xyz: 42, bar: true });
  });

  it('exclude wins over include', () => {
    const t = configured(new ReplaceField('value'), { include: 'a,b', exclude: 'b' });
    assert.deepEqual(t.apply(withValue(null, { a: 1, b: 2, c: 3 }))!.value, { a: 1 });
  });

  it('accepts the pre-4.0 blacklist and whitelist names', () => {
    const t = configured(new ReplaceField('value'), { whitelist: 'a,b', blacklist: 'b' });
    assert.deepEqual(t.apply(withValue(null, { a: 1, b: 2, c: 3 }))!.value, { a: 1 });
  });

  it('rejects a bad rename mapping', () => {
    assert.throws(() => configured(new ReplaceField('value'), { renames: 'a:b:c' }), /Invalid rename mapping: a:b:c/);
  });

  it('passes tombstones through', () => {
    const t = configured(new ReplaceField('value'), { exclude: 'a' });
    const r = withValue(null, null);
    assert.equal(t.apply(r), r);
  });
});
