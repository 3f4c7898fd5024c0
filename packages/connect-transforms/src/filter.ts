import { ConfigDef, type ConnectRecord, type Transformation } from '@tributary/connect-api';

const CONFIG = new ConfigDef();

/** Kafka's `Filter`: drops every record it is applied to, so it is used with a predicate (and `negate`). */
export class Filter implements Transformation {
  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    CONFIG.parse(props);
  }

  apply<R extends ConnectRecord>(_record: R): R | null {
    return null;
  }
}
