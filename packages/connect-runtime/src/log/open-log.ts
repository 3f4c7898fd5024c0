import { ConfigError } from '@tributary/connect-api';
import type { WorkerConfig } from '../config/worker-config.js';
import type { Logger } from '../logging.js';
import { openEmbeddedLog } from './embedded/index.js';
import { kafkaClientSettings } from './kafka/client-config.js';
import { openKafkaLog, type KafkaLog } from './kafka/index.js';
import type { Log } from './log.js';

/** The log a worker uses: Kafka when `bootstrap.servers` is set, else the embedded log. */
export async function openLog(config: WorkerConfig, logger: Logger): Promise<Log> {
  if (config.bootstrapServers.length > 0) return openWorkerKafkaLog(config, logger.child({ component: 'kafka-log' }));
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

/**
 * Opens the Kafka log without waiting for a broker, so the worker (and its REST API) comes up even
 * while Kafka is away; a background probe says clearly, with the broker list, that Kafka is
 * unreachable and keeps trying with backoff until it answers. Producers, consumers and admin calls
 * meanwhile fail with RetriableError, which the task runners retry.
 */
function openWorkerKafkaLog(config: WorkerConfig, logger: Logger): Log {
  const brokers = config.bootstrapServers;
  let settings;
  try {
    settings = kafkaClientSettings(config.props);
  } catch (err) {
    throw new ConfigError([{ key: 'bootstrap.servers', message: (err as Error).message }]);
  }
  if (settings.ignored.length > 0) logger.warn({ keys: settings.ignored }, 'these Kafka client settings have no kafkajs equivalent and are ignored');
  const log = openKafkaLog({ brokers, clientId: settings.clientConfig.clientId ?? `tributary-${config.advertisedId}`, logger, ...settings });
  void probeUntilReachable(log, brokers, logger);
  return log;
}

async function probeUntilReachable(log: KafkaLog, brokers: readonly string[], logger: Logger): Promise<void> {
  for (let attempt = 0; !log.closed; attempt++) {
    try {
      await log.probe();
      if (attempt > 0) logger.info({ brokers }, `Kafka at ${brokers.join(',')} is reachable again`);
      return;
    } catch (err) {
      const waitMs = Math.min(30_000, 1_000 * 2 ** attempt);
      logger.error({ err: (err as Error).message, brokers }, `Kafka at ${brokers.join(',')} is unreachable; retrying in ${waitMs / 1000} s`);
      await new Promise((r) => setTimeout(r, waitMs).unref());
    }
  }
}
