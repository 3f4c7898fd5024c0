import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DateType, Decimal, TimestampType } from '@tributary/connect-api';
import { keySchemaFor, parseSchemaJson, schemaToJson } from './schema-json.js';

// The value.schema of the product brief's example (shared/examples/csv-source-orders.json).
const EXAMPLE =
  '{"name":"com.github.jcustenborder.kafka.connect.model.Value","type":"STRUCT","isOptional":false,"fieldSchemas":{"order_id":{"type":"INT64","isOptional":false},"customer_id":{"type":"INT64","isOptional":false},"order_ts":{"type":"STRING","isOptional":false},"product":{"type":"STRING","isOptional":false},"order_total_usd":{"type":"STRING","isOptional":false}}}';

describe('connect-utils schema JSON', () => {
  it('reads the example schema with its field order and writes it back byte for byte', () => {
    const s = parseSchemaJson(EXAMPLE);
    assert.equal(s.type, 'STRUCT');
    assert.deepEqual(
      s.fields!.map((f) => `${f.name}:${f.schema.type}`),
      ['order_id:INT64', 'customer_id:INT64', 'order_ts:STRING', 'product:STRING', 'order_total_usd:STRING'],
    );
    assert.equal(JSON.stringify(schemaToJson(s)), EXAMPLE);
  });

  it('reads logical types, arrays and maps as the reference documents them', () => {
    const s = parseSchemaJson(
      JSON.stringify({
        name: 'com.example.User',
        type: 'STRUCT',
        isOptional: false,
        fieldSchemas: {
          last_login: { name: TimestampType.LOGICAL_NAME, type: 'INT64', version: 1, isOptional: true },
          born: { name: DateType.LOGICAL_NAME, type: 'INT32', version: 1, isOptional: true },
          balance: {
            name: Decimal.LOGICAL_NAME,
            type: 'BYTES',
            version: 1,
            parameters: { scale: '2' },
            isOptional: true,
          },
          tags: { type: 'ARRAY', isOptional: true, valueSchema: { type: 'STRING', isOptional: false } },
          attrs: {
            type: 'MAP',
            isOptional: true,
            keySchema: { type: 'STRING', isOptional: false },
            valueSchema: { type: 'INT32', isOptional: false },
          },
        },
      }),
    );
    const f = Object.fromEntries(s.fields!.map((x) => [x.name, x.schema]));
    assert.equal(f.last_login!.name, TimestampType.LOGICAL_NAME);
    assert.equal(Decimal.scale(f.balance!), 2);
    assert.equal(f.tags!.valueSchema!.type, 'STRING');
    assert.equal(f.attrs!.keySchema!.type, 'STRING');
    assert.equal(f.born!.optional, true);
  });

  it('says which part of a bad schema is wrong', () => {
    assert.throws(
      () => parseSchemaJson('{"type":"STRUCT","fieldSchemas":{"id":{"type":"INT65"}}}'),
      /schema\.fieldSchemas\.id\.type must be one of/,
    );
    assert.throws(() => parseSchemaJson('{"type":'), /not valid JSON/);
    assert.throws(() => parseSchemaJson('{"type":"ARRAY"}'), /ARRAY needs "valueSchema"/);
  });

  it('builds a key schema from value fields and rejects unknown key fields', () => {
    const value = parseSchemaJson(EXAMPLE);
    assert.deepEqual(
      keySchemaFor(value, ['order_id'], 'K').fields!.map((x) => x.name),
      ['order_id'],
    );
    assert.throws(() => keySchemaFor(value, ['nope'], 'K'), /key field "nope" is not a field of the value schema/);
  });
});
