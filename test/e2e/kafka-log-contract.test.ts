/**
 * The log contract against a real Kafka broker (test/services: Kafka 3.9 in KRaft mode on 127.0.0.1:9092).
 * Every test uses fresh topic and group names. The same contract runs on the embedded log as a unit test.
 */
import { before } from 'node:test';
import { pino } from 'pino';
import { openKafkaLog } from '@tributary/connect-runtime';
import { runLogContract } from '../support/log-contract.js';
import { ensureService, SERVICES } from '../support/services.js';

before(() => {
  ensureService('kafka');
});

runLogContract('kafka', async () => {
  const log = openKafkaLog({
    props: { 'bootstrap.servers': SERVICES.kafka },
    clientId: 'tributary-contract',
    logger: pino({ level: process.env.TRIBUTARY_LOG_LEVEL ?? 'silent' }),
  });
  return { log, cleanup: () => log.close() };
});
