import type { PluginDescriptor } from '@tributary/connect-api';
import { plugins as converterPlugins } from '@tributary/connect-converters';
import { plugins as transformPlugins } from '@tributary/connect-transforms';
import type { WorkerConfig } from './config/worker-config.js';
import type { Herder } from './herder/herder.js';
import type { Log } from './log/log.js';
import type { Logger } from './logging.js';
import { PluginRegistry } from './plugins/registry.js';
import type { AutoRestarter } from './restart/auto-restarter.js';
import type { WorkerMetrics } from './metrics.js';
import { startRestServer, type RestServer } from './rest/server.js';
import type { Worker } from './worker/worker.js';

/** A started worker, standalone or distributed. */
export interface RunningWorker {
  readonly herder: Herder;
  readonly rest: RestServer;
  readonly url: string;
  stop(): Promise<void>;
}

/** The built-in converters and transforms, the distribution's plugins, and those under plugin.path. */
export async function buildRegistry(
  config: WorkerConfig,
  plugins: PluginDescriptor[],
  logger: Logger,
): Promise<PluginRegistry> {
  const registry = new PluginRegistry().register(...converterPlugins, ...transformPlugins, ...plugins);
  await registry.loadPluginPath(config.pluginPath, logger);
  return registry;
}

/** The worker's REST API on its listener (`listeners`, body limit, basic auth), standalone or distributed. */
export function startWorkerRest(
  config: WorkerConfig,
  parts: {
    herder: Herder;
    worker: Worker;
    metrics: WorkerMetrics;
    log: Log;
    logger: Logger;
    autoRestart: AutoRestarter;
  },
): Promise<RestServer> {
  const { host, port } = config.listener;
  const { worker, ...rest } = parts;
  return startRestServer({
    ...rest,
    host,
    port,
    bodyLimit: config.maxBodyBytes,
    basicAuthUsers: config.basicAuthUsers,
    workerId: config.advertisedId,
    signalTask: (connector, task, signal) => worker.signalTask(connector, task, signal),
  });
}

/** Wraps the parts of a started worker; `stop()` closes REST, then the herder, then the log, once. */
export function runningWorker(parts: {
  herder: Herder & { stop(): Promise<void> };
  rest: RestServer;
  log: Log;
  logger: Logger;
  url: string;
}): RunningWorker {
  let stopping: Promise<void> | null = null;
  return {
    herder: parts.herder,
    rest: parts.rest,
    url: parts.url,
    stop() {
      stopping ??= (async () => {
        await parts.rest.close();
        await parts.herder.stop();
        await parts.log.close();
        parts.logger.info('worker stopped');
      })();
      return stopping;
    },
  };
}
