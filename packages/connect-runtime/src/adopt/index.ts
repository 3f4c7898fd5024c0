export { RestClient, RestError } from './rest-client.js';
export { ConnectCluster, type Cluster, type ConnectorStatus, type OffsetsBody, type PluginInfo } from './cluster.js';
export { findPlugin, inspect, type Inspection } from './inspect.js';
export { moveConnector, type MoveOptions, type MoveResult, type Outcome } from './move.js';
export { moveAll, type MoveRequest } from './move-all.js';
export { offsetTranslation, type Direction, type OffsetTranslation } from './offset-translation.js';
export { activityOf, advanced, progressVerdict, type Activity } from './progress.js';
