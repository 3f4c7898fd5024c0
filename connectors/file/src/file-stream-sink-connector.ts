import type { ConfigDef, ConnectorConfig, SinkConnector } from '@tributary/connect-api';
import { sinkConfigDef, VERSION } from './config.js';
import { FileStreamSinkTask } from './file-stream-sink-task.js';

/** Writes the values of records to one file (or stdout), a line each. */
export class FileStreamSinkConnector implements SinkConnector {
  readonly kind = 'sink' as const;
  private props: ConnectorConfig = {};

  version(): string {
    return VERSION;
  }
  config(): ConfigDef {
    return sinkConfigDef;
  }
  taskClass() {
    return FileStreamSinkTask;
  }

  start(config: ConnectorConfig): void {
    this.props = config;
  }

  taskConfigs(maxTasks: number): Record<string, string>[] {
    const cfg: Record<string, string> = {};
    if (this.props.file) cfg.file = this.props.file;
    return Array.from({ length: Math.max(1, maxTasks) }, () => ({ ...cfg }));
  }

  stop(): void {}

  alterOffsets(): boolean {
    return true; // offsets live only in the consumer group
  }
}
