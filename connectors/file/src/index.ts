import type { PluginDescriptor } from '@tributary/connect-api';
import { VERSION } from './config.js';
import { FileStreamSinkConnector } from './file-stream-sink-connector.js';
import { FileStreamSourceConnector } from './file-stream-source-connector.js';

export { FileStreamSourceConnector, FileStreamSinkConnector };
export { FileStreamSourceTask } from './file-stream-source-task.js';
export { FileStreamSinkTask } from './file-stream-sink-task.js';
export { sourceConfigDef, sinkConfigDef } from './config.js';

export const plugins: PluginDescriptor[] = [
  {
    type: 'source',
    class: 'org.apache.kafka.connect.file.FileStreamSourceConnector',
    version: VERSION,
    aliases: ['FileStreamSource', 'FileStreamSourceConnector', 'io.tributary.connect.file.FileStreamSourceConnector'],
    create: () => new FileStreamSourceConnector(),
  },
  {
    type: 'sink',
    class: 'org.apache.kafka.connect.file.FileStreamSinkConnector',
    version: VERSION,
    aliases: ['FileStreamSink', 'FileStreamSinkConnector', 'io.tributary.connect.file.FileStreamSinkConnector'],
    create: () => new FileStreamSinkConnector(),
  },
];
