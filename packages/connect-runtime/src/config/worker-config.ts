import { dirname, join, resolve } from 'node:path';
import { ConfigDef, Validators, type ParsedConfig } from '@tributary/connect-api';
import { clientOverridePolicy, policyProblem, type ClientOverridePolicy } from './client-overrides.js';
import { defineAutoRestart, type AutoRestartSettings } from '../restart/auto-restart-config.js';

const COMMON = 'Common';
const REST = 'REST';
const EMBEDDED = 'Embedded log';
const DISTRIBUTED = 'Distributed';

/** The worker's own keys; spelled as Kafka Connect's where Kafka Connect has them. */
export const workerConfigDef = new ConfigDef()
  .define({
    name: 'bootstrap.servers',
    type: 'LIST',
    default: '',
    importance: 'HIGH',
    group: COMMON,
    documentation:
      'Kafka brokers (host:port,…). Empty in standalone mode: records go to the embedded log in embedded.log.dir.',
  })
  .define({
    name: 'key.converter',
    type: 'CLASS',
    default: 'org.apache.kafka.connect.json.JsonConverter',
    importance: 'HIGH',
    group: COMMON,
    documentation:
      'Converter for record keys, unless a connector overrides it. Settings under key.converter.* are passed to it.',
  })
  .define({
    name: 'value.converter',
    type: 'CLASS',
    default: 'org.apache.kafka.connect.json.JsonConverter',
    importance: 'HIGH',
    group: COMMON,
    documentation:
      'Converter for record values, unless a connector overrides it. Settings under value.converter.* are passed to it.',
  })
  .define({
    name: 'header.converter',
    type: 'CLASS',
    default: 'org.apache.kafka.connect.storage.SimpleHeaderConverter',
    importance: 'LOW',
    group: COMMON,
    documentation: 'Converter for header values.',
  })
  .define({
    name: 'offset.storage.file.filename',
    type: 'STRING',
    default: 'data/connect.offsets',
    importance: 'HIGH',
    group: COMMON,
    documentation:
      'Standalone: the file that holds source offsets (JSON, written atomically). Connector configs are kept beside it in connect.configs.json.',
  })
  .define({
    name: 'offset.flush.interval.ms',
    type: 'LONG',
    default: 60000,
    importance: 'LOW',
    group: COMMON,
    validator: Validators.atLeast(1),
    documentation:
      'How often source offsets are written and sink offsets committed. Bounds the duplicates a crash can cause.',
  })
  .define({
    name: 'offset.flush.timeout.ms',
    type: 'LONG',
    default: 5000,
    importance: 'LOW',
    group: COMMON,
    documentation:
      'How long an offset flush may wait for records still in flight before it is abandoned and retried at the next interval.',
  })
  .define({
    name: 'task.shutdown.graceful.timeout.ms',
    type: 'LONG',
    default: 5000,
    importance: 'LOW',
    group: COMMON,
    documentation: 'How long a stopping task may take before the worker gives up waiting for it.',
  })
  .define({
    name: 'connector.client.config.override.policy',
    type: 'STRING',
    default: 'All',
    importance: 'MEDIUM',
    group: COMMON,
    validator: (v) => policyProblem(String(v)),
    documentation:
      'Which Kafka client settings a connector may override with producer.override.*, consumer.override.* and admin.override.* (KIP-458): All (the default, as Kafka 3.x), None, Principal (only sasl.jaas.config, sasl.mechanism, security.protocol), or Allowlist (the keys in connector.client.config.override.allowlist, KIP-1188). Java class names of these policies are accepted too.',
  })
  .define({
    name: 'connector.client.config.override.allowlist',
    type: 'LIST',
    default: '',
    importance: 'MEDIUM',
    group: COMMON,
    documentation:
      'With connector.client.config.override.policy=Allowlist: the client settings (without prefix, e.g. linger.ms,compression.type) connectors may override. Empty allows none.',
  })
  .define({
    name: 'plugin.path',
    type: 'LIST',
    default: '',
    importance: 'LOW',
    group: COMMON,
    documentation:
      'Directories holding plugin packages (npm packages that declare "tributary": {"plugins": "<module>"} in package.json), or such packages themselves.',
  })
  .define({
    name: 'listeners',
    type: 'LIST',
    default: 'http://127.0.0.1:8083',
    importance: 'LOW',
    group: REST,
    documentation: 'Where the REST API listens, as http://host:port. The first one is used.',
  })
  .define({
    name: 'rest.port',
    type: 'INT',
    default: null,
    importance: 'LOW',
    group: REST,
    documentation: 'Older spelling of the REST port; overrides the port of listeners when set.',
  })
  .define({
    name: 'rest.host.name',
    type: 'STRING',
    default: null,
    importance: 'LOW',
    group: REST,
    documentation: 'Older spelling of the REST host; overrides the host of listeners when set.',
  })
  .define({
    name: 'rest.advertised.host.name',
    type: 'STRING',
    default: null,
    importance: 'LOW',
    group: REST,
    documentation: 'Host name other workers and statuses use for this worker (worker_id).',
  })
  .define({
    name: 'rest.advertised.port',
    type: 'INT',
    default: null,
    importance: 'LOW',
    group: REST,
    documentation: 'Port other workers and statuses use for this worker.',
  })
  .define({
    name: 'rest.basic.auth.users',
    type: 'PASSWORD',
    default: null,
    importance: 'LOW',
    group: REST,
    documentation: 'Enables HTTP basic auth: comma-separated user:password pairs. Off when unset.',
  })
  .define({
    name: 'rest.request.max.bytes',
    type: 'INT',
    default: 1048576,
    importance: 'LOW',
    group: REST,
    documentation: 'Largest request body the REST API accepts.',
  })
  .define({
    name: 'embedded.log.dir',
    type: 'STRING',
    default: 'data/log',
    importance: 'HIGH',
    group: EMBEDDED,
    documentation:
      'Standalone without bootstrap.servers: the directory of the embedded log (segment files per topic-partition, group offsets). One worker process at a time.',
  })
  .define({
    name: 'embedded.log.partitions',
    type: 'INT',
    default: 1,
    importance: 'LOW',
    group: EMBEDDED,
    validator: Validators.atLeast(1),
    documentation: 'Partitions of topics the embedded log creates on first use.',
  })
  .define({
    name: 'embedded.log.segment.bytes',
    type: 'LONG',
    default: 67108864,
    importance: 'LOW',
    group: EMBEDDED,
    documentation: 'Size at which the embedded log starts a new segment file.',
  })
  .define({
    name: 'embedded.log.retention.bytes',
    type: 'LONG',
    default: -1,
    importance: 'LOW',
    group: EMBEDDED,
    documentation: 'Largest size of one partition before old segments are deleted; -1 keeps everything.',
  })
  .define({
    name: 'embedded.log.retention.ms',
    type: 'LONG',
    default: 604800000,
    importance: 'LOW',
    group: EMBEDDED,
    documentation: 'Age after which old segments are deleted.',
  })
  .define({
    name: 'embedded.log.flush.interval.ms',
    type: 'LONG',
    default: 1000,
    importance: 'LOW',
    group: EMBEDDED,
    documentation:
      'How often the embedded log fsyncs. A killed process loses nothing it acknowledged either way; this bounds what a power loss can take.',
  });
// auto.restart.*: the defaults every connector inherits unless it sets the same key.
defineAutoRestart(workerConfigDef, false);

/** Keys of distributed mode, as Kafka Connect's. */
export const distributedConfigDef = new ConfigDef()
  .define({
    name: 'group.id',
    type: 'STRING',
    importance: 'HIGH',
    group: DISTRIBUTED,
    documentation:
      "The Kafka group the workers of one cluster join; Kafka's group coordinator decides who is alive and who leads.",
  })
  .define({
    name: 'config.storage.topic',
    type: 'STRING',
    importance: 'HIGH',
    group: DISTRIBUTED,
    documentation:
      "Compacted, single-partition topic holding connector configs, task configs and target states (Kafka Connect's record format).",
  })
  .define({
    name: 'offset.storage.topic',
    type: 'STRING',
    importance: 'HIGH',
    group: DISTRIBUTED,
    documentation: 'Compacted topic holding source offsets.',
  })
  .define({
    name: 'status.storage.topic',
    type: 'STRING',
    importance: 'HIGH',
    group: DISTRIBUTED,
    documentation: 'Compacted topic holding connector and task statuses.',
  })
  .define({
    name: 'config.storage.replication.factor',
    type: 'SHORT',
    default: 3,
    importance: 'LOW',
    group: DISTRIBUTED,
    documentation: 'Replication factor of the config topic when created; -1 for the broker default.',
  })
  .define({
    name: 'offset.storage.replication.factor',
    type: 'SHORT',
    default: 3,
    importance: 'LOW',
    group: DISTRIBUTED,
    documentation: 'Replication factor of the offsets topic when created; -1 for the broker default.',
  })
  .define({
    name: 'status.storage.replication.factor',
    type: 'SHORT',
    default: 3,
    importance: 'LOW',
    group: DISTRIBUTED,
    documentation: 'Replication factor of the status topic when created; -1 for the broker default.',
  })
  .define({
    name: 'offset.storage.partitions',
    type: 'INT',
    default: 25,
    importance: 'LOW',
    group: DISTRIBUTED,
    documentation: 'Partitions of the offsets topic when created.',
  })
  .define({
    name: 'status.storage.partitions',
    type: 'INT',
    default: 5,
    importance: 'LOW',
    group: DISTRIBUTED,
    documentation: 'Partitions of the status topic when created.',
  })
  .define({
    name: 'session.timeout.ms',
    type: 'INT',
    default: 10000,
    importance: 'HIGH',
    group: DISTRIBUTED,
    documentation: 'A worker that sends no heartbeat for this long is considered gone.',
  })
  .define({
    name: 'heartbeat.interval.ms',
    type: 'INT',
    default: 3000,
    importance: 'HIGH',
    group: DISTRIBUTED,
    documentation: 'How often a worker heartbeats to the group coordinator.',
  })
  .define({
    name: 'rebalance.timeout.ms',
    type: 'INT',
    default: 60000,
    importance: 'LOW',
    group: DISTRIBUTED,
    documentation: 'How long the coordinator waits for workers to rejoin during a rebalance.',
  })
  .define({
    name: 'scheduled.rebalance.max.delay.ms',
    type: 'INT',
    default: 300000,
    importance: 'LOW',
    group: DISTRIBUTED,
    documentation:
      'How long the work of a departed worker waits for it to come back before it is reassigned; 0 reassigns at once.',
  })
  .define({
    name: 'exactly.once.source.support',
    type: 'STRING',
    default: 'disabled',
    importance: 'HIGH',
    group: DISTRIBUTED,
    validator: Validators.inIgnoreCase('disabled', 'preparing', 'enabled'),
    documentation:
      "Exactly-once source connectors (KIP-618): enabled writes each source task's records and offsets in one Kafka transaction (transactional.id <group.id>-<connector>-<task>) and reads offsets with read_committed; preparing is the first step of a rolling upgrade (workers understand transactional offsets but tasks do not write transactions yet); disabled is at-least-once.",
  });

/** A parsed worker config with the derived values the worker needs. */
export class WorkerConfig {
  readonly parsed: ParsedConfig;
  /** Directory against which relative paths in the config are resolved. */
  readonly baseDir: string;

  constructor(
    readonly props: Readonly<Record<string, string>>,
    baseDir = process.cwd(),
  ) {
    this.parsed = workerConfigDef.parse(props);
    this.baseDir = baseDir;
  }

  get bootstrapServers(): string[] {
    return this.parsed.list('bootstrap.servers');
  }
  /** The worker's properties with the converter defaults filled in (for tasks that set none). */
  get converterProps(): Record<string, string> {
    return {
      ...this.props,
      'key.converter': this.parsed.string('key.converter'),
      'value.converter': this.parsed.string('value.converter'),
      'header.converter': this.parsed.string('header.converter'),
    };
  }
  get flushIntervalMs(): number {
    return this.parsed.int('offset.flush.interval.ms');
  }
  get flushTimeoutMs(): number {
    return this.parsed.int('offset.flush.timeout.ms');
  }
  get shutdownTimeoutMs(): number {
    return this.parsed.int('task.shutdown.graceful.timeout.ms');
  }
  get offsetFile(): string {
    return resolve(this.baseDir, this.parsed.string('offset.storage.file.filename'));
  }
  get configFile(): string {
    return join(dirname(this.offsetFile), 'connect.configs.json');
  }
  get logDir(): string {
    return resolve(this.baseDir, this.parsed.string('embedded.log.dir'));
  }
  get pluginPath(): string[] {
    return this.parsed.list('plugin.path').map((p) => resolve(this.baseDir, p));
  }
  get maxBodyBytes(): number {
    return this.parsed.int('rest.request.max.bytes');
  }
  /** What connectors may override of their Kafka clients (`connector.client.config.override.*`). */
  get clientOverridePolicy(): ClientOverridePolicy {
    return clientOverridePolicy(
      this.parsed.string('connector.client.config.override.policy'),
      this.parsed.list('connector.client.config.override.allowlist'),
    );
  }

  /** The worker's auto.restart.* defaults. */
  get autoRestart(): AutoRestartSettings {
    return {
      enabled: this.parsed.bool('auto.restart.enabled'),
      maxRestarts: this.parsed.int('auto.restart.max.restarts'),
      initialMs: this.parsed.int('auto.restart.backoff.initial.ms'),
      maxMs: this.parsed.int('auto.restart.backoff.max.ms'),
    };
  }

  /** Host and port the REST server binds. */
  get listener(): { host: string; port: number } {
    const first = this.parsed.list('listeners')[0] ?? 'http://127.0.0.1:8083';
    const url = new URL(first.replace(/^(\w+):\/\/:/, '$1://0.0.0.0:'));
    const port = (this.parsed.get('rest.port') as number | null) ?? Number(url.port || 8083);
    const host = this.parsed.optionalString('rest.host.name') ?? url.hostname;
    return { host, port };
  }

  /** `host:port` shown as worker_id in statuses. */
  get advertisedId(): string {
    const { host, port } = this.listener;
    const h = this.parsed.optionalString('rest.advertised.host.name') ?? (host === '0.0.0.0' ? '127.0.0.1' : host);
    const p = (this.parsed.get('rest.advertised.port') as number | null) ?? port;
    return `${h}:${p}`;
  }

  /** user → password for basic auth, or null when auth is off. */
  get basicAuthUsers(): Map<string, string> | null {
    const raw = this.parsed.password('rest.basic.auth.users');
    if (!raw) return null;
    return new Map(
      raw.split(',').map((pair) => {
        const i = pair.indexOf(':');
        return [pair.slice(0, i).trim(), pair.slice(i + 1)] as [string, string];
      }),
    );
  }
}
