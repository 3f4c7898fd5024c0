import type { ConfigDef, ConfigValue, ConnectorConfig } from './config.js';
import type { Logger } from './logger.js';
import type { SinkTask, SourceTask } from './task.js';
import type { SourceOffset, SourcePartition, TopicPartition } from './records.js';

/** What the runtime offers a connector instance. */
export interface ConnectorContext {
  /** The connector's name. */
  readonly name: string;
  readonly logger: Logger;
  /**
   * Asks the runtime to call {@link Connector.taskConfigs} again and restart the tasks whose configs
   * changed (e.g. a new table appeared). Safe to call from any callback, any number of times.
   */
  requestTaskReconfiguration(): void;
  /** Fails the connector (not its tasks) with `error`; its status shows the trace. */
  raiseError(error: Error): void;
}

/**
 * A connector: configured once, it splits its work into task configs. It does not move data itself.
 *
 * Call order, all on the worker's event loop, never overlapping for one instance:
 * `config()` (any time, also on instances that are never started) → `validate()` (optional) →
 * `start(config, ctx)` → `taskConfigs(maxTasks)` (again after each `requestTaskReconfiguration()`)
 * → `stop()`. After `stop()` the instance is discarded; a restart creates a new one.
 */
export interface Connector {
  /** The plugin version shown by `GET /connector-plugins`. */
  version(): string;
  /** The declaration of this connector's own keys (the runtime adds its common keys). */
  config(): ConfigDef;
  /**
   * Optional extra validation across keys (e.g. "exactly one of topics or topics.regex"), given the
   * per-key outcome; return it with errors appended. It must not reach external systems for long.
   */
  validate?(config: ConnectorConfig, values: ConfigValue[]): ConfigValue[] | Promise<ConfigValue[]>;
  start(config: ConnectorConfig, ctx: ConnectorContext): void | Promise<void>;
  /** At most `maxTasks` task configs; each starts one task. */
  taskConfigs(maxTasks: number): Record<string, string>[] | Promise<Record<string, string>[]>;
  stop(): void | Promise<void>;
}

/** A connector that reads an external system into topics. */
export interface SourceConnector extends Connector {
  readonly kind: 'source';
  taskClass(): new () => SourceTask;
  /**
   * Called when a user alters (or, with null offsets, resets) this connector's offsets over REST
   * while it is STOPPED. Return true when the connector also handled offsets it keeps elsewhere.
   * Throw to reject the request (e.g. an offset of the wrong shape).
   */
  alterOffsets?(
    config: ConnectorConfig,
    offsets: Map<SourcePartition, SourceOffset | null>,
  ): boolean | Promise<boolean>;
  /**
   * KIP-618: whether this connector, with this config, can run exactly once — its tasks can resume
   * exactly after the last record of a committed transaction (they read their position back from
   * the offsets, and nothing upstream is confirmed before commit()). Called before the connector
   * starts; `undefined` (the method absent) counts as unknown, which `exactly.once.support=required`
   * refuses.
   */
  exactlyOnceSupport?(config: ConnectorConfig): 'SUPPORTED' | 'UNSUPPORTED';
  /**
   * KIP-618: whether the tasks define transaction boundaries themselves (`transaction.boundary=connector`)
   * through `ctx.transactionContext`. Called when a config asks for that boundary; `undefined` (the
   * method absent) counts as unsupported and such configs are refused.
   */
  canDefineTransactionBoundaries?(config: ConnectorConfig): 'SUPPORTED' | 'UNSUPPORTED';
}

/** A connector that writes topics into an external system. */
export interface SinkConnector extends Connector {
  readonly kind: 'sink';
  taskClass(): new () => SinkTask;
  /** As {@link SourceConnector.alterOffsets}, for consumer offsets; null resets a partition. */
  alterOffsets?(config: ConnectorConfig, offsets: Map<TopicPartition, number | null>): boolean | Promise<boolean>;
}
