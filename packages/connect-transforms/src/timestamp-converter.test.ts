import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DateType, SchemaBuilder, Schemas, Struct, TimeType, TimestampType } from '@tributary/connect-api';
import { TimestampConverter } from './timestamp-converter.js';
import { configured, withValue } from './test-helpers.js';

// Kafka's test instant: 1970-01-02 01:01:01.001 UTC
const EPOCH_PLUS_TIME = Date.UTC(1970, 0, 2, 1, 1, 1, 1);
const conv = (props: Record<string, string>) => configured(new TimestampConverter('value'), props);

describe('TimestampConverter', () => {
  it('turns the es-sink LOGON_DATE string into a Timestamp (examples/es-sink.json)', () => {
    const t = conv({ 'target.type': 'Timestamp', field: 'LOGON_DATE', format: 'yyyy-MM-dd HH:mm:ss' });
    const schema = SchemaBuilder.struct()
      .name('KsqlDataSourceSchema')
      .field('CUST_FULL_NAME', Schemas.OPTIONAL_STRING)
      .field('LOGON_DATE', Schemas.OPTIONAL_STRING)
      .build();
    const value = new Struct(schema).put('CUST_FULL_NAME', 'rick hansen').put('LOGON_DATE', '2018-03-12 13:30:59');
    const out = t.apply(withValue(schema, value))!;
    const field = out.valueSchema!.fields!.find((f) => f.name === 'LOGON_DATE')!;
    assert.equal(field.schema.name, TimestampType.LOGICAL_NAME);
    assert.equal(field.schema.optional, true);
    assert.equal(out.valueSchema!.name, 'KsqlDataSourceSchema');
    assert.deepEqual((out.value as Struct).get('LOGON_DATE'), new Date(Date.UTC(2018, 2, 12, 13, 30, 59)));
    assert.equal((out.value as Struct).get('CUST_FULL_NAME'), 'rick hansen');
    // schemaless JSON (the same record read without schemas)
    const map = t.apply(withValue(null, { LOGON_DATE: '2003-07-03 05:53:03', LOGON_ID: 65112 }))!.value as Record<
      string,
      unknown
    >;
    assert.deepEqual(map.LOGON_DATE, new Date(Date.UTC(2003, 6, 3, 5, 53, 3)));
    assert.equal(map.LOGON_ID, 65112);
  });

  it("converts whole values between every type (Kafka's schemaless tests)", () => {
    const d = new Date(EPOCH_PLUS_TIME);
    assert.deepEqual(conv({ 'target.type': 'Timestamp' }).apply(withValue(null, EPOCH_PLUS_TIME))!.value, d);
    assert.deepEqual(conv({ 'target.type': 'Date' }).apply(withValue(null, d))!.value, new Date(86_400_000));
    assert.deepEqual(conv({ 'target.type': 'Time' }).apply(withValue(null, d))!.value, new Date(3_661_001));
    assert.equal(conv({ 'target.type': 'unix' }).apply(withValue(null, d))!.value, EPOCH_PLUS_TIME);
    assert.equal(
      conv({ 'target.type': 'string', format: 'yyyy MM dd HH mm ss SSS z' }).apply(withValue(null, d))!.value,
      '1970 01 02 01 01 01 001 UTC',
    );
    assert.deepEqual(
      conv({ 'target.type': 'Timestamp', format: 'yyyy MM dd HH mm ss SSS z' }).apply(
        withValue(null, '1970 01 02 01 01 01 001 UTC'),
      )!.value,
      d,
    );
  });

  it("gives the target type's schema for whole schema'd values", () => {
    const out = conv({ 'target.type': 'Date' }).apply(
      withValue(TimestampType.builder().optional().build(), new Date(EPOCH_PLUS_TIME)),
    )!;
    assert.equal(out.valueSchema!.name, DateType.LOGICAL_NAME);
    assert.equal(out.valueSchema!.optional, true);
    assert.equal(
      conv({ 'target.type': 'unix' }).apply(withValue(TimeType.SCHEMA, new Date(3_661_001)))!.valueSchema,
      Schemas.INT64,
    );
    assert.equal(
      conv({ 'target.type': 'Timestamp' }).apply(withValue(Schemas.INT64, 1000))!.valueSchema!.name,
      TimestampType.LOGICAL_NAME,
    );
  });

  it('reads and writes unix time at the configured precision, truncating like Java', () => {
    const d = new Date(EPOCH_PLUS_TIME);
    assert.equal(conv({ 'target.type': 'unix', 'unix.precision': 'seconds' }).apply(withValue(null, d))!.value, 90061);
    assert.equal(
      conv({ 'target.type': 'unix', 'unix.precision': 'microseconds' }).apply(withValue(null, d))!.value,
      EPOCH_PLUS_TIME * 1000,
    );
    assert.equal(
      conv({ 'target.type': 'unix', 'unix.precision': 'nanoseconds' }).apply(withValue(null, d))!.value,
      EPOCH_PLUS_TIME * 1_000_000,
    );
    assert.deepEqual(
      conv({ 'target.type': 'Timestamp', 'unix.precision': 'nanoseconds' }).apply(withValue(null, 90061001000999))!
        .value,
      d,
    );
    assert.deepEqual(
      conv({ 'target.type': 'Timestamp', 'unix.precision': 'microseconds' }).apply(withValue(null, 90061001999n))!
        .value,
      d,
    );
  });

  it('leaves null values and other fields alone', () => {
    const t = conv({ 'target.type': 'string', field: 'ts', format: 'yyyy' });
    assert.deepEqual(t.apply(withValue(null, { ts: null, other: 1 }))!.value, { ts: null, other: 1 });
    assert.equal(t.apply(withValue(null, null))!.value, null);
    const schema = SchemaBuilder.struct().optional().field('ts', TimestampType.SCHEMA).build();
    const out = t.apply(withValue(schema, null))!;
    assert.equal(out.value, null);
    assert.equal(out.valueSchema!.fields![0]!.schema, Schemas.STRING);
  });

  it("reports Kafka's config and data errors", () => {
    assert.throws(
      () => conv({ 'target.type': 'string' }),
      /TimestampConverter requires format option to be specified when using string timestamps/,
    );
    assert.throws(() => conv({ 'target.type': 'invalid' }), /target.type/);
    assert.throws(
      () => conv({ 'target.type': 'Timestamp', format: 'yyyy-qq' }),
      /SimpleDateFormat-compatible pattern for string timestamps: yyyy-qq/,
    );
    assert.throws(
      () => conv({ 'target.type': 'Timestamp', format: 'yyyy' }).apply(withValue(null, 'nope')),
      /Could not parse timestamp: value \(nope\) does not match pattern \(yyyy\)/,
    );
    assert.throws(
      () => conv({ 'target.type': 'Timestamp' }).apply(withValue(null, true)),
      /TimestampConverter does not support boolean objects as timestamps/,
    );
    assert.throws(
      () => conv({ 'target.type': 'Timestamp' }).apply(withValue(Schemas.INT32, 1)),
      /Schema Schema\{INT32\} does not correspond to a known timestamp type format/,
    );
  });
});
