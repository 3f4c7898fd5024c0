import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DataError, DateType, Decimal, SchemaBuilder, Schemas, Struct, TimeType } from './index.js';

describe('logical types', () => {
  it('encodes decimals as Java BigInteger.toByteArray() does', () => {
    assert.deepEqual([...Decimal.fromText('123.45', 2)], [0x30, 0x39]);
    assert.deepEqual([...Decimal.fromText('-1', 0)], [0xff]);
    assert.deepEqual([...Decimal.fromText('128', 0)], [0x00, 0x80]);
    assert.deepEqual([...Decimal.fromText('0', 3)], [0x00]);
    assert.equal(Decimal.toText(Uint8Array.from([0x30, 0x39]), 2), '123.45');
    assert.equal(Decimal.toText(Uint8Array.from([0xff, 0x85]), 3), '-0.123');
    assert.equal(Decimal.toText(Decimal.fromText('1.5e3', 1), 1), '1500.0');
    assert.throws(() => Decimal.fromText('1.234', 2), DataError);
  });

  it('maps Date and Time to days and milliseconds', () => {
    assert.equal(DateType.fromLogical(new Date('2024-01-02T00:00:00Z')), 19724);
    assert.throws(() => DateType.fromLogical(new Date('2024-01-02T01:00:00Z')), DataError);
    assert.equal(TimeType.fromLogical(new Date(3_600_000)), 3_600_000);
  });
});

describe('Struct', () => {
  const schema = SchemaBuilder.struct()
    .name('Order')
    .field('id', Schemas.INT64)
    .field('note', Schemas.OPTIONAL_STRING)
    .build();

  it('validates required fields and types', () => {
    const s = new Struct(schema).put('id', 42n);
    s.validate();
    assert.equal(s.get('note'), null);
    assert.throws(() => new Struct(schema).validate(), /required field: "id"/);
    assert.throws(() => new Struct(schema).put('id', 'x'), DataError);
    assert.throws(() => new Struct(schema).put('nope', 1), /not a valid field name/);
  });
});
