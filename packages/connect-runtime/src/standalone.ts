import type { PluginDescriptor } from '@tributary/connect-api';
import { createConfigResolver } from './config/providers/index.js';
import { WorkerConfig } from './config/worker-config.js';
import { StandaloneHerder } from './herder/standalone-herder.js';
import { StatusBook } from './herder/status-book.js';
import { openLog } from './log/open-log.js';
import { createLogger, type Logger } from './logging.js';
import { WorkerMetrics } from './metrics.js';
import { AutoRestarter } from './restart/auto-restarter.js';
import { FileConfigStore } from './storage/config-store.js';
import { FileOffsetStore, type OffsetStore } from './storage/offset-store.js';
import type { Log } from './log/log.js';
import { FallbackOffsetStore, OffsetTopics } from './worker/source-offsets.js';
import { Worker } from './worker/worker.js';
import { buildRegistry, runningWorker, startWorkerRest, type RunningWorker } from './worker-bootstrap.js';

export interface StandaloneOptions {
  /** The worker config as flat string properties. */
  props: Record<string, string>;
  /** Directory against which relative paths in `props` are resolved. */
  baseDir?: string;
  /** Plugins shipped with the distribution (connectors); converters and transforms are built in. */
  plugins: PluginDescriptor[];
  /** Connector configs given on the command line; created (or updated) at start. */
  connectors?: Array<Record<string, string>>;
  logger?: Logger;
}

export type { RunningWorker };

/** Starts a standalone worker: log, stores, herder, REST API. Resolves once the REST API listens. */
export async function startStandalone(opts: StandaloneOptions): Promise<RunningWorker> {
  const logger = opts.logger ?? createLogger();
  const config = new WorkerConfig(opts.props, opts.baseDir);
  const registry = await buildRegistry(config, opts.plugins, logger);
  const log = await openLog(config, logger);
  const offsets = standaloneOffsets(config, log, logger);
  const statuses = new StatusBook();
  const metrics = new WorkerMetrics();
  const autoRestart = new AutoRestarter(
    statuses,
    config.autoRestart,
    logger.child({ component: 'auto-restart' }),
    undefined,
    metrics,
  );
  const worker = new Worker({ config, registry, log, offsets, status: autoRestart, logger, metrics });
  const resolver = createConfigResolver(opts.props);
  const herder = new StandaloneHerder({
    worker,
    registry,
    configs: new FileConfigStore(config.configFile),
    offsets,
    statuses,
    log,
    logger,
    resolveConfig: resolver.enabled ? resolver : undefined,
    clientOverridePolicy: config.clientOverridePolicy,
    autoRestart,
    exactlyOnceSource: exactlyOnceOnKafka(config, log),
  });
  await herder.start();
  for (const c of opts.connectors ?? []) {
    const name = c.name;
    if (!name) throw new Error('A connector config file has no "name"');
    await herder.putConnectorConfig(name, c, { allowReplace: true });
  }
  const rest = await startWorkerRest(config, { herder, worker, metrics, log, logger, autoRestart });
  const { host, port } = config.listener;
  const address = rest.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${boundPort}`;
  logger.info({ url, log: log.kind }, 'standalone worker started');
  return runningWorker({ herder, rest, log, logger, url });
}

/** `exactly.once.source.support=enabled` with `bootstrap.servers`: offsets must be in Kafka, in the transactions. */
function exactlyOnceOnKafka(config: WorkerConfig, log: Log): boolean {
  return log.kind === 'kafka' && (config.props['exactly.once.source.support'] ?? '').toLowerCase() === 'enabled';
}

/**
 * The offsets file; with exactly once on Kafka, the worker's `offset.storage.topic` (default
 * `connect-offsets`) with the file as fallback, so that offsets travel in the tasks' transactions
 * (Kafka Connect offers exactly once in distributed mode only).
 */
function standaloneOffsets(config: WorkerConfig, log: Log, logger: Logger): OffsetStore {
  const file = new FileOffsetStore(config.offsetFile);
  if (!exactlyOnceOnKafka(config, log)) return file;
  const topics = new OffsetTopics(log, log.admin(), config.props, logger.child({ component: 'offsets' }));
  const topic = config.props['offset.storage.topic'] || 'connect-offsets';
  return new FallbackOffsetStore(topics.get(topic), file, logger, topics);
}
