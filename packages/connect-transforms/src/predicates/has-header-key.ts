import { ConfigDef, type ConnectRecord, type Predicate } from '@tributary/connect-api';
import { nonEmptyString, parseConfig } from '../util/config.js';

const CONFIG = new ConfigDef().define({
  name: 'name',
  type: 'STRING',
  importance: 'MEDIUM',
  validator: nonEmptyString,
  documentation: 'The header name.',
});

/** Kafka's `HasHeaderKey`: true when the record has at least one header with the given key. */
export class HasHeaderKey implements Predicate {
  private name = '';

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    this.name = parseConfig(CONFIG, props).string('name');
  }

  test(record: ConnectRecord): boolean {
    return record.headers.some((h) => h.key === this.name);
  }
}
