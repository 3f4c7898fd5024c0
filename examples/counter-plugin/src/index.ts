import {
  ConfigDef,
  Schemas,
  Validators,
  sleep,
  type PluginDescriptor,
  type SourceConnector,
  type SourceRecord,
  type SourceTask,
  type SourceTaskContext,
} from '@tributary/connect-api';

const config = new ConfigDef()
  .define({ name: 'topic', type: 'STRING', importance: 'HIGH', documentation: 'Topic to write to.' })
  .define({
    name: 'max.count',
    type: 'LONG',
    default: 1000,
    importance: 'LOW',
    documentation: 'Stop counting here.',
    validator: Validators.atLeast(1),
  });

/** Emits "1", "2", … up to max.count, resuming after the last committed number. */
class CounterTask implements SourceTask {
  private next = 1;
  private max = 0;
  private topic = '';
  private signal?: AbortSignal;

  async start(props: Record<string, string>, ctx: SourceTaskContext) {
    const c = config.parse(props);
    this.signal = ctx.signal;
    this.topic = c.string('topic');
    this.max = c.int('max.count');
    const last = await ctx.offsetStorageReader.offset({ counter: this.topic });
    this.next = typeof last?.n === 'number' ? last.n + 1 : 1;
  }

  async poll(): Promise<SourceRecord[] | null> {
    const batch: SourceRecord[] = [];
    for (; this.next <= this.max && batch.length < 100; this.next++) {
      batch.push({
        topic: this.topic,
        sourcePartition: { counter: this.topic },
        sourceOffset: { n: this.next },
        key: null,
        valueSchema: Schemas.STRING,
        value: String(this.next),
        headers: [],
      });
    }
    if (batch.length === 0) await sleep(100, this.signal); // returns at once when the task is stopped
    return batch;
  }

  stop() {}
}

export class CounterConnector implements SourceConnector {
  readonly kind = 'source';
  private props: Record<string, string> = {};
  version() {
    return '1.0.0';
  }
  config() {
    return config;
  }
  taskClass() {
    return CounterTask;
  }
  start(props: Record<string, string>) {
    this.props = props;
  }
  taskConfigs() {
    return [{ ...this.props }];
  }
  stop() {}
}

export const plugins: PluginDescriptor[] = [
  {
    type: 'source',
    class: 'com.example.CounterSourceConnector',
    aliases: ['Counter'],
    version: '1.0.0',
    create: () => new CounterConnector(),
  },
];
