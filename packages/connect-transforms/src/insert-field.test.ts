import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SchemaBuilder, Schemas, Struct, TimestampType } from '@tributary/connect-api';
import { InsertField } from './insert-field.js';
import { configured, sinkRecord, withValue } from './test-helpers.js';

const ALL = {
  'topic.field': 'topic_field!',
  'partition.field': 'partition_field',
  'offset.field': 'offset_field',
  'timestamp.field': 'timestamp_field?',
  'static.field': 'instance_id',
  'static.value': 'my-instance-id',
};

describe('InsertField', () => {
  it("adds fields to a Struct with a derived schema (Kafka's own test)", () => {
    const t = configured(new InsertField('value'), ALL);
    const schema = SchemaBuilder.struct()
      .name('name')
      .version(1)
      .doc('doc')
      .field('magic', Schemas.OPTIONAL_INT64)
      .build();
    const out = t.apply(
      sinkRecord({
        valueSchema: schema,
        value: new Struct(schema).put('magic', 42),
        kafkaPartition: 0,
        timestamp: 1234,
      }),
    )!;
    const s = out.valueSchema!;
    assert.equal(s.name, 'name');
    assert.equal(s.version, 1);
    assert.equal(s.doc, 'doc');
    assert.deepEqual(
      s.fields!.map((f) => [f.name, f.schema.type, f.schema.optional]),
      [
        ['magic', 'INT64', true],
        ['topic_field', 'STRING', false],
        ['partition_field', 'INT32', true],
        ['offset_field', 'INT64', true],
        ['timestamp_field', 'INT64', true],
        ['instance_id', 'STRING', true],
      ],
    );
    assert.equal(s.fields![4]!.schema.name, TimestampType.LOGICAL_NAME);
    const v = out.value as Struct;
    assert.equal(v.get('magic'), 42);
    assert.equal(v.get('topic_field'), 'test');
    assert.equal(v.get('partition_field'), 0);
    assert.equal(v.get('offset_field'), 42);
    assert.deepEqual(v.get('timestamp_field'), new Date(1234));
    assert.equal(v.get('instance_id'), 'my-instance-id');
    // the derived schema is cached per input schema
    const again = t.apply(sinkRecord({ valueSchema: schema, value: new Struct(schema).put('magic', 1) }))!;
    assert.equal(again.valueSchema, s);
  });

  it('adds entries to a schemaless map, leaving the input untouched', () => {
    const t = configured(new InsertField('value'), ALL);
    const input = { magic: 42 };
    const out = t.apply(sinkRecord({ value: input, timestamp: 1234 }))!;
    assert.deepEqual(out.value, {
      magic: 42,
      topic_field: 'test',
      partition_field: 0,
      offset_field: 42,
      timestamp_field: 1234,
      instance_id: 'my-instance-id',
    });
    assert.deepEqual(input, { magic: 42 });
    const m = t.apply(sinkRecord({ value: new Map([['magic', 1]]) }))!;
    assert.ok(m.value instanceof Map);
    assert.equal((m.value as Map<string, unknown>).get('instance_id'), 'my-instance-id');
  });

  it('works on the key with $Key', () => {
    const t = configured(new InsertField('key'), { 'static.field': 's', 'static.value': 'v' });
    const out = t.apply(sinkRecord({ key: { a: 1 }, value: 'untouched' }))!;
    assert.deepEqual(out.key, { a: 1, s: 'v' });
    assert.equal(out.value, 'untouched');
  });

  it('passes tombstones through', () => {
    const t = configured(new InsertField('value'), ALL);
    const r = sinkRecord({ value: null });
    assert.equal(t.apply(r), r);
  });

  it('needs a sink record for offset.field', () => {
    const t = configured(new InsertField('value'), { 'offset.field': 'o' });
    assert.throws(() => t.apply(withValue(null, { a: 1 })), /Only SinkRecord supported for \[field insertion\]/);
  });

  it('refuses values that are neither Struct nor map', () => {
    const t = configured(new InsertField('value'), { 'topic.field': 't' });
    assert.throws(
      () => t.apply(withValue(null, 'text')),
      /Only Map objects supported in absence of schema for \[field insertion\], found: string/,
    );
    assert.throws(
      () => t.apply(withValue(Schemas.STRING, 'text')),
      /Only Struct objects supported for \[field insertion\], found: string/,
    );
  });
});
