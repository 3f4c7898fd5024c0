import type { PluginDescriptor } from '@tributary/connect-api';
import { ConfigError, RetriableError, type ParsedConfig } from '@tributary/connect-api';
import { createConfigResolver } from '../config/providers/index.js';
import { distributedConfigDef, WorkerConfig } from '../config/worker-config.js';
import { StatusBook } from '../herder/status-book.js';
import { openWorkerKafkaLog } from '../log/open-log.js';
import type { Admin } from '../log/log.js';
import { createLogger, type Logger } from '../logging.js';
import { WorkerMetrics } from '../metrics.js';
import { AutoRestarter } from '../restart/auto-restarter.js';
import { buildRegistry, runningWorker, startWorkerRest, type RunningWorker } from '../worker-bootstrap.js';
import { Worker } from '../worker/worker.js';
import { ConfigTopic } from './config-topic.js';
import { DistributedHerder } from './distributed-herder.js';
import { OffsetTopic } from './offset-topic.js';
import { StatusTopic } from './status-topic.js';

export interface DistributedOptions {
  props: Record<string, string>;
  baseDir?: string;
  plugins: PluginDescriptor[];
  logger?: Logger;
}

/** Starts a worker of a cluster: Kafka log, internal topics, group membership, REST API. */
export async function startDistributed(opts: DistributedOptions): Promise<RunningWorker> {
  const logger = opts.logger ?? createLogger();
  const config = new WorkerConfig(opts.props, opts.baseDir);
  const d = distributedConfigDef.parse(opts.props);
  if (config.bootstrapServers.length === 0)
    throw new ConfigError([
      { key: 'bootstrap.servers', message: 'distributed mode needs Kafka: set bootstrap.servers' },
    ]);
  const registry = await buildRegistry(config, opts.plugins, logger);
  // The same bootstrap as standalone mode: security, client settings and health for every client.
  const log = openWorkerKafkaLog(config, logger.child({ component: 'kafka' }), `tributary-${d.string('group.id')}`);
  const groupClient = log.groupClient(d.string('group.id'));
  const statuses = new StatusBook();
  const configs = new ConfigTopic(log, d.string('config.storage.topic'), logger);
  const offsets = new OffsetTopic(log, d.string('offset.storage.topic'), logger);
  const statusTopic = new StatusTopic(log, d.string('status.storage.topic'), statuses, logger);
  const metrics = new WorkerMetrics();
  // auto.restart.*: every status the worker reports passes through the restarter on its way to the status topic.
  const autoRestart = new AutoRestarter(
    statusTopic,
    config.autoRestart,
    logger.child({ component: 'auto-restart' }),
    undefined,
    metrics,
  );
  const worker = new Worker({ config, registry, log, offsets, status: autoRestart, logger, metrics });
  const url = `http://${config.advertisedId}`;
  const resolver = createConfigResolver(opts.props);
  const herder = new DistributedHerder({
    worker,
    registry,
    log,
    logger,
    statuses,
    configs,
    offsets,
    statusTopic,
    url,
    brokers: config.bootstrapServers,
    groupClient,
    groupId: d.string('group.id'),
    sessionTimeoutMs: d.int('session.timeout.ms'),
    heartbeatIntervalMs: d.int('heartbeat.interval.ms'),
    rebalanceTimeoutMs: d.int('rebalance.timeout.ms'),
    maxDelayMs: d.int('scheduled.rebalance.max.delay.ms'),
    clusterId: d.string('group.id'),
    resolveConfig: resolver.enabled ? resolver : undefined,
    clientOverridePolicy: config.clientOverridePolicy,
    autoRestart,
    exactlyOnceSource: d.string('exactly.once.source.support').toLowerCase() === 'enabled',
  });
  const rest = await startWorkerRest(config, { herder, worker, metrics, log, logger, autoRestart });
  // REST answers (503, and /health says why) while Kafka cannot be reached yet.
  await retryWhileUnreachable(() => createInternalTopics(log.admin(), d), logger);
  await herder.start();
  logger.info({ url, group: d.string('group.id') }, 'distributed worker started');
  return runningWorker({ herder, rest, log, logger, url });
}

/** Creates the config, offset and status topics if missing; the config topic must have one partition. */
async function createInternalTopics(admin: Admin, d: ParsedConfig): Promise<void> {
  const rf = (k: string) => d.int(k);
  await admin.createTopics([
    {
      topic: d.string('config.storage.topic'),
      partitions: 1,
      replicationFactor: rf('config.storage.replication.factor'),
      configs: { 'cleanup.policy': 'compact' },
    },
    {
      topic: d.string('offset.storage.topic'),
      partitions: d.int('offset.storage.partitions'),
      replicationFactor: rf('offset.storage.replication.factor'),
      configs: { 'cleanup.policy': 'compact' },
    },
    {
      topic: d.string('status.storage.topic'),
      partitions: d.int('status.storage.partitions'),
      replicationFactor: rf('status.storage.replication.factor'),
      configs: { 'cleanup.policy': 'compact' },
    },
  ]);
  const configPartitions = await admin.partitionCount(d.string('config.storage.topic'));
  if (configPartitions !== 1) {
    throw new ConfigError([
      {
        key: 'config.storage.topic',
        message: `Topic ${d.string('config.storage.topic')} must have exactly 1 partition, found ${configPartitions}`,
      },
    ]);
  }
}

/** Runs `f` until it does not fail with a RetriableError (Kafka away, credentials refused), with backoff. */
async function retryWhileUnreachable(f: () => Promise<void>, logger: Logger): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await f();
    } catch (err) {
      if (!(err instanceof RetriableError)) throw err;
      const waitMs = Math.min(30_000, 500 * 2 ** attempt);
      logger.error({ err: err.message }, `${err.message}; retrying in ${waitMs / 1000} s`);
      await new Promise((r) => setTimeout(r, waitMs));
    }
  }
}
