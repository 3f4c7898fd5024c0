import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DateType, SchemaBuilder, Schemas, Struct, TimestampType } from '@tributary/connect-api';
import { Cast } from './cast.js';
import { configured, sourceRecord, withValue } from './test-helpers.js';

const cast = (spec: string) => configured(new Cast('value'), { spec });

describe('Cast', () => {
  it('casts a whole schemaless value', () => {
    assert.equal(cast('int8').apply(withValue(null, 42))!.value, 42);
    assert.equal(cast('int8').apply(withValue(null, 300))!.value, 44); // Java's (byte) wraps
    assert.equal(cast('int32').apply(withValue(null, 3e10 + 0.5))!.value, 2147483647); // a double saturates
    assert.equal(cast('int16').apply(withValue(null, true))!.value, 1);
    assert.equal(cast('int64').apply(withValue(null, '42'))!.value, 42);
    assert.equal(cast('float32').apply(withValue(null, '1.1'))!.value, Math.fround(1.1));
    assert.equal(cast('boolean').apply(withValue(null, 0))!.value, false);
    assert.equal(cast('boolean').apply(withValue(null, 'TRUE'))!.value, true);
    assert.equal(cast('string').apply(withValue(null, 42))!.value, '42');
    assert.equal(cast('string').apply(withValue(null, 4.5))!.value, '4.5');
    assert.equal(cast('string').apply(withValue(null, Uint8Array.of(1, 2, 3)))!.value, 'AQID');
    // Without a schema a Date has no Connect type, as in Kafka
    assert.throws(
      () => cast('string').apply(withValue(null, new Date(0))),
      /passed a value of type Date which is not supported/,
    );
    assert.equal(
      cast('string').apply(withValue(TimestampType.SCHEMA, new Date(1700000000123)))!.value,
      '2023-11-14T22:13:20.123Z',
    );
  });

  it("casts a whole schema'd value and keeps the schema basics as Kafka does", () => {
    const out = cast('int32').apply(withValue(SchemaBuilder.int64().name('n').optional().build(), 42))!;
    assert.equal(out.value, 42);
    assert.equal(out.valueSchema!.type, 'INT32');
    assert.equal(out.valueSchema!.name, 'n');
    assert.equal(out.valueSchema!.optional, true);
    assert.equal(cast('string').apply(withValue(Schemas.FLOAT64, 5))!.value, '5.0');
    assert.equal(cast('string').apply(withValue(Schemas.FLOAT32, 0.1))!.value, '0.1');
  });

  it("casts Struct fields (Kafka's field test)", () => {
    const schema = SchemaBuilder.struct()
      .field('int8', Schemas.INT8)
      .field('int16', Schemas.INT16)
      .field('int32', Schemas.INT32)
      .field('int64', Schemas.INT64)
      .field('float32', Schemas.FLOAT32)
      .field('float64', Schemas.FLOAT64)
      .field('boolean', Schemas.BOOLEAN)
      .field('string', Schemas.STRING)
      .field(
        'bigdecimal',
        SchemaBuilder.bytes().name('org.apache.kafka.connect.data.Decimal').parameter('scale', '0').build(),
      )
      .field('date', DateType.SCHEMA)
      .field('timestamp', TimestampType.SCHEMA)
      .field('optional', Schemas.OPTIONAL_FLOAT32)
      .field('other', Schemas.STRING)
      .build();
    const value = new Struct(schema)
      .put('int8', 8)
      .put('int16', 16)
      .put('int32', 32)
      .put('int64', 64)
      .put('float32', 32)
      .put('float64', -64)
      .put('boolean', true)
      .put('string', '42')
      .put('bigdecimal', '42')
      .put('date', new Date(0))
      .put('timestamp', new Date(0))
      .put('optional', null)
      .put('other', 'x');
    const t = cast(
      'int8:int16,int16:int32,int32:int64,int64:boolean,float32:float64,float64:boolean,boolean:int8,string:int32,bigdecimal:string,date:string,timestamp:int64,optional:int32',
    );
    const out = t.apply(withValue(schema, value))!;
    const v = out.value as Struct;
    assert.equal(v.get('int8'), 8);
    assert.equal(v.get('int16'), 16);
    assert.equal(v.get('int32'), 32);
    assert.equal(v.get('int64'), true);
    assert.equal(v.get('float32'), 32);
    assert.equal(v.get('float64'), true);
    assert.equal(v.get('boolean'), 1);
    assert.equal(v.get('string'), 42);
    assert.equal(v.get('bigdecimal'), '42');
    assert.equal(v.get('date'), '1970-01-01');
    assert.equal(v.get('timestamp'), 0);
    assert.equal(v.get('optional'), null);
    assert.equal(v.get('other'), 'x');
    const types = Object.fromEntries(out.valueSchema!.fields!.map((f) => [f.name, f.schema.type]));
    assert.equal(types.int8, 'INT16');
    assert.equal(types.boolean, 'INT8');
    assert.equal(out.valueSchema!.fields!.find((f) => f.name === 'optional')!.schema.optional, true);
  });

  it('casts map entries', () => {
    assert.deepEqual(cast('a:string,b:int32').apply(withValue(null, { a: 1, b: '2', c: 3 }))!.value, {
      a: '1',
      b: 2,
      c: 3,
    });
  });

  it('works on keys and passes null values', () => {
    assert.equal(configured(new Cast('key'), { spec: 'string' }).apply(sourceRecord({ key: 7 }))!.key, '7');
    const r = withValue(null, null);
    assert.equal(cast('int8').apply(r), r);
  });

  it("reports Kafka's errors", () => {
    assert.throws(
      () => cast('int8').apply(withValue(null, '300')),
      /Value \(300\) was out of range for requested data type/,
    );
    assert.throws(
      () => cast('int8').apply(withValue(null, [1])),
      /Cast transformation does not support casting from ARRAY/,
    );
    assert.throws(
      () => cast('bytes'),
      /Cast transformation does not support casting to BYTES; supported types are \[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING\]/,
    );
    assert.throws(() => cast('a:foo'), /Invalid type found in casting spec: foo/);
    assert.throws(() => cast('int8,a:int8'), /may ony specify a single cast in their spec/);
    assert.throws(() => cast(''), /Must specify at least one field to cast/);
  });
});
