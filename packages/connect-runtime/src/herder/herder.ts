import type { TargetState } from '../storage/config-store.js';
import type { State } from '../worker/status.js';
import type { ConfigInfos, ConfigKeyInfo } from './validation.js';
import type { ConnectorTaskId } from '../worker/task-id.js';

export type ConnectorType = 'source' | 'sink' | 'unknown';

export interface ConnectorInfo {
  name: string;
  config: Record<string, string>;
  tasks: ConnectorTaskId[];
  type: ConnectorType;
}

export interface TaskStateInfo {
  id: number;
  state: State;
  worker_id: string;
  trace?: string;
  /**
   * Not in Kafka Connect: the figures the task publishes through `ctx.metrics` (e.g. datagrams the
   * kernel dropped), shown by the worker that runs the task.
   */
  metrics?: Readonly<Record<string, number>>;
  /** Not in Kafka Connect: auto-restarts made (auto.restart.*), when any. */
  restarts?: number;
  /** Not in Kafka Connect: when the next auto-restart is due (ISO 8601), while one is planned. */
  next_restart_at?: string;
}

export interface ConnectorStateInfo {
  name: string;
  connector: { state: State; worker_id: string; trace?: string; restarts?: number; next_restart_at?: string };
  tasks: TaskStateInfo[];
  type: ConnectorType;
}

export interface ConnectorOffset {
  partition: Record<string, unknown>;
  offset: Record<string, unknown> | null;
}

export interface PluginInfo {
  class: string;
  type: string;
  version?: string;
}

/**
 * What the REST API asks of a worker. Standalone and distributed herders implement it; the REST layer
 * only translates HTTP to these calls and back.
 */
export interface Herder {
  start(): Promise<void>;
  stop(): Promise<void>;
  serverInfo(): { version: string; commit: string; kafka_cluster_id: string };
  health(): { status: 'healthy' | 'starting' | 'unhealthy'; message: string };
  /** True once the herder has read its connector configs (a cluster's config topic); before, it knows no connector. */
  isReady(): boolean;
  whenReady(): Promise<void>;
  /**
   * Distributed mode: sets a logger's level on every worker of the cluster (`?scope=cluster`, KIP-976).
   * Without it, the cluster scope is this worker alone.
   */
  setClusterLoggerLevel?(logger: string, level: string): Promise<void>;
  /**
   * Distributed mode: the URL of the worker that must handle config writes (the leader), or null to
   * handle them here. Throws a ConflictError (409) while no leader is known.
   */
  forwardTarget?(): string | null;
  /** Distributed mode: this worker, the leader and the members of the cluster, for the console. */
  cluster?(): { self: string; leader_url: string | null; is_leader: boolean; members: string[] };

  connectors(): Promise<string[]>;
  connectorInfo(name: string): Promise<ConnectorInfo>;
  connectorConfig(name: string): Promise<Record<string, string>>;
  /** Creates or replaces; `created` tells which. Rejects with AlreadyExists when !allowReplace. */
  putConnectorConfig(
    name: string,
    config: Record<string, string>,
    opts: { allowReplace: boolean; initialState?: TargetState },
  ): Promise<{ created: boolean; info: ConnectorInfo }>;
  patchConnectorConfig(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo>;
  deleteConnector(name: string): Promise<void>;

  connectorStatus(name: string): Promise<ConnectorStateInfo>;
  taskConfigs(name: string): Promise<Array<{ id: ConnectorTaskId; config: Record<string, string> }>>;
  taskStatus(name: string, task: number): Promise<TaskStateInfo>;

  /** Returns null for a plain connector restart (204), else the state with RESTARTING marks (202). */
  restartConnector(
    name: string,
    opts: { includeTasks: boolean; onlyFailed: boolean },
  ): Promise<ConnectorStateInfo | null>;
  restartTask(name: string, task: number): Promise<void>;
  setTargetState(name: string, state: TargetState): Promise<void>;

  offsets(name: string): Promise<{ offsets: ConnectorOffset[] }>;
  alterOffsets(name: string, offsets: ConnectorOffset[]): Promise<{ message: string }>;
  resetOffsets(name: string): Promise<{ message: string }>;

  activeTopics(name: string): Promise<Record<string, { topics: string[] }>>;
  resetActiveTopics(name: string): Promise<void>;

  validate(plugin: string | null, config: Record<string, string>): Promise<ConfigInfos>;
  plugins(connectorsOnly: boolean): PluginInfo[];
  pluginConfig(plugin: string): ConfigKeyInfo[];
}
