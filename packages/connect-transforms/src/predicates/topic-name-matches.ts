import { ConfigDef, type ConnectRecord, type Predicate } from '@tributary/connect-api';
import { parseConfig } from '../util/config.js';
import { javaRegex } from '../util/java-regex.js';

const CONFIG = new ConfigDef().define({
  name: 'pattern',
  type: 'STRING',
  importance: 'MEDIUM',
  validator: (v, name) => {
    if (String(v) === '') return `Invalid value ${String(v)} for configuration ${name}: String must be non-empty`;
    try {
      javaRegex(String(v), { configKey: name });
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  },
  documentation: "A Java regular expression for matching against the name of a record's topic.",
});

/** Kafka's `TopicNameMatches`: true when the whole topic name matches `pattern`. */
export class TopicNameMatches implements Predicate {
  private pattern = /(?:)/;

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    this.pattern = javaRegex(parseConfig(CONFIG, props).string('pattern'), { fullMatch: true });
  }

  test(record: ConnectRecord): boolean {
    return record.topic != null && this.pattern.test(record.topic);
  }
}
