import { ConfigDef, withRecord, type ConnectRecord, type Transformation } from '@tributary/connect-api';
import { nonEmptyList, parseConfig } from './util/config.js';

const CONFIG = new ConfigDef().define({
  name: 'headers',
  type: 'LIST',
  importance: 'HIGH',
  validator: nonEmptyList,
  documentation: 'The name of the headers to be removed.',
});

/** Kafka's `DropHeaders`: removes every header with one of the given names. */
export class DropHeaders implements Transformation {
  private names = new Set<string>();

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    this.names = new Set(parseConfig(CONFIG, props).list('headers'));
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    if (!record.headers.some((h) => this.names.has(h.key))) return record;
    return withRecord(record, { headers: record.headers.filter((h) => !this.names.has(h.key)) });
  }
}
