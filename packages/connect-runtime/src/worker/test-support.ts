/**
 * Fakes for the runners' unit tests: a producer and a consumer that count `close()` and fail as a
 * test scripts them, a clock whose waits take no time, and deps builders.
 */
import {
  RetriableError,
  type Converter,
  HeaderConverter,
  Logger,
  SinkRecord,
  SinkTask,
  SinkTaskContext,
  SourceRecord,
  SourceTask,
  SourceTaskContext,
} from '@tributary/connect-api';
import type { Admin, Consumer, LogRecord, ProduceAck, ProduceRecord, Producer, TopicPartitionRef } from '../log/log.js';
import type { TaskMetrics } from '../metrics.js';
import type { OffsetStore } from '../storage/offset-store.js';
import type { PluginRegistry } from '../plugins/registry.js';
import type { ConverterSet } from './converters.js';
import { ErrorHandler } from './error-handler.js';
import type { Clock } from './retry-policy.js';
import type { SinkRunnerDeps, SinkTaskRunner } from './sink-task-runner.js';
import type { SourceRunnerDeps } from './source-task-runner.js';
import type { Status, StatusListener } from './status.js';
import { TransformChain } from './transform-chain.js';

/** Now moves only when someone waits; every wait is recorded. */
export class FakeClock implements Clock {
  t = 0;
  readonly waits: number[] = [];
  now(): number {
    return this.t;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return;
    this.waits.push(ms);
    this.t += ms;
    await new Promise((r) => setImmediate(r));
  }
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Throws the scripted errors one per call, then succeeds. */
export class FakeProducer implements Producer {
  readonly sent: ProduceRecord[][] = [];
  closes = 0;
  constructor(public failures: unknown[] = []) {}
  async send(records: readonly ProduceRecord[]): Promise<ProduceAck[]> {
    const f = this.failures.shift();
    if (f) throw f;
    this.sent.push([...records]);
    return records.map((r, i) => ({ topic: r.topic, partition: 0, offset: i, timestamp: 0 }));
  }
  async close(): Promise<void> {
    this.closes++;
  }
}

/** Hands out the scripted batches, then nothing; `start` throws the scripted errors first. */
export class FakeConsumer implements Consumer {
  closes = 0;
  readonly committed: Array<TopicPartitionRef & { offset: number }> = [];
  constructor(
    public batches: LogRecord[][] = [],
    public startFailures: unknown[] = [],
  ) {}
  async start(): Promise<void> {
    const f = this.startFailures.shift();
    if (f) throw f;
  }
  async poll(timeoutMs: number, signal?: AbortSignal): Promise<LogRecord[]> {
    const b = this.batches.shift();
    if (b) return b;
    await new Promise((r) => setTimeout(r, Math.min(timeoutMs, 5)));
    void signal;
    return [];
  }
  async commit(offsets: ReadonlyArray<TopicPartitionRef & { offset: number }>): Promise<void> {
    this.committed.push(...offsets);
  }
  seek(): void {}
  pause(): void {}
  resume(): void {}
  assignment(): TopicPartitionRef[] {
    return [];
  }
  async close(): Promise<void> {
    this.closes++;
  }
}

export class StatusLog implements StatusListener {
  readonly tasks: Status[] = [];
  onConnector(): void {}
  onTask(_c: string, _t: number, s: Status): void {
    this.tasks.push(s);
  }
  get last(): Status | undefined {
    return this.tasks[this.tasks.length - 1];
  }
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * A converter's async preparation the way a schema registry client behaves: a lookup runs once at a
 * time (a second call while one runs gets the same promise), the first `failures` lookups fail
 * retriably, and once one succeeded no more I/O is needed.
 */
export function flakyLookup(failures: number): () => Promise<void> | undefined {
  let ready = false;
  let pending: Promise<void> | undefined;
  return () => {
    if (ready) return undefined;
    pending ??= (async () => {
      await new Promise((r) => setImmediate(r));
      if (failures-- > 0) throw new RetriableError('schema registry away');
      ready = true;
    })().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}

/** JSON bytes both ways; `prepare` (when given) is the value converter's async I/O. */
export function jsonConverters(prepare?: () => Promise<void> | undefined): ConverterSet {
  const c: Converter = {
    configure() {},
    fromConnectData: (_t, _s, v) => (v === null || v === undefined ? null : enc.encode(JSON.stringify(v))),
    toConnectData: (_t, b) => ({ schema: null, value: b === null ? null : JSON.parse(dec.decode(b)) }),
    ...(prepare ? { prepareFromConnectData: () => prepare(), prepareToConnectData: () => prepare() } : {}),
  };
  const header: HeaderConverter = {
    configure() {},
    fromConnectHeader: () => null,
    toConnectHeader: () => ({ schema: null, value: null }),
  };
  return { key: { ...c, prepareFromConnectData: undefined, prepareToConnectData: undefined }, value: c, header };
}

const metrics: TaskMetrics = { polled() {}, written() {}, redelivered() {}, latency() {}, gauge: () => () => {} };
const noTransforms = TransformChain.build({}, {} as PluginRegistry);

export function memoryOffsets(): OffsetStore & { written: unknown[] } {
  const written: unknown[] = [];
  return {
    written,
    async start() {},
    async get() {
      return null;
    },
    async set(_c, entries) {
      written.push(...entries.map(([, o]) => o));
    },
    async list() {
      return [];
    },
    async stop() {},
  };
}

const noAdmin = {
  async createTopics() {},
} as unknown as Admin;

/** A source task that returns the scripted batches, then nothing, and records its calls. */
export class ScriptedSourceTask implements SourceTask {
  readonly committed: Array<{ record: SourceRecord; acked: boolean }> = [];
  stops = 0;
  constructor(
    public batches: SourceRecord[][] = [],
    public startError?: Error,
  ) {}
  start(_c: Record<string, string>, _ctx: SourceTaskContext): void {
    if (this.startError) throw this.startError;
  }
  async poll(): Promise<SourceRecord[] | null> {
    const b = this.batches.shift();
    if (!b) await new Promise((r) => setTimeout(r, 5));
    return b ?? null;
  }
  commitRecord(record: SourceRecord, metadata: unknown): void {
    this.committed.push({ record, acked: metadata !== null });
  }
  stop(): void {
    this.stops++;
  }
}

/** A sink task whose put() throws the scripted errors, one per call, and records what it got. */
export class ScriptedSinkTask implements SinkTask {
  readonly puts: SinkRecord[][] = [];
  ctx!: SinkTaskContext;
  stops = 0;
  constructor(
    public putFailures: unknown[] = [],
    public startError?: Error,
  ) {}
  start(_c: Record<string, string>, ctx: SinkTaskContext): void {
    this.ctx = ctx;
    if (this.startError) throw this.startError;
  }
  async put(records: SinkRecord[]): Promise<void> {
    this.puts.push(records);
    const f = this.putFailures.shift();
    if (typeof f === 'function') f(this.ctx);
    else if (f) throw f;
  }
  stop(): void {
    this.stops++;
  }
}

export function sourceRecord(n: number, topic = 'out'): SourceRecord {
  return { topic, key: null, value: { n }, headers: [], sourcePartition: { p: 'file' }, sourceOffset: { n } };
}

export function logRecord(n: number, topic = 'in'): LogRecord {
  return {
    topic,
    partition: 0,
    offset: n,
    timestamp: 0,
    key: null,
    value: enc.encode(JSON.stringify({ n })),
    headers: [],
  };
}

interface Common {
  config?: Record<string, string>;
  clock?: FakeClock;
  dlq?: FakeProducer;
  status?: StatusLog;
  converters?: ConverterSet;
  shutdownTimeoutMs?: number;
}

export function sourceDeps(
  task: SourceTask,
  producer: Producer,
  o: Common & { offsets?: OffsetStore } = {},
): SourceRunnerDeps {
  const config = { name: 'c', 'connector.class': 'X', ...o.config };
  return {
    connector: 'c',
    taskId: 0,
    workerId: 'w',
    logger: silentLogger,
    status: o.status ?? new StatusLog(),
    shutdownTimeoutMs: o.shutdownTimeoutMs ?? 2000,
    task,
    taskConfig: {},
    connectorConfig: config,
    producer,
    admin: noAdmin,
    offsets: o.offsets ?? memoryOffsets(),
    converters: o.converters ?? jsonConverters(),
    transforms: noTransforms,
    errors: new ErrorHandler({
      connector: 'c',
      taskId: 0,
      config,
      logger: silentLogger,
      producer: o.dlq,
      clock: o.clock ?? new FakeClock(),
    }),
    flushIntervalMs: 60_000,
    flushTimeoutMs: 500,
    metrics,
  };
}

export function sinkDeps(task: SinkTask, consumer: Consumer, o: Common = {}): SinkRunnerDeps {
  const config = { name: 'c', 'connector.class': 'X', topics: 'in', ...o.config };
  return {
    connector: 'c',
    taskId: 0,
    workerId: 'w',
    logger: silentLogger,
    status: o.status ?? new StatusLog(),
    shutdownTimeoutMs: o.shutdownTimeoutMs ?? 2000,
    task,
    taskConfig: {},
    makeConsumer: (_r: SinkTaskRunner) => consumer,
    converters: o.converters ?? jsonConverters(),
    transforms: noTransforms,
    errors: new ErrorHandler({
      connector: 'c',
      taskId: 0,
      config,
      logger: silentLogger,
      producer: o.dlq,
      clock: o.clock ?? new FakeClock(),
    }),
    flushIntervalMs: 60_000,
    metrics,
  };
}

/** Resolves once `check` holds (polling every few ms), or rejects after `ms`. */
export async function until(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}
