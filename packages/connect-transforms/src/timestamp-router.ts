import { ConfigDef, DataError, withRecord, type ConnectRecord, type Transformation } from '@tributary/connect-api';
import { parseConfig } from './util/config.js';
import { SimpleDateFormat } from './util/simple-date-format.js';

const CONFIG = new ConfigDef()
  .define({
    name: 'topic.format',
    type: 'STRING',
    default: '${topic}-${timestamp}',
    importance: 'HIGH',
    documentation:
      'Format string which can contain <code>${topic}</code> and <code>${timestamp}</code> as placeholders for the topic and timestamp, respectively.',
  })
  .define({
    name: 'timestamp.format',
    type: 'STRING',
    default: 'yyyyMMdd',
    importance: 'HIGH',
    documentation: 'Format string for the timestamp that is compatible with <code>java.text.SimpleDateFormat</code>.',
  });

/** Kafka's `TimestampRouter`: the topic becomes `topic.format` filled with the topic and the record's UTC timestamp. */
export class TimestampRouter implements Transformation {
  private topicFormat = '${topic}-${timestamp}';
  private format = new SimpleDateFormat('yyyyMMdd');

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    const c = parseConfig(CONFIG, props);
    this.topicFormat = c.string('topic.format');
    this.format = new SimpleDateFormat(c.string('timestamp.format'));
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    if (record.timestamp == null) throw new DataError(`Timestamp missing on record: ${describe(record)}`);
    const formatted = this.format.format(new Date(record.timestamp));
    const topic = this.topicFormat.replaceAll('${topic}', record.topic).replaceAll('${timestamp}', formatted);
    return withRecord(record, { topic });
  }
}

function describe(record: ConnectRecord): string {
  return `ConnectRecord{topic='${record.topic}', kafkaPartition=${record.kafkaPartition ?? null}, timestamp=${record.timestamp ?? null}}`;
}
