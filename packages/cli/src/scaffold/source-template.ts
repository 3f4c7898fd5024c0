import type { PluginNames, Template } from './template.js';

/**
 * A source connector that counts from 1 to `max.count`, one record per number, and resumes after the
 * last number the worker committed: the smallest source that keeps every contract of the kit.
 */
export function sourceTemplate(n: PluginNames): Template {
  const P = n.pascal;
  return {
    keys: [
      {
        name: 'topic',
        type: 'STRING',
        importance: 'HIGH',
        documentation: 'The topic to write to.',
        validator: 'Validators.nonEmptyString()',
      },
      {
        name: 'max.count',
        type: 'LONG',
        default: 1000,
        importance: 'MEDIUM',
        documentation: 'The last number to emit.',
        validator: 'Validators.atLeast(1)',
      },
      {
        name: 'batch.size',
        type: 'INT',
        default: 100,
        importance: 'LOW',
        documentation: 'Records returned by one poll at most.',
        validator: 'Validators.atLeast(1)',
      },
    ],
    files: {
      'src/task.ts': `import {
  Schemas, sleep, type SourcePartition, type SourceRecord, type SourceTask, type SourceTaskContext,
} from '@tributary/connect-api';
import { configDef } from './config.js';

/**
 * Reads the external system into records. Replace the counting with your reads; keep the shape:
 * every record carries the position it came from (sourcePartition, sourceOffset), and start()
 * continues right after the position the worker last committed.
 */
export class ${P}Task implements SourceTask {
  private ctx!: SourceTaskContext;
  private partition: SourcePartition = {};
  private topic = '';
  private max = 0;
  private batch = 0;
  private next = 1;

  async start(props: Record<string, string>, ctx: SourceTaskContext): Promise<void> {
    const config = configDef.parse(props);
    this.ctx = ctx;
    this.topic = config.string('topic');
    this.max = config.int('max.count');
    this.batch = config.int('batch.size');
    this.partition = { topic: this.topic };
    const last = await ctx.offsetStorageReader.offset(this.partition);
    this.next = typeof last?.n === 'number' ? last.n + 1 : 1;
  }

  async poll(): Promise<SourceRecord[] | null> {
    const records: SourceRecord[] = [];
    for (; this.next <= this.max && records.length < this.batch; this.next++) {
      records.push({
        topic: this.topic, sourcePartition: this.partition, sourceOffset: { n: this.next },
        key: null, valueSchema: Schemas.INT64, value: this.next, headers: [],
      });
    }
    // Nothing new: wait a little, but return at once when the worker stops the task.
    if (records.length === 0) await sleep(500, this.ctx.signal);
    return records;
  }

  stop(): void {}
}
`,
      'src/connector.ts': `import type { ConnectorConfig, SourceConnector } from '@tributary/connect-api';
import { configDef } from './config.js';
import { ${P}Task } from './task.js';

/** Splits the work into task configs; this one runs a single task with the connector's settings. */
export class ${P}Connector implements SourceConnector {
  readonly kind = 'source';
  private props: ConnectorConfig = {};

  version(): string { return '0.1.0'; }
  config(): typeof configDef { return configDef; }
  taskClass(): typeof ${P}Task { return ${P}Task; }
  start(props: ConnectorConfig): void { this.props = props; }
  taskConfigs(): Record<string, string>[] { return [{ ...this.props }]; }
  stop(): void {}
}
`,
      'src/index.ts': `import type { PluginDescriptor } from '@tributary/connect-api';
import { ${P}Connector } from './connector.js';

export { ${P}Connector };

/** What the worker loads from plugin.path (package.json names this module under "tributary"). */
export const plugins: PluginDescriptor[] = [
  { type: 'source', class: '${n.className}', aliases: ['${P}'], version: '0.1.0', create: () => new ${P}Connector() },
];
`,
      'src/plugin.test.ts': `import { sourceTaskSuite } from '@tributary/connect-api/testing';
import { ${P}Connector } from './index.js';

// The SDK's conformance checks: reads from the start, resumes exactly after the last committed
// record, stops promptly during a poll, commits in order, refuses a config without a required key.
sourceTaskSuite('${P}', {
  connector: () => new ${P}Connector(),
  setup: () => ({ config: { 'connector.class': '${P}', topic: 'numbers', 'max.count': '20', 'batch.size': '5' } }),
});
`,
    },
  };
}
