/** The Kafka log: the Log interface over @platformatic/kafka. See kafka-log.ts. */
export { openKafkaLog, KafkaLog, type KafkaLogOptions, type Reachability } from './kafka-log.js';
export { KafkaSettings, KafkaSettingsError } from './settings.js';
export { GroupMember, type GroupMemberOptions, type Generation } from './group-member.js';
