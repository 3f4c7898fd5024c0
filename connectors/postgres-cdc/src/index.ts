import type { PluginDescriptor } from '@tributary/connect-api';
import { VERSION } from './config.js';
import { PostgresConnector } from './postgres-connector.js';

export { PostgresConnector };
export { PostgresConnectorTask, PostgresConnectorTask as PostgresSourceTask } from './postgres-source-task.js';
export { configDef } from './config.js';

/** The plugins of this package, registered by the `tributary` distribution. */
export const plugins: PluginDescriptor[] = [
  {
    type: 'source',
    class: 'io.debezium.connector.postgresql.PostgresConnector',
    version: VERSION,
    aliases: ['PostgresConnector', 'postgres-cdc', 'io.tributary.connect.postgres.PostgresConnector'],
    create: () => new PostgresConnector(),
  },
];
