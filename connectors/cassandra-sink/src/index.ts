import type { PluginDescriptor } from '@tributary/connect-api';
import { CassandraSinkConnector } from './cassandra-sink-connector.js';
import { VERSION } from './config.js';

export { CassandraSinkConnector };
export { CassandraSinkTask } from './cassandra-sink-task.js';
export { sinkConfigDef } from './config.js';

/** The plugins of this package, registered by the `tributary` distribution. */
export const plugins: PluginDescriptor[] = [
  {
    type: 'sink',
    class: 'com.datastax.oss.kafka.sink.CassandraSinkConnector',
    version: VERSION,
    aliases: ['CassandraSink', 'CassandraSinkConnector', 'com.datastax.kafkaconnector.DseSinkConnector'],
    create: () => new CassandraSinkConnector(),
  },
];
