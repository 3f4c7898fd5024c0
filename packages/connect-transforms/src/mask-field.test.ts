import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DateType, Decimal, SchemaBuilder, Schemas, Struct, TimestampType } from '@tributary/connect-api';
import { MaskField } from './mask-field.js';
import { configured, withValue } from './test-helpers.js';

const SCHEMA = SchemaBuilder.struct()
  .field('magic', Schemas.INT32)
  .field('bool', Schemas.BOOLEAN)
  .field('byte', Schemas.INT8)
  .field('long', Schemas.INT64)
  .field('float', Schemas.FLOAT32)
  .field('double', Schemas.FLOAT64)
  .field('string', Schemas.STRING)
  .field('date', DateType.SCHEMA)
  .field('timestamp', TimestampType.SCHEMA)
  .field('decimal', Decimal.schema(0))
  .field('array', SchemaBuilder.array(Schemas.INT32).build())
  .field('map', SchemaBuilder.map(Schemas.STRING, Schemas.STRING).build())
  .field('withDefault', SchemaBuilder.string().optional().defaultValue('default').build())
  .build();

function struct(): Struct {
  return new Struct(SCHEMA)
    .put('magic', 42)
    .put('bool', true)
    .put('byte', 42)
    .put('long', 42)
    .put('float', 42)
    .put('double', 42)
    .put('string', 'blabla')
    .put('date', new Date(0))
    .put('timestamp', new Date(1234))
    .put('decimal', '42')
    .put('array', [1, 2, 3])
    .put('map', new Map([['what', 'what']]));
}

describe('MaskField', () => {
  it("masks Struct fields with their type's zero", () => {
    const fields = SCHEMA.fields!.map((f) => f.name).filter((n) => n !== 'magic');
    const out = configured(new MaskField('value'), { fields: fields.join(',') }).apply(withValue(SCHEMA, struct()))!;
    const v = out.value as Struct;
    assert.equal(out.valueSchema, SCHEMA);
    assert.equal(v.get('magic'), 42);
    assert.equal(v.get('bool'), false);
    assert.equal(v.get('byte'), 0);
    assert.equal(v.get('long'), 0);
    assert.equal(v.get('float'), 0);
    assert.equal(v.get('string'), '');
    assert.deepEqual(v.get('date'), new Date(0));
    assert.deepEqual(v.get('timestamp'), new Date(0));
    assert.equal(v.get('decimal'), '0');
    assert.deepEqual(v.get('array'), []);
    assert.deepEqual(v.get('map'), new Map());
    assert.equal(v.get('withDefault'), ''); // the default stands in for null, and is masked
  });

  it('masks map entries, inferring the zero from the value', () => {
    const out = configured(new MaskField('value'), { fields: 'n,s,b,l,d' }).apply(
      withValue(null, { n: 42, s: 'x', b: true, l: [1], d: new Date(5), keep: 1 }),
    )!;
    assert.deepEqual(out.value, { n: 0, s: '', b: false, l: [], d: new Date(0), keep: 1 });
  });

  it('uses the replacement for numbers and strings', () => {
    const t = configured(new MaskField('value'), { fields: 'magic,string,double', replacement: '123' });
    const v = t.apply(withValue(SCHEMA, struct()))!.value as Struct;
    assert.equal(v.get('magic'), 123);
    assert.equal(v.get('string'), '123');
    assert.equal(v.get('double'), 123);
  });

  it('refuses a replacement it cannot apply', () => {
    assert.throws(
      () => configured(new MaskField('value'), { fields: 'bool', replacement: 'x' }).apply(withValue(SCHEMA, struct())),
      /Cannot mask value of type boolean with custom replacement/,
    );
    assert.throws(
      () =>
        configured(new MaskField('value'), { fields: 'magic', replacement: 'abc' }).apply(withValue(SCHEMA, struct())),
      /Unable to convert abc \(string\) to number/,
    );
    assert.throws(
      () => configured(new MaskField('value'), { fields: 'magic', replacement: '' }),
      /String must be non-empty/,
    );
    assert.throws(() => configured(new MaskField('value'), { fields: '' }), /Empty list/);
  });
});
