import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SchemaBuilder, Schemas, Struct } from '@tributary/connect-api';
import { DropHeaders } from './drop-headers.js';
import { Filter } from './filter.js';
import { HeaderFrom } from './header-from.js';
import { InsertHeader } from './insert-header.js';
import { configured, sourceRecord, withValue } from './test-helpers.js';

describe('InsertHeader', () => {
  it('adds a header typed from its literal', () => {
    const add = (literal: string) =>
      configured(new InsertHeader(), { header: 'h', 'value.literal': literal }).apply(
        sourceRecord({ headers: [{ key: 'x', value: 1 }] }),
      )!.headers;
    const h = add('hello');
    assert.equal(h.length, 2);
    assert.deepEqual(h[1], { key: 'h', schema: Schemas.STRING, value: 'hello' });
    assert.deepEqual(add('42')[1], { key: 'h', schema: Schemas.INT8, value: 42 });
    assert.equal(add('true')[1]!.value, true);
    assert.equal(add('1.5')[1]!.schema, Schemas.FLOAT32);
  });

  it('requires both keys', () => {
    assert.throws(() => configured(new InsertHeader(), { header: 'h' }), /value.literal/);
  });
});

describe('DropHeaders', () => {
  it('drops every header with a listed name', () => {
    const r = sourceRecord({
      headers: [
        { key: 'a', value: 1 },
        { key: 'b', value: 2 },
        { key: 'a', value: 3 },
        { key: 'c', value: 4 },
      ],
    });
    assert.deepEqual(
      configured(new DropHeaders(), { headers: 'a,c' })
        .apply(r)!
        .headers.map((h) => h.key),
      ['b'],
    );
  });
});

describe('HeaderFrom', () => {
  const schema = SchemaBuilder.struct().name('v').field('id', Schemas.INT32).field('name', Schemas.STRING).build();

  it('moves Struct fields into headers with their schemas', () => {
    const t = configured(new HeaderFrom('value'), { fields: 'id', headers: 'the-id', operation: 'move' });
    const out = t.apply(withValue(schema, new Struct(schema).put('id', 7).put('name', 'n')))!;
    assert.deepEqual(
      out.valueSchema!.fields!.map((f) => f.name),
      ['name'],
    );
    assert.equal(out.valueSchema!.name, 'v');
    assert.deepEqual(out.headers, [{ key: 'the-id', schema: Schemas.INT32, value: 7 }]);
  });

  it('copies map entries into headers', () => {
    const t = configured(new HeaderFrom('value'), { fields: 'id,name', headers: 'h1,h2', operation: 'copy' });
    const out = t.apply(withValue(null, { id: 7, name: 'n' }))!;
    assert.deepEqual(out.value, { id: 7, name: 'n' });
    assert.deepEqual(
      out.headers.map((h) => [h.key, h.value]),
      [
        ['h1', 7],
        ['h2', 'n'],
      ],
    );
  });

  it('needs as many headers as fields', () => {
    assert.throws(
      () => configured(new HeaderFrom('value'), { fields: 'a,b', headers: 'h', operation: 'copy' }),
      /'fields' config must have the same number of elements as 'headers' config/,
    );
  });
});

describe('Filter', () => {
  it('drops every record', () => {
    assert.equal(configured(new Filter(), {}).apply(sourceRecord()), null);
  });
});
