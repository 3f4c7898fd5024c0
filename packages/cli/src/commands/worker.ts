import { dirname, resolve } from 'node:path';
import {
  createLogger,
  readConfigFile,
  startDistributed,
  startStandalone,
  type RunningWorker,
} from '@tributary/connect-runtime';
import type { Logger } from 'pino';
import { builtinPlugins } from '../plugins.js';

/** `tributary standalone worker.properties [connector.json …]`: runs until SIGINT/SIGTERM. */
export async function runStandalone(workerFile: string, connectorFiles: string[]): Promise<void> {
  const logger = createLogger();
  const props = await readConfigFile(workerFile);
  const connectors = await Promise.all(connectorFiles.map((f) => readConfigFile(f)));
  const worker = await startStandalone({
    props,
    baseDir: dirname(resolve(workerFile)),
    plugins: builtinPlugins,
    connectors,
    logger,
  });
  stopOnSignals(worker, logger);
}

/** `tributary distributed worker.properties`: joins the cluster named by group.id; runs until signalled. */
export async function runDistributed(workerFile: string): Promise<void> {
  const logger = createLogger();
  const props = await readConfigFile(workerFile);
  const worker = await startDistributed({
    props,
    baseDir: dirname(resolve(workerFile)),
    plugins: builtinPlugins,
    logger,
  });
  stopOnSignals(worker, logger);
}

/**
 * Exits once the logger's last line had time to be written. pino writes stdout asynchronously and
 * flushes what is still queued synchronously at exit; when the reader of stdout has gone
 * (`tributary standalone … | head`), that flush retries the failed write forever and the worker never
 * exits. Given a moment, the asynchronous write fails first, pino stops writing, and exit is immediate.
 */
function exitAfterLastLog(code: number): void {
  setTimeout(() => process.exit(code), 100);
}

function stopOnSignals(worker: RunningWorker, logger: Logger): void {
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`received ${signal}, stopping`);
    worker.stop().then(
      () => exitAfterLastLog(0),
      (err: unknown) => {
        logger.error({ err }, 'error while stopping');
        exitAfterLastLog(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}
