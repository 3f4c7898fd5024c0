import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SchemaBuilder, Schemas, Struct, TimestampType } from '@tributary/connect-api';
import { Cast } from './cast.js';
import { InsertField } from './insert-field.js';
import { RegexRouter } from './regex-router.js';
import { ReplaceField } from './replace-field.js';
import { configured, withValue } from './test-helpers.js';
import { TimestampConverter } from './timestamp-converter.js';

/**
 * The copy-by-position fast paths (Struct.getAt/putTrustedAt) must give the same results as the
 * by-name path, including for a Struct whose schema is not the record's (fields in another order).
 */
describe('transform fast paths', () => {
  const S = SchemaBuilder.struct()
    .name('r')
    .field('a', Schemas.INT32)
    .field('b', Schemas.STRING)
    .field('ts', Schemas.INT64)
    .field('opt', Schemas.OPTIONAL_STRING)
    .build();
  const REORDERED = SchemaBuilder.struct()
    .name('r')
    .field('ts', Schemas.INT64)
    .field('opt', Schemas.OPTIONAL_STRING)
    .field('b', Schemas.STRING)
    .field('a', Schemas.INT32)
    .build();
  const value = (schema = S) =>
    new Struct(schema).put('a', 7).put('b', '42').put('ts', 1_700_000_000_000).put('opt', null);

  it('Cast and TimestampConverter copy by name when the Struct has another schema than the record', () => {
    for (const v of [value(S), value(REORDERED)]) {
      const cast = configured(new Cast('value'), { spec: 'b:int64' }).apply(withValue(S, v))!;
      const c = cast.value as Struct;
      assert.equal(c.get('a'), 7);
      assert.equal(c.get('b'), 42);
      assert.equal(c.schema.fields!.find((f) => f.name === 'b')!.schema.type, 'INT64');
      const ts = configured(new TimestampConverter('value'), { field: 'ts', 'target.type': 'Timestamp' }).apply(
        withValue(S, v),
      )!;
      const t = ts.value as Struct;
      assert.equal((t.get('ts') as Date).getTime(), 1_700_000_000_000);
      assert.equal(t.get('b'), '42');
      assert.equal(t.schema.fields!.find((f) => f.name === 'ts')!.schema.name, TimestampType.LOGICAL_NAME);
    }
  });

  it('ReplaceField and InsertField keep values by name through renames and reordering', () => {
    const r = configured(new ReplaceField('value'), { exclude: 'opt', renames: 'a:alpha' }).apply(
      withValue(S, value()),
    )!;
    assert.deepEqual((r.value as Struct).toJSON(), { alpha: 7, b: '42', ts: 1_700_000_000_000 });
    const i = configured(new InsertField('value'), { 'static.field': 's', 'static.value': 'v' }).apply(r)!;
    assert.deepEqual((i.value as Struct).toJSON(), { alpha: 7, b: '42', ts: 1_700_000_000_000, s: 'v' });
  });

  it('a required field left null still fails on the trusted path', () => {
    const incomplete = new Struct(S).put('a', 1); // b and ts unset
    assert.throws(
      () =>
        configured(new InsertField('value'), { 'static.field': 's', 'static.value': 'v' }).apply(
          withValue(S, incomplete),
        ),
      /null used for required field: "b"/,
    );
  });

  it('RegexRouter remembers routes per topic and forgets them on reconfigure', () => {
    const router = configured(new RegexRouter(), { regex: '(.*)', replacement: 'a-$1' });
    assert.equal(router.apply(withValue(null, 1, { topic: 't' }))!.topic, 'a-t');
    assert.equal(router.apply(withValue(null, 1, { topic: 't' }))!.topic, 'a-t');
    router.configure({ regex: '(.*)', replacement: 'b-$1' });
    assert.equal(router.apply(withValue(null, 1, { topic: 't' }))!.topic, 'b-t');
    const noMatch = configured(new RegexRouter(), { regex: 'x(.*)', replacement: '$1' });
    const rec = withValue(null, 1, { topic: 'y' });
    assert.equal(noMatch.apply(rec), rec);
  });
});
