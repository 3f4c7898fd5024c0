import type { PluginDescriptor } from '@tributary/connect-api';
import { VERSION } from './config.js';
import { SyslogSourceConnector } from './syslog-source-connector.js';

export { SyslogSourceConnector };
export { SyslogSourceTask } from './syslog-source-task.js';
export { configDef } from './config.js';
export { parseSyslog, type SyslogMessage, type StructuredDataElement } from './syslog-parser.js';
export { FrameDecoder } from './frame-decoder.js';
export { VALUE_SCHEMA } from './syslog-record.js';

/** The plugins of this package, registered by the `tributary` distribution. */
export const plugins: PluginDescriptor[] = [
  {
    type: 'source',
    class: 'io.confluent.connect.syslog.SyslogSourceConnector',
    version: VERSION,
    aliases: ['SyslogSource', 'SyslogSourceConnector', 'syslog'],
    create: () => new SyslogSourceConnector(),
  },
  // jcustenborder's connectors: one class per protocol, so each implies its syslog.listener.
  ...(
    [
      ['UDP', 'UDP'],
      ['TCP', 'TCP'],
      ['SSLTCP', 'TCPSSL'],
    ] as const
  ).map(([prefix, listener]): PluginDescriptor => ({
    type: 'source',
    class: `com.github.jcustenborder.kafka.connect.syslog.${prefix}SyslogSourceConnector`,
    version: VERSION,
    aliases: [`${prefix}SyslogSourceConnector`],
    create: () => new SyslogSourceConnector(listener),
  })),
];
