import type { ConfigDef, ConfigValue, ConnectorConfig, SinkConnector } from '@tributary/connect-api';
import { crossCheck, s3SinkConfigDef, VERSION } from './config.js';
import { parseS3SinkConfig, S3SinkTask } from './s3-sink-task.js';

/** Confluent's S3 sink: topics to objects in a bucket, named so that replays are exactly-once. */
export class S3SinkConnector implements SinkConnector {
  readonly kind = 'sink' as const;
  private props: ConnectorConfig = {};

  version(): string {
    return VERSION;
  }
  config(): ConfigDef {
    return s3SinkConfigDef;
  }
  taskClass() {
    return S3SinkTask;
  }

  validate(config: ConnectorConfig, values: ConfigValue[]): ConfigValue[] {
    let parsed;
    try {
      parsed = s3SinkConfigDef.parse(config);
    } catch {
      return values; // per-key errors are already in `values`
    }
    for (const p of crossCheck(parsed)) values.find((v) => v.name === p.key)?.errors.push(p.message);
    return values;
  }

  start(config: ConnectorConfig): void {
    parseS3SinkConfig({ ...config });
    this.props = config;
  }

  /** Every task gets the whole config (the runtime spreads partitions over them). */
  taskConfigs(maxTasks: number): Record<string, string>[] {
    return Array.from({ length: Math.max(1, maxTasks) }, () => ({ ...this.props }));
  }

  stop(): void {}

  alterOffsets(): boolean {
    return true; // offsets live only in the consumer group
  }
}
