import { ConfigError } from '@tributary/connect-api';
import type { WorkerConfig } from '../config/worker-config.js';
import type { Logger } from '../logging.js';
import { openEmbeddedLog } from './embedded/index.js';
import type { Log } from './log.js';

/** The log a worker uses: Kafka when `bootstrap.servers` is set, else the embedded log. */
export async function openLog(config: WorkerConfig, logger: Logger): Promise<Log> {
  if (config.bootstrapServers.length > 0) {
    throw new ConfigError([{ key: 'bootstrap.servers', message: 'the Kafka log is not available in this build yet' }]);
  }
  const p = config.parsed;
  return openEmbeddedLog({
    dir: config.logDir,
    defaultPartitions: p.int('embedded.log.partitions'),
    segmentBytes: p.int('embedded.log.segment.bytes'),
    retentionBytes: p.int('embedded.log.retention.bytes'),
    retentionMs: p.int('embedded.log.retention.ms'),
    flushIntervalMs: p.int('embedded.log.flush.interval.ms'),
    logger: logger.child({ component: 'embedded-log' }),
  });
}
