import type { Connector, ConnectorContext, SinkConnector, SourceConnector, SourceSignal } from '@tributary/connect-api';
import type { Logger } from '../logging.js';
import type { Log, Producer, ProducerOptions } from '../log/log.js';
import type { ExactlyOnce } from './source-transactions.js';
import { FallbackOffsetStore, OffsetTopics, transactionalOffsets } from './source-offsets.js';
import type { WorkerMetrics } from '../metrics.js';
import type { PluginRegistry } from '../plugins/registry.js';
import type { TargetState } from '../storage/config-store.js';
import type { OffsetStore } from '../storage/offset-store.js';
import type { WorkerConfig } from '../config/worker-config.js';
import { withRuntimeKeys } from '../herder/task-configs.js';
import { clientOverrides } from '../config/client-overrides.js';
import { buildConverters } from './converters.js';
import { ErrorHandler } from './error-handler.js';
import { SinkTaskRunner } from './sink-task-runner.js';
import { TaskTable, taskLabel, transactionalIdOf } from './task-id.js';
import { SourceTaskRunner } from './source-task-runner.js';
import { traceOf, type StatusListener } from './status.js';
import { TransformChain } from './transform-chain.js';
import type { WorkerTask } from './worker-task.js';

export interface WorkerDeps {
  readonly config: WorkerConfig;
  readonly registry: PluginRegistry;
  readonly log: Log;
  readonly offsets: OffsetStore;
  readonly status: StatusListener;
  readonly logger: Logger;
  readonly metrics: WorkerMetrics;
}

interface RunningConnector {
  instance: SourceConnector | SinkConnector;
  config: Record<string, string>;
}

/**
 * Runs the connectors and tasks a herder gives it. It knows nothing of where configs come from or who
 * decided the assignment: it starts, stops and re-targets instances and reports their status.
 */
export class Worker {
  private readonly connectors = new Map<string, RunningConnector>();
  private readonly tasks = new TaskTable<WorkerTask>();
  /** Connector-specific offsets topics (`offsets.storage.topic`), opened when a task needs one. */
  private readonly offsetTopics: OffsetTopics | null;

  constructor(private readonly deps: WorkerDeps) {
    this.offsetTopics =
      deps.log.kind === 'kafka'
        ? new OffsetTopics(deps.log, deps.log.admin(), deps.config.props, deps.logger.child({ component: 'offsets' }))
        : null;
  }

  get workerId(): string {
    return this.deps.config.advertisedId;
  }

  get log(): Log {
    return this.deps.log;
  }

  /** Figures a task running here published through `ctx.metrics` (drop counters and the like). */
  taskGauges(connector: string, task: number): Readonly<Record<string, number>> | undefined {
    return this.tasks.has({ connector, task }) ? this.deps.metrics.taskGauges(connector, task) : undefined;
  }

  /** Creates and starts a connector; failures are reported as FAILED status, not thrown. */
  async startConnector(
    name: string,
    config: Record<string, string>,
    target: TargetState,
    onReconfigure: () => void,
  ): Promise<boolean> {
    const logger = this.deps.logger.child({ connector: name });
    const ctx: ConnectorContext = {
      name,
      logger,
      requestTaskReconfiguration: onReconfigure,
      raiseError: (error) => this.reportConnector(name, 'FAILED', traceOf(error)),
    };
    try {
      const plugin = this.deps.registry.resolve(config['connector.class']!, ['source', 'sink']);
      const instance = plugin.create();
      this.connectors.set(name, { instance, config });
      await instance.start(config, ctx);
      this.reportConnector(name, target === 'STARTED' ? 'RUNNING' : target === 'PAUSED' ? 'PAUSED' : 'STOPPED');
      return true;
    } catch (err) {
      logger.error({ err }, `connector ${name} failed to start`);
      this.reportConnector(name, 'FAILED', traceOf(err));
      return false;
    }
  }

  isConnectorRunning(name: string): boolean {
    return this.connectors.has(name);
  }

  async taskConfigs(name: string, maxTasks: number): Promise<Record<string, string>[]> {
    const c = this.connectors.get(name);
    if (!c) return [];
    const configs = await c.instance.taskConfigs(maxTasks);
    if (configs.length > maxTasks && c.config['tasks.max.enforce'] !== 'false')
      throw new Error(
        `The connector ${name} has generated ${configs.length} tasks, which is greater than ${maxTasks}, the maximum number of tasks it is configured to create.`,
      );
    const cls = this.deps.registry.resolve(c.config['connector.class']!, ['source', 'sink']).class;
    return configs.map((tc) => withRuntimeKeys(cls, c.instance, c.config, tc));
  }

  async stopConnector(name: string): Promise<void> {
    const c = this.connectors.get(name);
    if (!c) return;
    this.connectors.delete(name);
    try {
      await c.instance.stop();
    } catch (err) {
      this.deps.logger.error({ err, connector: name }, 'connector failed while stopping');
    }
  }

  setConnectorTargetState(name: string, target: TargetState): void {
    if (this.connectors.has(name))
      this.reportConnector(name, target === 'STARTED' ? 'RUNNING' : target === 'PAUSED' ? 'PAUSED' : 'STOPPED');
    for (const t of this.tasks.valuesOf(name)) t.setTargetState(target);
  }

  /** Starts one task of a connector; failures become a FAILED task status. */
  startTask(
    connector: string,
    taskId: number,
    connectorConfig: Record<string, string>,
    taskConfig: Record<string, string>,
    target: TargetState,
  ): void {
    const id = taskLabel({ connector, task: taskId });
    const logger = this.deps.logger.child({ connector, task: taskId });
    const base = {
      connector,
      taskId,
      logger,
      workerId: this.workerId,
      status: this.deps.status,
      shutdownTimeoutMs: this.deps.config.shutdownTimeoutMs,
      metrics: this.deps.metrics.forTask(connector, taskId),
      flushIntervalMs: this.deps.config.flushIntervalMs,
    };
    let runner: WorkerTask;
    let dlq: Producer | undefined;
    try {
      const plugin = this.deps.registry.resolve(connectorConfig['connector.class']!, ['source', 'sink']);
      const converters = buildConverters(this.deps.registry, this.deps.config.converterProps, connectorConfig);
      const transforms = TransformChain.build(connectorConfig, this.deps.registry);
      // KIP-458: the connector's producer.override.* / consumer.override.* / admin.override.*, as the worker's policy
      // allows.
      const overrides = clientOverrides(
        connectorConfig,
        plugin.type === 'source' ? 'source' : 'sink',
        this.deps.config.clientOverridePolicy,
      );
      const onTrouble = this.troubleReporter(connector, taskId);
      dlq = connectorConfig['errors.deadletterqueue.topic.name']
        ? this.deps.log.producer({ clientId: `connector-dlq-producer-${id}`, overrides: overrides.producer, onTrouble })
        : undefined;
      const errors = new ErrorHandler({ connector, taskId, config: connectorConfig, logger, producer: dlq });
      if (plugin.type === 'source') {
        const TaskClass = plugin.create().taskClass();
        const offsets = this.sourceOffsets(connectorConfig, logger);
        runner = new SourceTaskRunner(
          {
            ...base,
            task: new TaskClass(),
            taskConfig,
            connectorConfig,
            producer: this.deps.log.producer({
              clientId: `connector-producer-${id}`,
              overrides: overrides.producer,
              onTrouble,
            }),
            admin: this.deps.log.admin(),
            offsets,
            openOffsets: offsets === this.deps.offsets ? undefined : () => offsets.start(),
            exactlyOnce: this.exactlyOnce(
              connector,
              taskId,
              connectorConfig,
              offsets,
              plugin.create() as SourceConnector,
              { clientId: `connector-producer-${id}`, overrides: overrides.producer, onTrouble },
              logger,
            ),
            countRedelivered: true,
            converters,
            transforms,
            errors,
            flushTimeoutMs: this.deps.config.flushTimeoutMs,
          },
          target,
        );
      } else {
        const TaskClass = plugin.create().taskClass();
        const regex = connectorConfig['topics.regex'];
        const topics = regex
          ? new RegExp(regex)
          : (connectorConfig.topics ?? '')
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean);
        runner = new SinkTaskRunner(
          {
            ...base,
            task: new TaskClass(),
            taskConfig,
            converters,
            transforms,
            errors,
            makeConsumer: (r) =>
              this.deps.log.consumer({
                groupId: `connect-${connector}`,
                clientId: `connector-consumer-${id}`,
                overrides: this.sinkConsumerOverrides(overrides.consumer),
                onTrouble,
                topics,
                listener: r.listener,
              }),
          },
          target,
        );
      }
    } catch (err) {
      // The runner owns (and closes) its clients; one made before it could be built is closed here.
      void dlq?.close();
      logger.error({ err }, `task ${id} failed to start`);
      this.deps.status.onTask(connector, taskId, { state: 'FAILED', workerId: this.workerId, trace: traceOf(err) });
      return;
    }
    this.tasks.set({ connector, task: taskId }, runner);
    runner.start();
  }

  /**
   * KIP-618's zombie fencing round, run by whoever publishes a source connector's new task configs
   * before it does: every producer of the previous generation's tasks is fenced, so none of them can
   * commit another transaction while the new tasks start (ids that go away included).
   */
  async fenceZombies(connector: string, previousTaskCount: number, config: Record<string, string>): Promise<void> {
    if (!this.exactlyOnceSource || previousTaskCount === 0 || this.connectorType(config) !== 'source') return;
    const group = this.deps.config.props['group.id'] ?? 'tributary';
    const ids = Array.from({ length: previousTaskCount }, (_, task) => transactionalIdOf(group, { connector, task }));
    await this.deps.log.fenceProducers!(ids);
    this.deps.logger.info(
      { connector, ids },
      `fenced the producers of ${previousTaskCount} task(s) of the previous generation`,
    );
  }

  /** `exactly.once.source.support=enabled` on this worker (and a log with transactions). */
  private get exactlyOnceSource(): boolean {
    return (
      (this.deps.config.props['exactly.once.source.support'] ?? 'disabled').toLowerCase() === 'enabled' &&
      !!this.deps.log.transactionalProducer &&
      !!this.deps.log.fenceProducers
    );
  }

  /**
   * KIP-618: a source task's transactional producer (`<group.id>-<connector>-<task>`, as Connect
   * names it) and how its transactions carry offsets, when the worker runs exactly once and the
   * connector can; undefined for at-least-once.
   */
  private exactlyOnce(
    connector: string,
    taskId: number,
    config: Record<string, string>,
    store: OffsetStore,
    instance: SourceConnector,
    client: ProducerOptions,
    logger: Logger,
  ): ExactlyOnce | undefined {
    const offsets = transactionalOffsets(store);
    if (!this.exactlyOnceSource || !offsets) return undefined;
    if (instance.exactlyOnceSupport?.(config) === 'UNSUPPORTED') {
      logger.warn(
        `connector ${connector} cannot run exactly once with its config (it says so); its tasks deliver at least once`,
      );
      return undefined;
    }
    let boundary = (config['transaction.boundary'] ?? 'poll').toLowerCase();
    if (boundary === 'connector' && instance.canDefineTransactionBoundaries?.(config) !== 'SUPPORTED') {
      logger.warn(`connector ${connector} cannot define transaction boundaries; its tasks use the poll boundary`);
      boundary = 'poll';
    }
    const interval = Number(config['transaction.boundary.interval.ms'] || this.deps.config.flushIntervalMs);
    const producer = this.deps.log.transactionalProducer!({
      ...client,
      transactionalId: transactionalIdOf(this.deps.config.props['group.id'] ?? 'tributary', {
        connector,
        task: taskId,
      }),
    });
    return {
      producer,
      intervalMs: boundary === 'interval' ? interval : null,
      taskDefined: boundary === 'connector',
      offsetRecords: (e) => offsets.offsetRecords(connector, e),
      committed: (e) => offsets.remember(connector, e),
    };
  }

  /**
   * The offsets of a source connector's tasks: its own `offsets.storage.topic` (KIP-618) with the
   * worker's store as fallback, or the worker's store. Kafka only (the embedded log keeps a file).
   */
  private sourceOffsets(config: Record<string, string>, logger: Logger): OffsetStore {
    const topic = config['offsets.storage.topic']?.trim();
    if (!topic || !this.offsetTopics) return this.deps.offsets;
    return new FallbackOffsetStore(this.offsetTopics.get(topic), this.deps.offsets, logger);
  }

  /** The offsets of a source connector as its tasks see them, read to the end (the REST offsets API). */
  async sourceOffsetStore(config: Record<string, string>): Promise<OffsetStore> {
    const store = this.sourceOffsets(config, this.deps.logger);
    if (store !== this.deps.offsets) await store.start();
    return store;
  }

  /** With exactly-once sources, sinks read committed records only (as Connect), unless told otherwise. */
  private sinkConsumerOverrides(overrides: Record<string, string>): Record<string, string> {
    const told = overrides['isolation.level'] ?? this.deps.config.props['consumer.isolation.level'];
    return this.exactlyOnceSource && !told ? { ...overrides, 'isolation.level': 'read_committed' } : overrides;
  }

  /**
   * While a task's log client cannot reach Kafka it keeps retrying and the task stays RUNNING (or
   * PAUSED), as in Kafka Connect; its status carries why (broker, security, reason) until it can.
   */
  private troubleReporter(connector: string, taskId: number): (err: Error | null) => void {
    let last: string | null = null;
    return (err) => {
      const task = this.tasks.get({ connector, task: taskId });
      const message = err ? `${err.message} (retrying with backoff)` : null;
      if (!task || message === last || (task.state !== 'RUNNING' && task.state !== 'PAUSED')) return;
      last = message;
      this.deps.status.onTask(connector, taskId, {
        state: task.state,
        workerId: this.workerId,
        ...(message ? { trace: message } : {}),
      });
    };
  }

  async stopTask(connector: string, taskId: number): Promise<void> {
    const t = this.tasks.delete({ connector, task: taskId });
    await t?.stop();
  }

  /**
   * Hands a signal to a source task running here (its optional `signal()`): 'absent' when the task does not run
   * here, 'unsupported' when it takes no signals. The task's own rejection is thrown.
   */
  async signalTask(
    connector: string,
    task: number,
    signal: SourceSignal,
  ): Promise<'delivered' | 'absent' | 'unsupported'> {
    const runner = this.tasks.get({ connector, task });
    if (!(runner instanceof SourceTaskRunner)) return 'absent';
    const t = runner.sourceTask;
    if (!t.onSignal) return 'unsupported';
    await t.onSignal(signal);
    return 'delivered';
  }

  /** The numbers of a connector's tasks running here. */
  taskIds(connector: string): number[] {
    return this.tasks.tasksOf(connector);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.tasks.entries()].map(([id]) => this.stopTask(id.connector, id.task)));
    await Promise.all([...this.connectors.keys()].map((n) => this.stopConnector(n)));
    await this.offsetTopics?.stop();
  }

  /** The plugin instance for validation and type lookups (a fresh, unstarted instance). */
  connectorType(config: Record<string, string>): 'source' | 'sink' | 'unknown' {
    const d = this.deps.registry.find(config['connector.class'] ?? '', ['source', 'sink']);
    return d?.type === 'source' || d?.type === 'sink' ? d.type : 'unknown';
  }

  private reportConnector(name: string, state: 'RUNNING' | 'PAUSED' | 'STOPPED' | 'FAILED', trace?: string): void {
    this.deps.status.onConnector(name, { state, workerId: this.workerId, ...(trace ? { trace } : {}) });
  }
}

export type { Connector };
