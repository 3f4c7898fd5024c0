import type { PluginDescriptor } from '@tributary/connect-api';
import { VERSION } from './config.js';
import { ElasticsearchSinkConnector } from './elasticsearch-sink-connector.js';

export { ElasticsearchSinkConnector };
export { ElasticsearchSinkTask } from './elasticsearch-sink-task.js';
export { configDef } from './config.js';

/** The plugins of this package, registered by the `tributary` distribution. */
export const plugins: PluginDescriptor[] = [
  {
    type: 'sink',
    class: 'io.confluent.connect.elasticsearch.ElasticsearchSinkConnector',
    version: VERSION,
    aliases: [
      'ElasticsearchSink',
      'ElasticsearchSinkConnector',
      'elasticsearch-sink',
      'io.tributary.connect.elasticsearch.ElasticsearchSinkConnector',
    ],
    create: () => new ElasticsearchSinkConnector(),
  },
];
