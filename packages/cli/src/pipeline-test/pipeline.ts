import {
  ConfigError,
  type ConnectRecord,
  type Header,
  type SinkRecord,
  type SourceRecord,
} from '@tributary/connect-api';
import { plugins as converterPlugins } from '@tributary/connect-converters';
import { plugins as transformPlugins } from '@tributary/connect-transforms';
import {
  buildConverters,
  ErrorHandler,
  PluginRegistry,
  TransformChain,
  type ConverterSet,
  type ProduceRecord,
  type Producer,
  type Stage,
} from '@tributary/connect-runtime';
import { builtinPlugins } from '../plugins.js';
import { connectData, plain, plainHeaders, plainSchema, rawBytes, showBytes, timestampOf } from './records.js';
import { isObject } from './test-file.js';

/** What became of one input record. */
export type Outcome =
  | { kind: 'output'; input: number; record: Record<string, unknown> }
  | { kind: 'filtered'; input: number }
  | { kind: 'error'; input: number; stage: Stage; error: string; outcome: 'dlq' | 'skipped' | 'task fails' };

/** A mistake in one input record of a case (not a pipeline outcome): the runner points at its line. */
export class InputError extends Error {
  constructor(
    readonly input: number,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const WORKER_DEFAULTS = {
  'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
};

/** The built-in plugins, plus those under `pluginPath`, as a worker would have them. */
export async function pipelineRegistry(pluginPath: string[] = []): Promise<PluginRegistry> {
  const registry = new PluginRegistry().register(...converterPlugins, ...transformPlugins, ...builtinPlugins);
  if (pluginPath.length) await registry.loadPluginPath(pluginPath, silent);
  return registry;
}

/**
 * A connector config's record path without the connector: for a sink, records as read from the topic
 * through the converters and transforms to what `put()` receives; for a source, records as `poll()`
 * returns them through the transforms and converters to the bytes of the topic. Errors go to the
 * config's `errors.*` handling as in a task.
 */
export class Pipeline {
  private constructor(
    readonly kind: 'source' | 'sink',
    private readonly config: Record<string, string>,
    private readonly converters: ConverterSet,
    private readonly chain: TransformChain,
  ) {}

  /** Throws a ConfigError naming the key (connector.class, transforms.x.type, a converter) that is wrong. */
  static build(registry: PluginRegistry, config: Record<string, string>, worker: Record<string, string>): Pipeline {
    const cls = config['connector.class'];
    if (!cls)
      throw new ConfigError([{ key: 'connector.class', message: 'Missing required configuration "connector.class"' }]);
    const kind = registry.resolve(cls, ['source', 'sink']).type;
    const converters = buildConverters(registry, { ...WORKER_DEFAULTS, ...worker }, config);
    return new Pipeline(kind, config, converters, TransformChain.build(config, registry));
  }

  close(): void {
    this.chain.close();
  }

  private defaultTopic(): string {
    const topics = (this.config.topics ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    return this.kind === 'sink' ? (topics[0] ?? 'test') : (this.config.topic ?? this.config['topic.prefix'] ?? 'test');
  }

  /** Runs the inputs of one case in order, as one task would (a fresh error handler per case). */
  async run(inputs: Record<string, unknown>[]): Promise<Outcome[]> {
    const dlq: ProduceRecord[] = [];
    // The dead-letter queue is a list here: what the task would have written to the DLQ topic.
    const producer: Producer = {
      send: async (records) => {
        dlq.push(...records);
        return records.map((r, n) => ({ topic: r.topic, partition: 0, offset: dlq.length + n, timestamp: 0 }));
      },
      close: async () => {},
    };
    const handler = new ErrorHandler({
      connector: this.config.name ?? 'test',
      taskId: 0,
      config: this.config,
      logger: silent,
      producer,
    });
    const out: Outcome[] = [];
    for (const [i, input] of inputs.entries()) {
      const step = this.kind === 'sink' ? await this.sinkRecord(i, input) : this.sourceRecord(i, input);
      let result: Outcome;
      if ('stage' in step) {
        result = await this.failed(handler, dlq, i, step.stage, step.error, input);
      } else {
        result = await this.through(handler, dlq, i, step);
      }
      out.push(result);
      if (result.kind === 'error' && result.outcome === 'task fails') break;
    }
    await handler.close();
    return out;
  }

  private async through(
    handler: ErrorHandler,
    dlq: ProduceRecord[],
    i: number,
    record: ConnectRecord,
  ): Promise<Outcome> {
    let transformed: ConnectRecord | null;
    try {
      transformed = this.chain.apply(record);
    } catch (e) {
      return this.failed(handler, dlq, i, 'TRANSFORMATION', e, record);
    }
    if (transformed === null) return { kind: 'filtered', input: i };
    const shown: Record<string, unknown> = {
      topic: transformed.topic,
      partition: transformed.kafkaPartition ?? null,
      timestamp: transformed.timestamp ?? null,
      key: plain(transformed.key),
      value: plain(transformed.value),
      headers: plainHeaders(transformed.headers),
      keySchema: plainSchema(transformed.keySchema),
      valueSchema: plainSchema(transformed.valueSchema),
    };
    if (this.kind === 'sink') shown.offset = (transformed as SinkRecord).kafkaOffset;
    else {
      const bytes = await this.toBytes(transformed);
      if ('stage' in bytes) return this.failed(handler, dlq, i, bytes.stage, bytes.error, transformed);
      shown.raw = bytes.ok;
    }
    return { kind: 'output', input: i, record: shown };
  }

  private async failed(
    handler: ErrorHandler,
    dlq: ProduceRecord[],
    i: number,
    stage: Stage,
    err: unknown,
    record: unknown,
  ): Promise<Outcome> {
    const before = dlq.length;
    const error = err instanceof Error ? err.message : String(err);
    try {
      await handler.handle(err, { stage, describe: () => record });
    } catch {
      return { kind: 'error', input: i, stage, error, outcome: 'task fails' };
    }
    return { kind: 'error', input: i, stage, error, outcome: dlq.length > before ? 'dlq' : 'skipped' };
  }

  /** A source record's bytes in the topic, through the config's converters. */
  private async toBytes(r: ConnectRecord): Promise<{ ok: Record<string, unknown> } | { stage: Stage; error: unknown }> {
    const { key, value, header } = this.converters;
    const step = async (stage: Stage, fn: () => unknown) => {
      try {
        return { ok: await fn() };
      } catch (error) {
        return { stage, error };
      }
    };
    const k = await step('KEY_CONVERTER', async () => {
      await key.prepareFromConnectData?.(r.topic, r.keySchema, r.key);
      return key.fromConnectData(r.topic, r.keySchema, r.key);
    });
    if ('stage' in k) return k as { stage: Stage; error: unknown };
    const v = await step('VALUE_CONVERTER', async () => {
      await value.prepareFromConnectData?.(r.topic, r.valueSchema, r.value);
      return value.fromConnectData(r.topic, r.valueSchema, r.value);
    });
    if ('stage' in v) return v as { stage: Stage; error: unknown };
    const h = await step('HEADER_CONVERTER', () =>
      Object.fromEntries(
        r.headers.map((x) => [x.key, showBytes(header.fromConnectHeader(r.topic, x.key, x.schema, x.value))]),
      ),
    );
    if ('stage' in h) return h as { stage: Stage; error: unknown };
    return {
      ok: { key: showBytes(k.ok as Uint8Array | null), value: showBytes(v.ok as Uint8Array | null), headers: h.ok },
    };
  }

  private sourceRecord(i: number, input: Record<string, unknown>): SourceRecord {
    if (input.raw !== undefined)
      throw new InputError(
        i,
        'raw',
        'raw input is for sink configs (records as read from the topic); give key and value for a source',
      );
    const topic = typeof input.topic === 'string' ? input.topic : this.defaultTopic();
    const k = this.data(i, input, 'key');
    const v = this.data(i, input, 'value');
    return {
      topic,
      kafkaPartition: typeof input.partition === 'number' ? input.partition : null,
      key: k.value,
      keySchema: k.schema,
      value: v.value,
      valueSchema: v.schema,
      timestamp: this.timestamp(i, input),
      headers: this.headers(i, input),
      sourcePartition: isObject(input.sourcePartition) ? (input.sourcePartition as never) : {},
      sourceOffset: isObject(input.sourceOffset) ? (input.sourceOffset as never) : {},
    };
  }

  private async sinkRecord(
    i: number,
    input: Record<string, unknown>,
  ): Promise<SinkRecord | { stage: Stage; error: unknown }> {
    const topic = typeof input.topic === 'string' ? input.topic : this.defaultTopic();
    const partition = typeof input.partition === 'number' ? input.partition : 0;
    const offset = typeof input.offset === 'number' ? input.offset : i;
    let key;
    let value;
    let headers: Header[];
    if (input.raw !== undefined) {
      if (!isObject(input.raw))
        throw new InputError(
          i,
          'raw',
          'raw is a map of key, value and headers as the topic holds them (text, or {base64})',
        );
      const raw = input.raw;
      const { key: kc, value: vc, header: hc } = this.converters;
      try {
        const kb = rawBytes(raw.key);
        await kc.prepareToConnectData?.(topic, kb);
        key = kc.toConnectData(topic, kb);
      } catch (error) {
        return { stage: 'KEY_CONVERTER', error };
      }
      try {
        const vb = rawBytes(raw.value);
        await vc.prepareToConnectData?.(topic, vb);
        value = vc.toConnectData(topic, vb);
      } catch (error) {
        return { stage: 'VALUE_CONVERTER', error };
      }
      try {
        headers = Object.entries(isObject(raw.headers) ? raw.headers : {}).map(([hk, hv]) => {
          const sv = hc.toConnectHeader(topic, hk, rawBytes(hv));
          return { key: hk, schema: sv.schema, value: sv.value };
        });
      } catch (error) {
        return { stage: 'HEADER_CONVERTER', error };
      }
    } else {
      key = this.data(i, input, 'key');
      value = this.data(i, input, 'value');
      headers = this.headers(i, input);
    }
    return {
      topic,
      kafkaPartition: partition,
      kafkaOffset: offset,
      key: key.value,
      keySchema: key.schema,
      value: value.value,
      valueSchema: value.schema,
      timestamp: this.timestamp(i, input),
      timestampType: 'CreateTime',
      headers,
      originalTopic: topic,
      originalKafkaPartition: partition,
      originalKafkaOffset: offset,
    };
  }

  private data(i: number, input: Record<string, unknown>, field: 'key' | 'value') {
    try {
      return connectData(input[field], input[`${field}Schema`], field === 'key');
    } catch (e) {
      throw new InputError(i, `${field}Schema`, `${field} does not fit ${field}Schema: ${(e as Error).message}`);
    }
  }

  private timestamp(i: number, input: Record<string, unknown>): number | null {
    try {
      return timestampOf(input.timestamp);
    } catch (e) {
      throw new InputError(i, 'timestamp', (e as Error).message);
    }
  }

  private headers(i: number, input: Record<string, unknown>): Header[] {
    if (input.headers === undefined) return [];
    if (!isObject(input.headers)) throw new InputError(i, 'headers', 'headers is a map of header names to values');
    return Object.entries(input.headers).map(([key, value]) => ({ key, schema: null, value }));
  }
}
