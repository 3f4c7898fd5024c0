import type { PluginNames, Template } from './template.js';

/**
 * A sink connector that writes each record as a JSON file named after its topic, partition and offset:
 * the smallest sink whose redelivery is harmless (a record delivered again rewrites the same file).
 */
export function sinkTemplate(n: PluginNames): Template {
  const P = n.pascal;
  return {
    keys: [
      {
        name: 'output.dir',
        type: 'STRING',
        importance: 'HIGH',
        documentation: 'The folder records are written to, one JSON file each.',
        validator: 'Validators.nonEmptyString()',
      },
      { name: 'pretty', type: 'BOOLEAN', default: false, importance: 'LOW', documentation: 'Indent the JSON.' },
    ],
    files: {
      'src/task.ts': `import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Struct, type SinkRecord, type SinkTask, type SinkTaskContext } from '@tributary/connect-api';
import { configDef } from './config.js';

/**
 * Writes records to the external system. Replace the files with your writes; keep the shape: put()
 * returns once its records are written (or preCommit returns only the offsets that are), writing the
 * same record twice leaves one copy, and a put() stops early when the worker stops the task.
 */
export class ${P}Task implements SinkTask {
  private ctx!: SinkTaskContext;
  private dir = '';
  private indent = 0;

  async start(props: Record<string, string>, ctx: SinkTaskContext): Promise<void> {
    const config = configDef.parse(props);
    this.ctx = ctx;
    this.dir = config.string('output.dir');
    this.indent = config.bool('pretty') ? 2 : 0;
    await mkdir(this.dir, { recursive: true });
  }

  async put(records: SinkRecord[]): Promise<void> {
    for (const r of records) {
      if (this.ctx.signal.aborted) return; // the rest is delivered again after a restart
      const doc = { key: plain(r.key), value: plain(r.value), timestamp: r.timestamp ?? null };
      await writeFile(join(this.dir, \`\${r.topic}-\${r.kafkaPartition}-\${r.kafkaOffset}.json\`), JSON.stringify(doc, null, this.indent));
    }
  }

  stop(): void {}
}

function plain(v: unknown): unknown {
  if (v instanceof Struct) return v.toJSON();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return v ?? null;
}
`,
      'src/connector.ts': `import type { ConnectorConfig, SinkConnector } from '@tributary/connect-api';
import { configDef } from './config.js';
import { ${P}Task } from './task.js';

/** Splits the work into task configs; every task gets the connector's settings. */
export class ${P}Connector implements SinkConnector {
  readonly kind = 'sink';
  private props: ConnectorConfig = {};

  version(): string { return '0.1.0'; }
  config(): typeof configDef { return configDef; }
  taskClass(): typeof ${P}Task { return ${P}Task; }
  start(props: ConnectorConfig): void { this.props = props; }
  taskConfigs(maxTasks: number): Record<string, string>[] { return Array.from({ length: maxTasks }, () => ({ ...this.props })); }
  stop(): void {}
}
`,
      'src/index.ts': `import type { PluginDescriptor } from '@tributary/connect-api';
import { ${P}Connector } from './connector.js';

export { ${P}Connector };

/** What the worker loads from plugin.path (package.json names this module under "tributary"). */
export const plugins: PluginDescriptor[] = [
  { type: 'sink', class: '${n.className}', aliases: ['${P}'], version: '0.1.0', create: () => new ${P}Connector() },
];
`,
      'src/plugin.test.ts': `import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sinkTaskSuite } from '@tributary/connect-api/testing';
import { ${P}Connector } from './index.js';

// The SDK's conformance checks: preCommit only what is written, harmless redelivery, rebalances,
// a prompt stop during put, a config without a required key refused.
sinkTaskSuite('${P}', {
  connector: () => new ${P}Connector(),
  setup: async () => {
    const dir = await mkdtemp(join(tmpdir(), '${n.dir}-'));
    return {
      config: { 'connector.class': '${P}', topics: 'orders', 'output.dir': dir },
      stored: () => readdir(dir),
      teardown: () => rm(dir, { recursive: true, force: true }),
    };
  },
  redelivery: 'deterministic names: one file per topic, partition and offset',
});
`,
    },
  };
}
