import { ConfigError } from '@tributary/connect-api';
import type { WorkerConfig } from '../config/worker-config.js';
import type { Logger } from '../logging.js';
import { openEmbeddedLog } from './embedded/index.js';
import { KafkaSettingsError, openKafkaLog, type KafkaLog } from './kafka/index.js';
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
 * Opens the worker's Kafka log — the one bootstrap of standalone and distributed mode — without
 * waiting for a broker, so the worker (and its REST API) comes up even while Kafka is away; a
 * background probe says clearly, with the brokers, the security in use and the reason, that Kafka is
 * unreachable, and keeps trying with backoff until it answers.
 */
export function openWorkerKafkaLog(
  config: WorkerConfig,
  logger: Logger,
  clientId = `tributary-${config.advertisedId}`,
): KafkaLog {
  let log: KafkaLog;
  try {
    log = openKafkaLog({ props: config.props, clientId, logger });
  } catch (err) {
    const key = err instanceof KafkaSettingsError ? err.key : 'bootstrap.servers';
    throw new ConfigError([{ key, message: (err as Error).message }]);
  }
  void probeUntilReachable(log, logger);
  return log;
}

async function probeUntilReachable(log: KafkaLog, logger: Logger): Promise<void> {
  const brokers = log.brokers;
  for (let attempt = 0; !log.closed; attempt++) {
    try {
      await log.probe();
      if (attempt > 0) logger.info({ brokers }, `Kafka at ${brokers.join(',')} is reachable again`);
      return;
    } catch (err) {
      const waitMs = Math.min(30_000, 1_000 * 2 ** attempt);
      logger.error(
        { err: (err as Error).message, brokers },
        `Kafka at ${brokers.join(',')} is unreachable (${log.reachability?.security ?? ''}): ${(err as Error).message}; retrying in ${waitMs / 1000} s`,
      );
      await new Promise((r) => setTimeout(r, waitMs).unref());
    }
  }
}

/** Why the worker's log is unreachable now (brokers, security, reason), or null when it is not known to be. */
export function logProblem(log: Log): string | null {
  const k = (log as Partial<KafkaLog>).reachability;
  if (!k || k.reachable) return null;
  return `Kafka at ${k.brokers.join(',')} is unreachable (${k.security}): ${k.error ?? 'no answer'}; retrying with backoff`;
}
