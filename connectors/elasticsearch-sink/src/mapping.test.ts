import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal, SchemaBuilder, Schemas, TimestampType } from '@tributary/connect-api';
import { mappingFor } from './mapping.js';

describe('mappingFor', () => {
  it('maps Connect types as Confluent does: Timestamp → date, Decimal → double, strings → text + keyword', () => {
    const inner = SchemaBuilder.struct().field('city', Schemas.STRING).build();
    const schema = SchemaBuilder.struct()
      .field('LOGON_DATE', TimestampType.SCHEMA)
      .field('total', Decimal.schema(2))
      .field('name', Schemas.OPTIONAL_STRING)
      .field('id', Schemas.INT64)
      .field('n', Schemas.INT8)
      .field('ok', Schemas.BOOLEAN)
      .field('f', Schemas.FLOAT32)
      .field('blob', Schemas.BYTES)
      .field('addr', inner)
      .field('scores', SchemaBuilder.array(Schemas.FLOAT64).build())
      .field('level', SchemaBuilder.int32().optional().defaultValue(3).build())
      .build();
    assert.deepEqual(mappingFor(schema), {
      properties: {
        LOGON_DATE: { type: 'date' },
        total: { type: 'double' },
        name: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
        id: { type: 'long' },
        n: { type: 'byte' },
        ok: { type: 'boolean' },
        f: { type: 'float' },
        blob: { type: 'binary' },
        addr: { properties: { city: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } } } },
        scores: { type: 'double' },
        level: { type: 'integer', null_value: 3 },
      },
    });
  });

  it('has no mapping for schemaless or non-struct values', () => {
    assert.equal(mappingFor(null), null);
    assert.equal(mappingFor(Schemas.STRING), null);
  });
});
