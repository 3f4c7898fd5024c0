import { ConfigError, type Schema } from '@tributary/connect-api';

const STRATEGIES = ['TopicNameStrategy', 'RecordNameStrategy', 'TopicRecordNameStrategy'];

/**
 * The registry subject a schema is filed under, by Confluent's subject name strategies (given by
 * class name or short name). TopicNameStrategy: `<topic>-key` / `<topic>-value`; RecordNameStrategy:
 * the record's full name; TopicRecordNameStrategy: `<topic>-<record full name>`.
 */
export function subjectName(strategy: string, topic: string, isKey: boolean, schema: Schema | null): string {
  const short = strategy.slice(strategy.lastIndexOf('.') + 1);
  if (!STRATEGIES.includes(short)) {
    throw new ConfigError([
      {
        key: `${isKey ? 'key' : 'value'}.subject.name.strategy`,
        message: `Unknown subject name strategy ${strategy}; use one of ${STRATEGIES.join(', ')}`,
      },
    ]);
  }
  if (short === 'TopicNameStrategy') return `${topic}-${isKey ? 'key' : 'value'}`;
  if (schema === null) return topic; // configure-time check only
  const record =
    schema.type === 'STRUCT' ? (schema.name ?? 'io.confluent.connect.avro.ConnectDefault') : schema.type.toLowerCase();
  return short === 'RecordNameStrategy' ? record : `${topic}-${record}`;
}
