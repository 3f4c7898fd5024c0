import { ConfigError, Validators, type ConfigDef } from '@tributary/connect-api';

const CHANNELS = ['source', 'kafka', 'rest'];
const NOTIFICATION_CHANNELS = ['sink', 'log'];

/** Debezium's signal, incremental snapshot and notification keys, declared on the connector's ConfigDef. */
export function defineSignalKeys(def: ConfigDef): ConfigDef {
  return def
    .define({
      name: 'signal.enabled.channels',
      type: 'LIST',
      default: 'source',
      importance: 'MEDIUM',
      documentation:
        'Where signals are read from: `source` (the signal table, in WAL order with the data), `kafka` (`signal.kafka.topic`, records keyed by `topic.prefix`) and `rest` (`POST /tributary/connectors/{name}/signals`, a Tributary addition).',
      validator: (v, name) =>
        (v as string[]).every((c) => CHANNELS.includes(c))
          ? undefined
          : `Invalid value ${(v as string[]).join(',')} for configuration ${name}: each must be one of ${CHANNELS.join(', ')}`,
    })
    .define({
      name: 'signal.data.collection',
      type: 'STRING',
      default: null,
      importance: 'MEDIUM',
      documentation:
        'The signal table as `schema.table`, as the PostgreSQL connector of Debezium names it (a leading `database.` is ignored), with columns `id` (text, primary key), `type` (text) and `data` (text). It must be in the publication; incremental snapshots write their watermarks into it.',
    })
    .define({
      name: 'signal.kafka.topic',
      type: 'STRING',
      default: null,
      importance: 'LOW',
      documentation:
        'Topic of the `kafka` signal channel: JSON values `{"type": …, "data": {…}}` keyed by `topic.prefix`; the record offset is the signal id.',
    })
    .define({
      name: 'signal.kafka.bootstrap.servers',
      type: 'STRING',
      default: null,
      importance: 'LOW',
      documentation: 'Kafka brokers of the `kafka` signal channel (`host:port,…`).',
    })
    .define({
      name: 'signal.kafka.groupId',
      type: 'STRING',
      default: 'kafka-signal',
      importance: 'LOW',
      documentation: 'Consumer group of the `kafka` signal channel.',
    })
    .define({
      name: 'incremental.snapshot.chunk.size',
      type: 'INT',
      default: 1024,
      importance: 'MEDIUM',
      documentation: 'Rows an incremental snapshot reads per chunk (one watermark window).',
      validator: Validators.atLeast(1),
    })
    .define({
      name: 'incremental.snapshot.watermarking.strategy',
      type: 'STRING',
      default: 'insert_insert',
      importance: 'LOW',
      documentation:
        '`insert_insert`: a window is opened and closed by two rows inserted into the signal table; `insert_delete`: it is closed by deleting the opening row, so the table does not grow.',
      validValues: ['insert_insert', 'insert_delete'],
    })
    .define({
      name: 'read.only',
      type: 'BOOLEAN',
      default: false,
      importance: 'LOW',
      documentation:
        'Incremental snapshots that write nothing to the database (read replicas, locked-down roles): no watermark rows; each chunk is read in a REPEATABLE READ transaction that also reads the WAL insert position, and the chunk is emitted once the stream has passed that position (a later transaction, or a keepalive). `signal.data.collection` is then optional.',
    })
    .define({
      name: 'notification.enabled.channels',
      type: 'LIST',
      default: '',
      importance: 'LOW',
      documentation:
        'Where notifications (snapshot progress, rejected signals) go: `sink` (`notification.sink.topic.name`) and `log`.',
      validator: (v, name) =>
        (v as string[]).every((c) => NOTIFICATION_CHANNELS.includes(c))
          ? undefined
          : `Invalid value ${(v as string[]).join(',')} for configuration ${name}: each must be one of ${NOTIFICATION_CHANNELS.join(', ')}`,
    })
    .define({
      name: 'notification.sink.topic.name',
      type: 'STRING',
      default: null,
      importance: 'LOW',
      documentation: 'Topic of the `sink` notification channel; required when that channel is enabled.',
    });
}

/** The parsed signal, incremental snapshot and notification settings. */
export interface SignalConfig {
  readonly channels: ReadonlySet<string>;
  /** The signal table, or null when none is configured. */
  readonly table: { schema: string; table: string } | null;
  readonly kafkaTopic: string | null;
  readonly kafkaServers: string | null;
  readonly kafkaGroup: string;
  readonly chunkSize: number;
  readonly insertDelete: boolean;
  /** `read.only`: watermarks from the WAL position instead of signal-table rows. */
  readonly readOnly: boolean;
  readonly notificationChannels: ReadonlySet<string>;
  readonly notificationTopic: string | null;
}

export function parseSignalConfig(def: ConfigDef, props: Readonly<Record<string, string>>): SignalConfig {
  const c = def.parse(props);
  const table = c.optionalString('signal.data.collection');
  const parts = table?.split('.') ?? [];
  if (table && (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')))
    throw new ConfigError(
      `Invalid value ${table} for configuration signal.data.collection: expected schema.table (or database.schema.table)`,
    );
  const cfg: SignalConfig = {
    channels: new Set(c.list('signal.enabled.channels')),
    table: table ? { schema: parts[parts.length - 2]!, table: parts[parts.length - 1]! } : null,
    kafkaTopic: c.optionalString('signal.kafka.topic'),
    kafkaServers: c.optionalString('signal.kafka.bootstrap.servers'),
    kafkaGroup: c.string('signal.kafka.groupId'),
    chunkSize: c.int('incremental.snapshot.chunk.size'),
    insertDelete: c.string('incremental.snapshot.watermarking.strategy') === 'insert_delete',
    readOnly: c.bool('read.only'),
    notificationChannels: new Set(c.list('notification.enabled.channels')),
    notificationTopic: c.optionalString('notification.sink.topic.name'),
  };
  if (cfg.notificationChannels.has('sink') && !cfg.notificationTopic)
    throw new ConfigError(
      'notification.enabled.channels has sink but notification.sink.topic.name is not set: name the notification topic',
    );
  if (cfg.channels.has('kafka') && (!cfg.kafkaTopic || !cfg.kafkaServers))
    throw new ConfigError(
      'signal.enabled.channels has kafka: set signal.kafka.topic and signal.kafka.bootstrap.servers',
    );
  return cfg;
}
