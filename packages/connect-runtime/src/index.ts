/** The Tributary worker runtime: herders, task runners, storage, the log, the REST API. */
export * from './log/log.js';
export { openEmbeddedLog, type EmbeddedLogOptions } from './log/embedded/index.js';
export { openLog } from './log/open-log.js';
export { openKafkaLog, KafkaLog, type KafkaLogOptions } from './log/kafka/index.js';
export { WorkerConfig, workerConfigDef, distributedConfigDef } from './config/worker-config.js';
export { readConfigFile, stringifyValues } from './config/config-file.js';
export { autoRestartConfigDef } from './restart/auto-restart-config.js';
export {
  commonConnectorConfigDef,
  sinkConnectorConfigDef,
  sourceConnectorConfigDef,
} from './config/connector-config.js';
export { PluginRegistry } from './plugins/registry.js';
// What `tributary test` runs a connector config's records through, as a task does.
export { TransformChain } from './worker/transform-chain.js';
export { buildConverters, type ConverterSet } from './worker/converters.js';
export { ErrorHandler, type Stage } from './worker/error-handler.js';
export { startStandalone, type RunningWorker, type StandaloneOptions } from './standalone.js';
export { startDistributed, type DistributedOptions } from './distributed/distributed.js';
export type { Herder, ConnectorInfo, ConnectorStateInfo, TaskStateInfo } from './herder/herder.js';
export { createLogger } from './logging.js';
export * from './errors.js';
// Adopt/handback between Kafka Connect-compatible clusters, over their REST APIs (the CLI and the console).
export * from './adopt/index.js';
