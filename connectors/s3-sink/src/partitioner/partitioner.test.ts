import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DataError, SchemaBuilder, Struct, type SinkRecord } from '@tributary/connect-api';
import { s3SinkConfigDef } from '../config.js';
import { createPartitioner } from './partitioner.js';
import { floorToBucket, nextBoundary, pathFormatter } from './time.js';

const rec = (value: unknown, extra: Partial<SinkRecord> = {}): SinkRecord => ({
  topic: 't',
  kafkaPartition: 3,
  kafkaOffset: 42,
  key: null,
  value,
  headers: [],
  timestamp: Date.UTC(2024, 2, 5, 17, 45, 12),
  originalTopic: 't',
  originalKafkaPartition: 3,
  originalKafkaOffset: 42,
  ...extra,
});
const cfg = (extra: Record<string, string>) =>
  s3SinkConfigDef.parse({ 's3.bucket.name': 'b', 'flush.size': '1', 'format.class': 'JsonFormat', ...extra });

describe('partitioners', () => {
  it('Default: partition=<kafka partition>', () => {
    assert.equal(createPartitioner(cfg({})).encodePartition(rec('x')), 'partition=3');
  });

  it('Field: <field>=<value> per field, nested paths, Struct and schemaless values; a missing field is a DataError', () => {
    const p = createPartitioner(
      cfg({
        'partitioner.class': 'io.confluent.connect.storage.partitioner.FieldPartitioner',
        'partition.field.name': 'region,addr.country',
      }),
    );
    const addr = SchemaBuilder.struct().field('country', SchemaBuilder.string().build()).build();
    const schema = SchemaBuilder.struct()
      .field('region', SchemaBuilder.string().optional().build())
      .field('addr', addr)
      .build();
    const s = new Struct(schema).put('region', 'eu').put('addr', new Struct(addr).put('country', 'FR'));
    assert.equal(p.encodePartition(rec(s)), 'region=eu/addr.country=FR');
    assert.equal(p.encodePartition(rec({ region: null, addr: { country: 'DE' } })), 'region=null/addr.country=DE');
    assert.throws(
      () => p.encodePartition(rec({ addr: { country: 'DE' } })),
      (e) => e instanceof DataError && /no field "region"/.test(e.message),
    );
  });

  it('Hourly and Daily with Record timestamps, in the configured time zone', () => {
    const hourly = createPartitioner(
      cfg({
        'partitioner.class': 'HourlyPartitioner',
        locale: 'en-US',
        timezone: 'UTC',
        'timestamp.extractor': 'Record',
      }),
    );
    assert.equal(hourly.encodePartition(rec('x')), 'year=2024/month=03/day=05/hour=17');
    assert.equal(hourly.deterministic, true);
    const daily = createPartitioner(
      cfg({
        'partitioner.class': 'DailyPartitioner',
        locale: 'en-US',
        timezone: 'Asia/Tokyo',
        'timestamp.extractor': 'Record',
      }),
    );
    assert.equal(daily.encodePartition(rec('x')), 'year=2024/month=03/day=06'); // 17:45 UTC is 02:45 the next day in Tokyo
  });

  it('TimeBased: floors to partition.duration.ms and formats path.format; RecordField reads the value', () => {
    const p = createPartitioner(
      cfg({
        'partitioner.class': 'TimeBasedPartitioner',
        'path.format': "'dt'=YYYY-MM-dd/'min'=HHmm",
        'partition.duration.ms': '900000',
        locale: 'en-US',
        timezone: 'UTC',
        'timestamp.extractor': 'RecordField',
        'timestamp.field': 'at',
      }),
    );
    assert.equal(p.encodePartition(rec({ at: '2024-03-05T17:44:59Z' })), 'dt=2024-03-05/min=1730');
    assert.equal(p.encodePartition(rec({ at: Date.UTC(2024, 2, 5, 17, 45) })), 'dt=2024-03-05/min=1745');
    assert.throws(() => p.encodePartition(rec({ other: 1 })), DataError);
  });

  it('time helpers: buckets and schedule boundaries follow local midnight', () => {
    const t = Date.UTC(2024, 2, 5, 17, 45);
    assert.equal(floorToBucket(t, 86_400_000, 'UTC'), Date.UTC(2024, 2, 5));
    assert.equal(floorToBucket(t, 86_400_000, 'America/New_York'), Date.UTC(2024, 2, 5, 5)); // local midnight = 05:00 UTC (EST)
    assert.equal(nextBoundary(t, 3_600_000, 'UTC'), Date.UTC(2024, 2, 5, 18));
    assert.equal(pathFormatter('YYYY/MMM', 'en-US', 'UTC')(t), '2024/Mar');
  });
});
