import { ConfigDef, Validators } from '@tributary/connect-api';

export const VERSION = '0.1.0';

/** FileStreamSource keys, as Kafka's `FileStreamSourceConnector`. */
export const sourceConfigDef = new ConfigDef()
  .define({
    name: 'file',
    type: 'STRING',
    importance: 'HIGH',
    documentation:
      'Source filename. The file is followed as it grows; a truncated or replaced file is read again from the start.',
    validator: Validators.nonEmptyString(),
  })
  .define({
    name: 'topic',
    type: 'STRING',
    importance: 'HIGH',
    documentation: 'The topic to publish data to.',
    validator: (v, name) =>
      String(v).includes(',')
        ? `Invalid value ${String(v)} for configuration ${name}: must be a single topic name`
        : String(v).trim() === ''
          ? `Invalid value for configuration ${name}: String must be non-empty`
          : undefined,
  })
  .define({
    name: 'batch.size',
    type: 'INT',
    default: 2000,
    importance: 'LOW',
    documentation: 'The maximum number of records the source task can read from the file each time it is polled.',
    validator: Validators.atLeast(1),
  });

/** FileStreamSink keys, as Kafka's `FileStreamSinkConnector`. */
export const sinkConfigDef = new ConfigDef().define({
  name: 'file',
  type: 'STRING',
  default: null,
  importance: 'HIGH',
  documentation: 'Destination filename. If not specified, the standard output will be used.',
});
