import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DateType, Decimal, Schemas, SchemaBuilder, TimeType, TimestampType } from '@tributary/connect-api';
import { dateParser, parseTimezone } from './date-formats.js';
import { cellParser } from './value-parser.js';

const dates = dateParser(["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd' 'HH:mm:ss", 'dd/MM/yyyy', 'HH:mm:ss.SSS']);

describe('typed cell parsing', () => {
  it('parses integers with range checks, INT64 beyond 2^53 as bigint', () => {
    assert.equal(cellParser(Schemas.INT32, dates)('-42'), -42);
    assert.throws(() => cellParser(Schemas.INT8, dates)('128'), /"128" is not an INT8/);
    assert.equal(cellParser(Schemas.INT64, dates)('9007199254740993'), 9007199254740993n);
    assert.throws(() => cellParser(Schemas.INT64, dates)('1.5'), /not an INT64/);
    assert.throws(() => cellParser(Schemas.INT64, dates)('9223372036854775808'), /out of the INT64 range/);
  });

  it('parses floats and booleans strictly', () => {
    assert.equal(cellParser(Schemas.FLOAT64, dates)('3.30'), 3.3);
    assert.throws(() => cellParser(Schemas.FLOAT64, dates)('3,30'), /not a FLOAT64/);
    assert.equal(cellParser(Schemas.BOOLEAN, dates)('TRUE'), true);
    assert.throws(() => cellParser(Schemas.BOOLEAN, dates)('yes'), /not a BOOLEAN/);
  });

  it('parses Decimal at the schema scale as decimal text', () => {
    const p = cellParser(Decimal.schema(2), dates);
    assert.equal(p('3.3'), '3.30');
    assert.equal(p('-0.5'), '-0.50');
    assert.throws(() => p('1.234'), /does not fit scale 2/);
  });

  it('parses Timestamp, Date and Time with SimpleDateFormat patterns, honouring a trailing zone', () => {
    const ts = cellParser(TimestampType.SCHEMA, dates);
    assert.equal((ts('2018-02-28T04:40:50') as Date).toISOString(), '2018-02-28T04:40:50.000Z');
    assert.equal((ts('2018-02-28T04:40:50Z') as Date).toISOString(), '2018-02-28T04:40:50.000Z');
    assert.equal((ts('2018-02-28T04:40:50+01:00') as Date).toISOString(), '2018-02-28T03:40:50.000Z');
    assert.equal((ts('2018-02-28 04:40:50') as Date).toISOString(), '2018-02-28T04:40:50.000Z');
    assert.throws(() => ts('28 Feb 2018'), /does not match any of parser\.timestamp\.date\.formats/);
    assert.throws(() => ts('2018-02-30T00:00:00'), /does not match/);
    assert.equal((cellParser(DateType.SCHEMA, dates)('31/12/2020') as Date).toISOString(), '2020-12-31T00:00:00.000Z');
    assert.equal((cellParser(TimeType.SCHEMA, dates)('01:02:03.250') as Date).getTime(), 3_723_250);
  });

  it('uses parser.timestamp.timezone for timestamps without a zone', () => {
    const p = dateParser(["yyyy-MM-dd'T'HH:mm:ss"], parseTimezone('+02:00'));
    assert.equal(new Date(p.parse('2018-02-28T04:40:50')!).toISOString(), '2018-02-28T02:40:50.000Z');
    assert.throws(() => parseTimezone('Europe/Paris'), /fixed offset/);
  });

  it('treats empty text as null for optional non-string fields and as an error for required ones', () => {
    assert.equal(cellParser(SchemaBuilder.int64().optional().build(), dates)(''), null);
    assert.throws(() => cellParser(Schemas.INT64, dates)(''), /empty value for required INT64 field/);
    assert.equal(cellParser(Schemas.STRING, dates)(''), '');
  });
});
