import type {
  ConnectRecord,
  Predicate,
  Schema,
  SinkRecord,
  SourceRecord,
  Transformation,
} from '@tributary/connect-api';

/** Record builders and a configure-and-return helper for the tests beside each transform. */
export function sourceRecord(fields: Partial<ConnectRecord> = {}): SourceRecord {
  return {
    topic: 'test',
    kafkaPartition: 0,
    key: null,
    keySchema: null,
    value: null,
    valueSchema: null,
    timestamp: 1700000000000,
    headers: [],
    sourcePartition: { p: 1 },
    sourceOffset: { o: 1 },
    ...fields,
  };
}

export function sinkRecord(
  fields: Partial<Omit<SinkRecord, 'kafkaPartition'>> & { kafkaPartition?: number } = {},
): SinkRecord {
  return {
    topic: 'test',
    kafkaPartition: 0,
    key: null,
    keySchema: null,
    value: null,
    valueSchema: null,
    timestamp: 1700000000000,
    headers: [],
    kafkaOffset: 42,
    originalTopic: 'test',
    originalKafkaPartition: 0,
    originalKafkaOffset: 42,
    ...fields,
  };
}

export function withValue(schema: Schema | null, value: unknown, fields: Partial<ConnectRecord> = {}): SourceRecord {
  return sourceRecord({ valueSchema: schema, value, ...fields });
}

export function configured<T extends Transformation | Predicate>(t: T, props: Record<string, string>): T {
  t.configure(props);
  return t;
}
