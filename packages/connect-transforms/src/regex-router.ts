import { ConfigDef, withRecord, type ConnectRecord, type Transformation } from '@tributary/connect-api';
import { parseConfig } from './util/config.js';
import { javaRegex, javaReplaceFirst } from './util/java-regex.js';

const CONFIG = new ConfigDef()
  .define({
    name: 'regex', type: 'STRING', importance: 'HIGH', documentation: 'Regular expression to use for matching.',
    validator: (v, name) => { try { javaRegex(String(v), { configKey: name }); return undefined; } catch (e) { return (e as Error).message; } },
  })
  .define({ name: 'replacement', type: 'STRING', importance: 'HIGH', documentation: 'Replacement string.' });

/**
 * Kafka's `RegexRouter`: when `regex` matches the whole topic name, the topic becomes
 * `replaceFirst(regex, replacement)` (Java `$1` group references); otherwise the record is unchanged.
 */
export class RegexRouter implements Transformation {
  private whole = /(?:)/;
  private regex = /(?:)/;
  private replacement = '';

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    const c = parseConfig(CONFIG, props);
    this.regex = javaRegex(c.string('regex'));
    this.whole = javaRegex(c.string('regex'), { fullMatch: true });
    this.replacement = c.string('replacement');
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    if (!this.whole.test(record.topic)) return record;
    return withRecord(record, { topic: javaReplaceFirst(this.regex, record.topic, this.replacement) });
  }
}
