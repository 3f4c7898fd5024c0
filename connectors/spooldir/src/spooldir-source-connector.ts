import type { ConfigDef, ConfigValue, ConnectorConfig, SourceConnector, SourceTask } from '@tributary/connect-api';
import { csvSourceConfigDef, jsonSourceConfigDef, lineSourceConfigDef, VERSION } from './config.js';
import { checkDirectory } from './input-directory.js';
import {
  configuredSchemas,
  SpoolDirCsvSourceTask,
  SpoolDirJsonSourceTask,
  SpoolDirLineDelimitedSourceTask,
  SpoolDirSchemaLessJsonSourceTask,
} from './spooldir-tasks.js';

/**
 * The connector side of every spooldir source: checks the directories (a missing or read-only
 * input.path fails the connector with a message saying what to do) and splits files between tasks
 * by name hash (`task.index`/`task.count`), as the Java connector's ByName partitioner.
 */
abstract class SpoolDirSourceConnector implements SourceConnector {
  readonly kind = 'source' as const;
  private props: ConnectorConfig = {};

  abstract config(): ConfigDef;
  abstract taskClass(): new () => SourceTask;
  /**
   * Exactly once (KIP-618): offsets are the file's identity and row, and a file moves to
   * finished.path only in commit(), after the transaction holding its last row committed.
   */
  exactlyOnceSupport(): 'SUPPORTED' {
    return 'SUPPORTED';
  }
  protected usesSchemas(): boolean {
    return false;
  }

  version(): string {
    return VERSION;
  }

  validate(config: ConnectorConfig, values: ConfigValue[]): ConfigValue[] {
    try {
      if (this.usesSchemas()) configuredSchemas(this.config().parse(config));
    } catch (e) {
      for (const p of (e as { problems?: Array<{ key: string; message: string }> }).problems ?? []) {
        const v = values.find((x) => x.name === p.key);
        if (v && !v.errors.includes(p.message)) v.errors.push(p.message);
      }
    }
    const policy = String(config['cleanup.policy'] ?? 'MOVE').toUpperCase();
    const finished = values.find((v) => v.name === 'finished.path');
    if ((policy === 'MOVE' || policy === 'MOVEBYDATE') && finished && !String(config['finished.path'] ?? '').trim()) {
      finished.errors.push(`finished.path must be set when cleanup.policy is ${policy}`);
    }
    return values;
  }

  async start(config: ConnectorConfig): Promise<void> {
    const c = this.config().parse(config);
    if (this.usesSchemas()) configuredSchemas(c);
    await checkDirectory(c.string('input.path'), 'input.path');
    await checkDirectory(c.string('error.path'), 'error.path');
    const policy = c.string('cleanup.policy').toUpperCase();
    if (policy === 'MOVE' || policy === 'MOVEBYDATE') await checkDirectory(c.string('finished.path'), 'finished.path');
    this.props = config;
  }

  taskConfigs(maxTasks: number): Record<string, string>[] {
    const n = Math.max(1, maxTasks);
    return Array.from({ length: n }, (_, i) => ({ ...this.props, 'task.index': String(i), 'task.count': String(n) }));
  }

  stop(): void {}

  /** Offsets must be {"offset": record number ≥ 0, …} under {"fileName": …}. */
  alterOffsets(
    _config: ConnectorConfig,
    offsets: Map<Record<string, unknown>, Record<string, unknown> | null>,
  ): boolean {
    for (const [partition, offset] of offsets) {
      if (typeof partition.fileName !== 'string')
        throw new Error('Partition objects for spooldir connectors must contain a "fileName" key');
      if (
        offset !== null &&
        (typeof offset.offset !== 'number' || offset.offset < 0 || !Number.isInteger(offset.offset))
      ) {
        throw new Error(
          'Offset objects for spooldir connectors must contain an "offset" key holding a non-negative integer',
        );
      }
    }
    return true;
  }
}

export class SpoolDirCsvSourceConnector extends SpoolDirSourceConnector {
  config(): ConfigDef {
    return csvSourceConfigDef;
  }
  taskClass() {
    return SpoolDirCsvSourceTask;
  }
  protected override usesSchemas(): boolean {
    return true;
  }
}

export class SpoolDirJsonSourceConnector extends SpoolDirSourceConnector {
  config(): ConfigDef {
    return jsonSourceConfigDef;
  }
  taskClass() {
    return SpoolDirJsonSourceTask;
  }
  protected override usesSchemas(): boolean {
    return true;
  }
}

export class SpoolDirLineDelimitedSourceConnector extends SpoolDirSourceConnector {
  config(): ConfigDef {
    return lineSourceConfigDef;
  }
  taskClass() {
    return SpoolDirLineDelimitedSourceTask;
  }
}

export class SpoolDirSchemaLessJsonSourceConnector extends SpoolDirSourceConnector {
  config(): ConfigDef {
    return lineSourceConfigDef;
  }
  taskClass() {
    return SpoolDirSchemaLessJsonSourceTask;
  }
}
