import type { ConfigDef, ConfigValue, ConnectorConfig, ConnectorContext, SinkConnector } from '@tributary/connect-api';
import { configDef, crossValidate, parseSettings, VERSION } from './config.js';
import { ElasticsearchSinkTask } from './elasticsearch-sink-task.js';

/**
 * Confluent's Elasticsearch sink: topics into indices (or data streams), one document per record.
 * Every task gets the whole configuration (the runtime's errors.* keys included) and a share of the
 * topic partitions through the consumer group.
 */
export class ElasticsearchSinkConnector implements SinkConnector {
  readonly kind = 'sink' as const;
  private props: ConnectorConfig = {};

  version(): string {
    return VERSION;
  }
  config(): ConfigDef {
    return configDef;
  }
  taskClass() {
    return ElasticsearchSinkTask;
  }

  validate(config: ConnectorConfig, values: ConfigValue[]): ConfigValue[] {
    return crossValidate(config, values);
  }

  start(config: ConnectorConfig, ctx: ConnectorContext): void {
    parseSettings(config);
    if ((config['type.name'] ?? '') !== '') {
      ctx.logger.warn(
        `type.name=${config['type.name']} is ignored: Elasticsearch 7+ has no document types (Confluent removed the key in 11.0).`,
      );
    }
    if ((config['topic.index.map'] ?? '') !== '') {
      ctx.logger.info(
        'topic.index.map is deprecated (Confluent 10.x); it still names the indices, but the RegexRouter transform is the current way.',
      );
    }
    this.props = config;
  }

  taskConfigs(maxTasks: number): Record<string, string>[] {
    return Array.from({ length: Math.max(1, maxTasks) }, () => ({ ...this.props }));
  }

  stop(): void {}

  alterOffsets(): boolean {
    return true; // offsets live only in the consumer group
  }
}
