import type { ConfigDef, ConnectorConfig, SourceConnector } from '@tributary/connect-api';
import { sourceConfigDef, VERSION } from './config.js';
import { FileStreamSourceTask } from './file-stream-source-task.js';

/** Reads lines of one file into a topic; one task, whatever tasks.max says. */
export class FileStreamSourceConnector implements SourceConnector {
  readonly kind = 'source' as const;
  private props: ConnectorConfig = {};

  version(): string {
    return VERSION;
  }
  config(): ConfigDef {
    return sourceConfigDef;
  }
  taskClass() {
    return FileStreamSourceTask;
  }
  /** Exactly once (KIP-618): the task resumes at the byte position stored with the last committed line. */
  exactlyOnceSupport(): 'SUPPORTED' {
    return 'SUPPORTED';
  }

  start(config: ConnectorConfig): void {
    sourceConfigDef.parse(config);
    this.props = config;
  }

  taskConfigs(): Record<string, string>[] {
    return [{ file: this.props.file!, topic: this.props.topic!, 'batch.size': this.props['batch.size'] ?? '2000' }];
  }

  stop(): void {}

  /** Offsets must be {"position": non-negative integer} under {"filename": …}. */
  alterOffsets(
    _config: ConnectorConfig,
    offsets: Map<Record<string, unknown>, Record<string, unknown> | null>,
  ): boolean {
    for (const [partition, offset] of offsets) {
      if (typeof partition.filename !== 'string')
        throw new Error('Partition objects for FileStreamSource must contain a "filename" key');
      if (
        offset !== null &&
        (typeof offset.position !== 'number' || offset.position < 0 || !Number.isInteger(offset.position))
      ) {
        throw new Error(
          'Offset objects for FileStreamSource must contain a "position" key holding a non-negative integer',
        );
      }
    }
    return true;
  }
}
