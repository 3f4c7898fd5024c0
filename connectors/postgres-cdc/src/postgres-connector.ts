import type {
  ConfigDef,
  ConfigValue,
  ConnectorConfig,
  ConnectorContext,
  SourceConnector,
  SourceOffset,
} from '@tributary/connect-api';
import { configDef, parseConfig, VERSION } from './config.js';
import { PostgresConnectorTask } from './postgres-source-task.js';
import { connect, dropSlot, slotState } from './pg-client.js';
import { checkOffsetRetained } from './offset-check.js';

/**
 * Debezium's PostgresConnector: one task (a replication slot has one reader), which snapshots the
 * captured tables and then streams their changes from the slot.
 */
export class PostgresConnector implements SourceConnector {
  readonly kind = 'source' as const;
  private props: ConnectorConfig = {};

  version(): string {
    return VERSION;
  }
  config(): ConfigDef {
    return configDef;
  }
  taskClass() {
    return PostgresConnectorTask;
  }
  /**
   * Exactly once (KIP-618): the task confirms a WAL position to PostgreSQL only in commit(), after the
   * Kafka transaction holding the changes up to it committed; with the poll boundary one Kafka
   * transaction carries the changes of one poll (whole PostgreSQL transactions or parts of one).
   */
  exactlyOnceSupport(): 'SUPPORTED' {
    return 'SUPPORTED';
  }
  /** `transaction.boundary=connector`: Kafka transactions end only where PostgreSQL transactions end. */
  canDefineTransactionBoundaries(): 'SUPPORTED' {
    return 'SUPPORTED';
  }

  validate(config: ConnectorConfig, values: ConfigValue[]): ConfigValue[] {
    const batch = values.find((v) => v.name === 'max.batch.size');
    const queue = values.find((v) => v.name === 'max.queue.size');
    if (
      batch &&
      queue &&
      typeof batch.value === 'number' &&
      typeof queue.value === 'number' &&
      queue.value <= batch.value
    ) {
      queue.errors.push(
        `Invalid value ${queue.value} for configuration max.queue.size: must be larger than max.batch.size (${batch.value})`,
      );
    }
    // As Debezium: an include list and the exclude list of the same kind exclude each other.
    for (const kind of ['schema', 'table', 'column']) {
      const inc = values.find((v) => v.name === `${kind}.include.list`);
      const exc = values.find((v) => v.name === `${kind}.exclude.list`);
      if (Array.isArray(inc?.value) && inc.value.length > 0 && Array.isArray(exc?.value) && exc.value.length > 0) {
        exc.errors.push(
          `"${kind}.include.list" is already specified; use either ${kind}.include.list or ${kind}.exclude.list, not both`,
        );
      }
    }
    for (const v of values) {
      if (!/\.(include|exclude)\.list$/.test(v.name) || !Array.isArray(v.value)) continue;
      for (const re of v.value as string[]) {
        try {
          new RegExp(re);
        } catch (e) {
          v.errors.push(`Invalid regular expression ${re} in ${v.name}: ${(e as Error).message}`);
        }
      }
    }
    void config;
    return values;
  }

  start(config: ConnectorConfig, _ctx: ConnectorContext): void {
    parseConfig(config);
    this.props = config;
  }

  /** Always one task: a logical replication slot cannot be shared. */
  taskConfigs(): Record<string, string>[] {
    return [{ ...this.props }];
  }

  stop(): void {}

  /** Offsets must be {"lsn": number, …} under {"server": <topic.prefix>}; a reset (null) is allowed. */
  async alterOffsets(
    config: ConnectorConfig,
    offsets: Map<Record<string, unknown>, Record<string, unknown> | null>,
  ): Promise<boolean> {
    for (const [partition, offset] of offsets) {
      if (typeof partition.server !== 'string')
        throw new Error('Partition objects for PostgresConnector must contain a "server" key (the topic.prefix)');
      if (offset !== null && typeof offset.lsn !== 'number' && typeof offset.lsn_commit !== 'number')
        throw new Error('Offset objects for PostgresConnector must contain a numeric "lsn" (or "lsn_commit")');
    }
    // A reset of every offset also drops the slot when asked to, so the next start begins afresh.
    const cfg = parseConfig(config);
    for (const offset of offsets.values()) if (offset !== null) await checkOffsetRetained(cfg, offset as SourceOffset);
    if (cfg.dropSlotOnStop && [...offsets.values()].every((o) => o === null)) {
      const client = await connect(cfg);
      try {
        if (await slotState(client, cfg.slot)) await dropSlot(client, cfg.slot);
      } finally {
        await client.end();
      }
    }
    return true;
  }
}
