import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SchemaBuilder, Schemas, Struct } from '@tributary/connect-api';
import { SetSchemaMetadata } from './set-schema-metadata.js';
import { configured, withValue } from './test-helpers.js';

describe('SetSchemaMetadata', () => {
  it('sets name and version and rebinds Structs to the new schema', () => {
    const schema = SchemaBuilder.struct().name('old').field('a', Schemas.INT32).build();
    const out = configured(new SetSchemaMetadata('value'), { 'schema.name': 'foo', 'schema.version': '42' }).apply(
      withValue(schema, new Struct(schema).put('a', 1)),
    )!;
    assert.equal(out.valueSchema!.name, 'foo');
    assert.equal(out.valueSchema!.version, 42);
    assert.equal((out.value as Struct).schema, out.valueSchema);
    assert.equal((out.value as Struct).get('a'), 1);
  });

  it('keeps what is not configured and leaves non-Struct values alone', () => {
    const out = configured(new SetSchemaMetadata('value'), { 'schema.version': '2' }).apply(
      withValue(SchemaBuilder.string().name('s').build(), 'x'),
    )!;
    assert.equal(out.valueSchema!.name, 's');
    assert.equal(out.valueSchema!.version, 2);
    assert.equal(out.value, 'x');
  });

  it('needs a schema and a setting', () => {
    assert.throws(() => configured(new SetSchemaMetadata('value'), {}), /Neither schema name nor version configured/);
    assert.throws(
      () => configured(new SetSchemaMetadata('value'), { 'schema.name': 'x' }).apply(withValue(null, {})),
      /Schema required for \[updating schema metadata\]/,
    );
  });
});
