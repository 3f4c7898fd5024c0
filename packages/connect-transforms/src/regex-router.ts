import { ConfigDef, type ConnectRecord, type Transformation } from '@tributary/connect-api';
import { copyRecord } from './util/operand.js';
import { parseConfig } from './util/config.js';
import { javaRegex, javaReplaceFirst } from './util/java-regex.js';

/** Topics whose routing is remembered; a workload with more distinct topics just recomputes. */
const MAX_ROUTES = 1000;

const CONFIG = new ConfigDef()
  .define({
    name: 'regex',
    type: 'STRING',
    importance: 'HIGH',
    documentation: 'Regular expression to use for matching.',
    validator: (v, name) => {
      try {
        javaRegex(String(v), { configKey: name });
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    },
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
  private readonly routes = new Map<string, string | null>();

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    const c = parseConfig(CONFIG, props);
    this.regex = javaRegex(c.string('regex'));
    this.whole = javaRegex(c.string('regex'), { fullMatch: true });
    this.replacement = c.string('replacement');
    this.routes.clear();
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    const topic = this.route(record.topic);
    if (topic === null) return record;
    const out = copyRecord(record);
    out.topic = topic;
    return out;
  }

  /** The new topic name, or null when the regex does not match; remembered per topic (a pure function of it). */
  private route(topic: string): string | null {
    let routed = this.routes.get(topic);
    if (routed === undefined) {
      routed = this.whole.test(topic) ? javaReplaceFirst(this.regex, topic, this.replacement) : null;
      if (this.routes.size >= MAX_ROUTES) this.routes.clear();
      this.routes.set(topic, routed);
    }
    return routed;
  }
}
