import type { PluginDescriptor } from '@tributary/connect-api';
import { VERSION } from './config.js';
import { S3SinkConnector } from './s3-sink-connector.js';

export { S3SinkConnector };
export { S3SinkTask } from './s3-sink-task.js';
export { s3SinkConfigDef } from './config.js';

export const plugins: PluginDescriptor[] = [
  {
    type: 'sink',
    class: 'io.confluent.connect.s3.S3SinkConnector',
    version: VERSION,
    aliases: ['S3Sink', 'S3SinkConnector', 'io.tributary.connect.s3.S3SinkConnector'],
    create: () => new S3SinkConnector(),
  },
];
