import type { ConnectorConfig } from '../config.js';
import type { ConnectorContext } from '../connector.js';
import type { Logger } from '../logger.js';
import type { SinkRecord, SourceOffset, SourcePartition, SourceRecord, TopicPartition } from '../records.js';
import { tpKey } from '../records.js';
import type { OffsetStorageReader, SinkTaskContext, SourceTaskContext, TaskMetricsRecorder } from '../task.js';

/** A logger that keeps every line it is given, for assertions (`lines`), and prints nothing. */
export class RecordingLogger implements Logger {
  readonly lines: Array<{ level: 'debug' | 'info' | 'warn' | 'error'; msg: string; obj?: object }> = [];
  debug(a: unknown, b?: unknown): void {
    this.add('debug', a, b);
  }
  info(a: unknown, b?: unknown): void {
    this.add('info', a, b);
  }
  warn(a: unknown, b?: unknown): void {
    this.add('warn', a, b);
  }
  error(a: unknown, b?: unknown): void {
    this.add('error', a, b);
  }
  private add(level: 'debug' | 'info' | 'warn' | 'error', a: unknown, b: unknown): void {
    if (typeof a === 'string') this.lines.push({ level, msg: a });
    else this.lines.push({ level, msg: typeof b === 'string' ? b : '', obj: a as object });
  }
}

/** One key per source partition, whatever the order of its fields. */
function partitionKey(p: SourcePartition): string {
  return JSON.stringify(
    Object.keys(p)
      .sort()
      .map((k) => [k, p[k]]),
  );
}

/**
 * Stands in for the worker's offset storage: what a task's `ctx.offsetStorageReader` reads. `commit`
 * stores the offsets of records as the runtime does once the log has acknowledged them.
 */
export class MemoryOffsetStore implements OffsetStorageReader {
  private readonly stored = new Map<string, { partition: SourcePartition; offset: SourceOffset }>();

  constructor(initial: Iterable<[SourcePartition, SourceOffset]> = []) {
    for (const [p, o] of initial) this.set(p, o);
  }

  set(partition: SourcePartition, offset: SourceOffset): void {
    this.stored.set(partitionKey(partition), { partition, offset });
  }

  /** Stores each record's offset in order: the last record of a partition wins. */
  commit(records: Iterable<SourceRecord>): void {
    for (const r of records) this.set(r.sourcePartition, r.sourceOffset);
  }

  entries(): Array<[SourcePartition, SourceOffset]> {
    return [...this.stored.values()].map((e) => [e.partition, e.offset]);
  }

  async offset(partition: SourcePartition): Promise<SourceOffset | null> {
    return this.stored.get(partitionKey(partition))?.offset ?? null;
  }

  async offsets(partitions: SourcePartition[]): Promise<Map<SourcePartition, SourceOffset | null>> {
    return new Map(partitions.map((p) => [p, this.stored.get(partitionKey(p))?.offset ?? null]));
  }
}

/** Figures a task published through `ctx.metrics`, by name. */
export class RecordingMetrics implements TaskMetricsRecorder {
  readonly values = new Map<string, number>();
  gauge(name: string): (value: number) => void {
    return (value) => {
      this.values.set(name, value);
    };
  }
}

interface TaskContextOptions {
  connector?: string;
  taskId?: number;
  /** The connector's full configuration (`ctx.connectorConfig`). */
  connectorConfig?: ConnectorConfig;
  logger?: Logger;
}

/** A source task context with its controls: `abort()` does what the runtime does before `stop()`. */
export interface FakeSourceTaskContext extends SourceTaskContext {
  readonly offsets: MemoryOffsetStore;
  readonly metrics: RecordingMetrics;
  abort(): void;
}

/** The context the runtime gives a source task, backed by an in-memory offset store. */
export function fakeSourceTaskContext(
  options: TaskContextOptions & { offsets?: MemoryOffsetStore } = {},
): FakeSourceTaskContext {
  const controller = new AbortController();
  const connector = options.connector ?? 'test';
  const taskId = options.taskId ?? 0;
  const offsets = options.offsets ?? new MemoryOffsetStore();
  return {
    id: `${connector}-${taskId}`,
    connector,
    taskId,
    logger: options.logger ?? new RecordingLogger(),
    signal: controller.signal,
    metrics: new RecordingMetrics(),
    connectorConfig: options.connectorConfig ?? {},
    offsets,
    offsetStorageReader: offsets,
    abort: () => controller.abort(),
  };
}

/** A sink task context that records what the task asked of the runtime. */
export interface FakeSinkTaskContext extends SinkTaskContext {
  readonly metrics: RecordingMetrics;
  /** What `assignment()` returns; the kit keeps it in step with `open`/`close`. */
  readonly assigned: Map<string, TopicPartition>;
  readonly paused: Set<string>;
  /** Rewinds asked for with `offset()`, by `topic:partition`. */
  readonly rewinds: Map<string, number>;
  readonly timeouts: number[];
  readonly errant: Array<{ record: SinkRecord; error: Error }>;
  commitRequests: number;
  abort(): void;
}

/** The context the runtime gives a sink task; the errant record reporter keeps what it is given. */
export function fakeSinkTaskContext(
  options: TaskContextOptions & { assignment?: TopicPartition[] } = {},
): FakeSinkTaskContext {
  const controller = new AbortController();
  const connector = options.connector ?? 'test';
  const taskId = options.taskId ?? 0;
  const ctx: FakeSinkTaskContext = {
    id: `${connector}-${taskId}`,
    connector,
    taskId,
    logger: options.logger ?? new RecordingLogger(),
    signal: controller.signal,
    metrics: new RecordingMetrics(),
    assigned: new Map((options.assignment ?? []).map((tp) => [tpKey(tp), tp])),
    paused: new Set(),
    rewinds: new Map(),
    timeouts: [],
    errant: [],
    commitRequests: 0,
    assignment: () => [...ctx.assigned.values()],
    pause: (...tps) => {
      for (const tp of tps) ctx.paused.add(tpKey(tp));
    },
    resume: (...tps) => {
      for (const tp of tps) ctx.paused.delete(tpKey(tp));
    },
    offset: (tp, offset) => {
      ctx.rewinds.set(tpKey(tp), offset);
    },
    timeout: (ms) => {
      ctx.timeouts.push(ms);
    },
    requestCommit: () => {
      ctx.commitRequests++;
    },
    errantRecordReporter: async (record, error) => {
      ctx.errant.push({ record, error });
    },
    abort: () => controller.abort(),
  };
  return ctx;
}

/** A connector context that keeps reconfiguration requests and raised errors. */
export function fakeConnectorContext(
  name = 'test',
  logger: Logger = new RecordingLogger(),
): ConnectorContext & { reconfigurations: number; errors: Error[] } {
  const ctx = {
    name,
    logger,
    reconfigurations: 0,
    errors: [] as Error[],
    requestTaskReconfiguration: () => {
      ctx.reconfigurations++;
    },
    raiseError: (e: Error) => {
      ctx.errors.push(e);
    },
  };
  return ctx;
}
