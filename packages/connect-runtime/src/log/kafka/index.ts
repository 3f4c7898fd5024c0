/** The Kafka log: the Log interface over kafkajs. See kafka-log.ts. */
export { openKafkaLog, KafkaLog, type KafkaLogOptions } from './kafka-log.js';
