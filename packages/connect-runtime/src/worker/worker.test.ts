import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { plugins as converterPlugins } from '@tributary/connect-converters';
import { plugins as transformPlugins } from '@tributary/connect-transforms';
import {
  ConfigDef,
  Schemas,
  sleep,
  type PluginDescriptor,
  type SinkConnector,
  type SinkRecord,
  type SinkTask,
  type SourceConnector,
  type SourceRecord,
  type SourceTask,
  type SourceTaskContext,
} from '@tributary/connect-api';
import { WorkerConfig } from '../config/worker-config.js';
import { openEmbeddedLog } from '../log/embedded/index.js';
import type { Log } from '../log/log.js';
import { WorkerMetrics } from '../metrics.js';
import { PluginRegistry } from '../plugins/registry.js';
import type { Status, StatusListener } from './status.js';
import { memoryOffsets, silentLogger, until } from './test-support.js';
import { Worker } from './worker.js';

const logs: Log[] = [];
const workers: Worker[] = [];
after(async () => {
  for (const w of workers) await w.stop();
  for (const l of logs) await l.close();
});

/** Lines 1..`max.count` from the stored offset on; and a sink that keeps what it is given, by connector. */
const lineDef = new ConfigDef()
  .define({ name: 'topic', type: 'STRING', default: 'lines', importance: 'HIGH', documentation: 'topic' })
  .define({ name: 'max.count', type: 'INT', default: 50, importance: 'LOW', documentation: 'last line' });
class LineTask implements SourceTask {
  private ctx!: SourceTaskContext;
  private next = 1;
  private max = 0;
  private topic = '';
  async start(props: Record<string, string>, ctx: SourceTaskContext) {
    const c = lineDef.parse(props);
    this.ctx = ctx;
    this.topic = c.string('topic');
    this.max = c.int('max.count');
    const last = await ctx.offsetStorageReader.offset({ lines: this.topic });
    this.next = typeof last?.n === 'number' ? last.n + 1 : 1;
  }
  async poll(): Promise<SourceRecord[] | null> {
    const out: SourceRecord[] = [];
    for (; this.next <= this.max && out.length < 7; this.next++) {
      out.push({
        topic: this.topic,
        sourcePartition: { lines: this.topic },
        sourceOffset: { n: this.next },
        key: null,
        value: `line ${this.next}`,
        valueSchema: Schemas.STRING,
        headers: [],
      });
    }
    if (out.length === 0) await sleep(20, this.ctx.signal);
    return out;
  }
  stop() {}
}
const received = new Map<string, string[]>();
class KeepTask implements SinkTask {
  private name = '';
  start(props: Record<string, string>) {
    this.name = props.name ?? '';
  }
  async put(records: SinkRecord[]) {
    received.set(this.name, [...(received.get(this.name) ?? []), ...records.map((r) => String(r.value))]);
  }
  stop() {}
}
const connector = <K extends 'source' | 'sink'>(kind: K, task: new () => SourceTask | SinkTask) => ({
  kind,
  version: () => '1',
  config: () => lineDef,
  taskClass: () => task,
  props: {} as Record<string, string>,
  start(p: Record<string, string>) {
    this.props = p;
  },
  taskConfigs() {
    return [{ ...this.props }];
  },
  stop() {},
});
const testPlugins: PluginDescriptor[] = [
  {
    type: 'source',
    class: 'test.LineSource',
    create: () => connector('source', LineTask) as unknown as SourceConnector,
  },
  { type: 'sink', class: 'test.KeepSink', create: () => connector('sink', KeepTask) as unknown as SinkConnector },
];

class Statuses implements StatusListener {
  readonly connectors = new Map<string, Status>();
  readonly tasks = new Map<string, Status>();
  onConnector(name: string, s: Status): void {
    this.connectors.set(name, s);
  }
  onTask(c: string, t: number, s: Status): void {
    this.tasks.set(`${c}-${t}`, s);
  }
}

async function worker(): Promise<{ w: Worker; status: Statuses; offsets: ReturnType<typeof memoryOffsets> }> {
  const dir = await mkdtemp(join(tmpdir(), 'worker-unit-'));
  const log = await openEmbeddedLog({ dir: join(dir, 'log'), logger: silentLogger as never });
  logs.push(log);
  const status = new Statuses();
  const offsets = memoryOffsets();
  const w = new Worker({
    config: new WorkerConfig({
      'offset.flush.interval.ms': '50',
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
    }),
    registry: new PluginRegistry().register(...converterPlugins, ...transformPlugins, ...testPlugins),
    log,
    offsets,
    status,
    logger: pino({ level: 'silent' }),
    metrics: new WorkerMetrics(),
  });
  workers.push(w);
  return { w, status, offsets };
}

async function startAll(w: Worker, name: string, config: Record<string, string>): Promise<void> {
  assert.equal(await w.startConnector(name, config, 'STARTED', () => {}), true);
  for (const [i, tc] of (await w.taskConfigs(name, 1)).entries()) w.startTask(name, i, config, tc, 'STARTED');
}

describe('Worker over the embedded log', () => {
  it('runs a source and a sink connector end to end, in order, and stores the source offset', async () => {
    const { w, status, offsets } = await worker();
    await startAll(w, 'src', { name: 'src', 'connector.class': 'test.LineSource', topic: 'lines', 'max.count': '50' });
    await startAll(w, 'snk', { name: 'snk', 'connector.class': 'test.KeepSink', topics: 'lines' });
    await until(() => status.tasks.get('src-0')?.state === 'RUNNING' && status.tasks.get('snk-0')?.state === 'RUNNING');
    assert.deepEqual(w.taskIds('src'), [0]);
    await until(() => (received.get('snk') ?? []).length === 50, 10_000);
    assert.deepEqual(
      received.get('snk'),
      Array.from({ length: 50 }, (_, i) => `line ${i + 1}`),
    );
    await until(() => offsets.written.some((o) => (o as { n: number }).n === 50), 5000);
    await w.stopTask('src', 0);
    assert.deepEqual(w.taskIds('src'), []);
    assert.equal(status.tasks.get('snk-0')?.state, 'RUNNING');
  });

  it('reports a connector whose class is unknown as FAILED, with the names it knows', async () => {
    const { w, status } = await worker();
    assert.equal(
      await w.startConnector('bad', { name: 'bad', 'connector.class': 'test.LineSorce' }, 'STARTED', () => {}),
      false,
    );
    assert.equal(status.connectors.get('bad')?.state, 'FAILED');
    assert.match(status.connectors.get('bad')!.trace!, /Did you mean: .*test\.LineSource/);
    assert.equal(w.isConnectorRunning('bad'), false);
  });

  it('fails a task whose transform cannot be built, with the key in its trace', async () => {
    const { w, status } = await worker();
    const config = {
      name: 't',
      'connector.class': 'test.KeepSink',
      topics: 'x',
      transforms: 'a',
      'transforms.a.type': 'NoSuchTransform',
    };
    assert.equal(await w.startConnector('t', config, 'STARTED', () => {}), true);
    w.startTask('t', 0, config, (await w.taskConfigs('t', 1))[0]!, 'STARTED');
    await until(() => status.tasks.get('t-0')?.state === 'FAILED');
    assert.match(status.tasks.get('t-0')!.trace!, /transforms\.a\.type/);
  });

  it("pauses and resumes a connector's tasks", async () => {
    const { w, status } = await worker();
    const config = { name: 'p', 'connector.class': 'test.LineSource', topic: 'p' };
    await startAll(w, 'p', config);
    await until(() => status.tasks.get('p-0')?.state === 'RUNNING');
    w.setConnectorTargetState('p', 'PAUSED');
    await until(() => status.tasks.get('p-0')?.state === 'PAUSED' && status.connectors.get('p')?.state === 'PAUSED');
    w.setConnectorTargetState('p', 'STARTED');
    await until(() => status.tasks.get('p-0')?.state === 'RUNNING');
    await w.stopConnector('p');
    assert.equal(w.isConnectorRunning('p'), false);
  });

  it("fences the producers of a source connector's previous tasks before new task configs, with exactly once (KIP-618)", async () => {
    const fenced: string[][] = [];
    const log = await openEmbeddedLog({
      dir: await mkdtemp(join(tmpdir(), 'worker-fence-')),
      logger: silentLogger as never,
    });
    logs.push(log);
    const transactional: Log = Object.assign(Object.create(log) as Log, {
      transactionalProducer: () => {
        throw new Error('not used');
      },
      fenceProducers: async (ids: readonly string[]) => {
        fenced.push([...ids]);
      },
    });
    const make = (props: Record<string, string>) =>
      new Worker({
        config: new WorkerConfig(props),
        registry: new PluginRegistry().register(...converterPlugins, ...transformPlugins, ...testPlugins),
        log: transactional,
        offsets: memoryOffsets(),
        status: { onConnector() {}, onTask() {} },
        logger: pino({ level: 'silent' }),
        metrics: new WorkerMetrics(),
      });
    const source = { 'connector.class': 'test.LineSource' };
    await make({ 'group.id': 'g', 'exactly.once.source.support': 'enabled' }).fenceZombies('lines', 3, source);
    assert.deepEqual(fenced, [['g-lines-0', 'g-lines-1', 'g-lines-2']]);
    await make({ 'group.id': 'g', 'exactly.once.source.support': 'enabled' }).fenceZombies('keep', 2, {
      'connector.class': 'test.KeepSink',
    });
    await make({ 'group.id': 'g', 'exactly.once.source.support': 'enabled' }).fenceZombies('lines', 0, source);
    await make({ 'group.id': 'g' }).fenceZombies('lines', 3, source);
    assert.equal(fenced.length, 1, 'no fencing for sinks, for a first generation, or without exactly once');
  });
});
