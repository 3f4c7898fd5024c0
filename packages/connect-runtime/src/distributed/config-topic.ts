import { EventEmitter } from 'node:events';
import type { Logger } from '../logging.js';
import type { Log, LogRecord, Producer } from '../log/log.js';
import type { TargetState } from '../storage/config-store.js';
import { jsonBytes, jsonValue, keyText, textBytes, TopicReader } from './topic-reader.js';

export interface ConnectorSnapshot {
  config: Record<string, string>;
  targetState: TargetState;
  /** Task configs as last committed (`commit-<name>`). */
  tasks: Record<string, string>[];
}

export interface RestartRequest {
  name: string;
  includeTasks: boolean;
  onlyFailed: boolean;
  /** One task only (our extension; Kafka Connect forwards task restarts to the owner instead). */
  task?: number;
}

/**
 * The config topic in Kafka Connect's record formats, so it reads like Connect's own:
 * `connector-<name>` {"properties"}, `task-<name>-<n>` {"properties"}, `commit-<name>` {"tasks":N}
 * (task configs apply atomically on commit), `target-state-<name>` {"state","state.v2"},
 * `restart-connector-<name>` {"include-tasks","only-failed"}, `logger-cluster-<namespace>` {"level"};
 * null values delete. Emits `change` after any change of configs, task configs or target states,
 * `restart`, and `logger-level` (namespace, level).
 */
export class ConfigTopic extends EventEmitter {
  readonly connectors = new Map<string, ConnectorSnapshot>();
  private readonly pendingTasks = new Map<string, Map<number, Record<string, string>>>();
  private readonly reader: TopicReader;
  private producer: Producer | null = null;
  private started = false;

  constructor(
    private readonly log: Log,
    readonly topic: string,
    logger: Logger,
  ) {
    super();
    this.reader = new TopicReader(log, topic, (r) => this.applyRecord(r), logger);
  }

  async start(): Promise<void> {
    this.producer = this.log.producer();
    await this.reader.start();
    this.started = true;
  }

  get offset(): number {
    return this.reader.offset;
  }

  readToEnd(): Promise<void> {
    return this.reader.readToEnd();
  }

  async putConnector(name: string, config: Record<string, string> | null): Promise<void> {
    await this.send(`connector-${name}`, config === null ? null : { properties: config });
    if (config === null) await this.send(`target-state-${name}`, null);
  }

  async putTargetState(name: string, state: TargetState): Promise<void> {
    await this.send(`target-state-${name}`, { state: state === 'STOPPED' ? 'PAUSED' : state, 'state.v2': state });
  }

  /** Writes every task config, then the commit record that makes them take effect together. */
  async putTaskConfigs(name: string, tasks: Record<string, string>[]): Promise<void> {
    const records = tasks.map((t, i) => ({ key: `task-${name}-${i}`, value: { properties: t } }));
    records.push({ key: `commit-${name}`, value: { tasks: tasks.length } as never });
    await this.producer!.send(
      records.map((r) => ({ topic: this.topic, partition: 0, key: textBytes(r.key), value: jsonBytes(r.value) })),
    );
    await this.readToEnd();
  }

  /** KIP-976: a logger level for every worker of the cluster (`logger-cluster-<namespace>` {"level"}). */
  async putLoggerLevel(namespace: string, level: string): Promise<void> {
    await this.send(`logger-cluster-${namespace}`, { level });
  }

  async requestRestart(req: RestartRequest): Promise<void> {
    const value: Record<string, unknown> = { 'include-tasks': req.includeTasks, 'only-failed': req.onlyFailed };
    if (req.task !== undefined) value.task = req.task;
    await this.send(`restart-connector-${req.name}`, value);
  }

  async stop(): Promise<void> {
    await this.reader.stop();
    await this.producer?.close();
  }

  private async send(key: string, value: unknown): Promise<void> {
    await this.producer!.send([{ topic: this.topic, partition: 0, key: textBytes(key), value: jsonBytes(value) }]);
    await this.readToEnd();
  }

  private applyRecord(r: LogRecord): void {
    const key = keyText(r);
    const value = jsonValue(r) as Record<string, unknown> | null;
    let m: RegExpExecArray | null;
    if ((m = /^connector-(.+)$/.exec(key))) {
      const name = m[1]!;
      if (value === null) {
        this.connectors.delete(name);
        this.pendingTasks.delete(name);
      } else {
        const prior = this.connectors.get(name);
        this.connectors.set(name, {
          config: value.properties as Record<string, string>,
          targetState: prior?.targetState ?? 'STARTED',
          tasks: prior?.tasks ?? [],
        });
      }
      this.emit('change', name);
    } else if ((m = /^task-(.+)-(\d+)$/.exec(key))) {
      const name = m[1]!;
      const pending = this.pendingTasks.get(name) ?? new Map<number, Record<string, string>>();
      pending.set(Number(m[2]), (value?.properties ?? {}) as Record<string, string>);
      this.pendingTasks.set(name, pending);
    } else if ((m = /^commit-(.+)$/.exec(key))) {
      const name = m[1]!;
      const n = Number((value as { tasks?: number } | null)?.tasks ?? 0);
      const pending = this.pendingTasks.get(name) ?? new Map();
      const c = this.connectors.get(name);
      if (c && Array.from({ length: n }, (_, i) => pending.has(i)).every(Boolean)) {
        c.tasks = Array.from({ length: n }, (_, i) => pending.get(i)!);
        this.pendingTasks.delete(name);
        this.emit('change', name);
      }
    } else if ((m = /^target-state-(.+)$/.exec(key))) {
      const c = this.connectors.get(m[1]!);
      if (c && value) {
        c.targetState = ((value['state.v2'] ?? value.state) as TargetState) ?? 'STARTED';
        this.emit('change', m[1]!);
      }
    } else if ((m = /^logger-cluster-(.+)$/.exec(key)) && typeof value?.level === 'string') {
      // As Connect: levels written before this worker started are not applied (they do not outlive a restart).
      if (this.started) this.emit('logger-level', m[1]!, value.level);
    } else if ((m = /^restart-connector-(.+)$/.exec(key)) && value) {
      const req: RestartRequest = {
        name: m[1]!,
        includeTasks: value['include-tasks'] === true,
        onlyFailed: value['only-failed'] === true,
      };
      if (typeof value.task === 'number') req.task = value.task;
      this.emit('restart', req);
    }
  }
}
