/**
 * The log contract against a real Kafka broker (test/services: Kafka 3.9 in KRaft mode on
 * 127.0.0.1:9092), started here with the project's own script since the runtime package cannot
 * import test/support. Every test uses fresh topic and group names.
 */
import { execFileSync } from 'node:child_process';
import { before } from 'node:test';
import { pino } from 'pino';
import { runLogContract } from '../log-contract.js';
import { openKafkaLog } from './index.js';

/** The repository root (packages/connect-runtime/dist/log/kafka → ../../../../..). */
const ROOT = new URL('../../../../../', import.meta.url).pathname;
const BROKERS = ['127.0.0.1:9092'];

before(() => {
  execFileSync('bash', [`${ROOT}test/services/up.sh`, 'kafka'], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 30 * 60_000 });
});

runLogContract('kafka', async () => {
  const log = openKafkaLog({ props: { 'bootstrap.servers': BROKERS.join(',') }, clientId: 'tributary-contract', logger: pino({ level: process.env.TRIBUTARY_LOG_LEVEL ?? 'silent' }) });
  return { log, cleanup: () => log.close() };
});
