import type { PluginDescriptor } from '@tributary/connect-api';
import { plugins as converterPlugins } from '@tributary/connect-converters';
import { plugins as transformPlugins } from '@tributary/connect-transforms';
import { createConfigResolver } from './config/providers/index.js';
import { WorkerConfig } from './config/worker-config.js';
import type { Herder } from './herder/herder.js';
import { StandaloneHerder } from './herder/standalone-herder.js';
import { StatusBook } from './herder/status-book.js';
import { openLog } from './log/open-log.js';
import { createLogger, type Logger } from './logging.js';
import { WorkerMetrics } from './metrics.js';
import { PluginRegistry } from './plugins/registry.js';
import { startRestServer, type RestServer } from './rest/server.js';
import { FileConfigStore } from './storage/config-store.js';
import { FileOffsetStore } from './storage/offset-store.js';
import { Worker } from './worker/worker.js';

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

export interface RunningWorker {
  readonly herder: Herder;
  readonly rest: RestServer;
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts a standalone worker: log, stores, herder, REST API. Resolves once the REST API listens. */
export async function startStandalone(opts: StandaloneOptions): Promise<RunningWorker> {
  const logger = opts.logger ?? createLogger();
  const config = new WorkerConfig(opts.props, opts.baseDir);
  const registry = new PluginRegistry().register(...converterPlugins, ...transformPlugins, ...opts.plugins);
  await registry.loadPluginPath(config.pluginPath, logger);
  const log = await openLog(config, logger);
  const offsets = new FileOffsetStore(config.offsetFile);
  const statuses = new StatusBook();
  const metrics = new WorkerMetrics();
  const worker = new Worker({ config, registry, log, offsets, status: statuses, logger, metrics });
  const resolver = createConfigResolver(opts.props);
  const herder = new StandaloneHerder({
    worker, registry, configs: new FileConfigStore(config.configFile), offsets, statuses, log, logger,
    resolveConfig: resolver.enabled ? resolver : undefined,
  });
  await herder.start();
  for (const c of opts.connectors ?? []) {
    const name = c.name;
    if (!name) throw new Error('A connector config file has no "name"');
    await herder.putConnectorConfig(name, c, { allowReplace: true });
  }
  const { host, port } = config.listener;
  const rest = await startRestServer({
    herder, metrics, logger, host, port, bodyLimit: config.maxBodyBytes, basicAuthUsers: config.basicAuthUsers,
  });
  const address = rest.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${boundPort}`;
  logger.info({ url, log: log.kind }, 'standalone worker started');
  let stopping: Promise<void> | null = null;
  return {
    herder, rest, url,
    stop() {
      stopping ??= (async () => {
        await rest.close();
        await herder.stop();
        await log.close();
        logger.info('standalone worker stopped');
      })();
      return stopping;
    },
  };
}
