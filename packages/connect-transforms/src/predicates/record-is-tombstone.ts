import { ConfigDef, type ConnectRecord, type Predicate } from '@tributary/connect-api';

const CONFIG = new ConfigDef();

/** Kafka's `RecordIsTombstone`: true when the record's value is null. */
export class RecordIsTombstone implements Predicate {
  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    CONFIG.parse(props);
  }

  test(record: ConnectRecord): boolean {
    return record.value === null || record.value === undefined;
  }
}
