import type { Logger, SinkConnector, SourceConnector } from '@tributary/connect-api';
import type { Log } from '../log/log.js';
import type { ClientOverridePolicy } from '../config/client-overrides.js';
import type { PluginRegistry } from '../plugins/registry.js';
import type { TargetState } from '../storage/config-store.js';
import type { OffsetStore } from '../storage/offset-store.js';
import type { Worker } from '../worker/worker.js';
import { BadRequestError, NotFoundError } from '../errors.js';
import { VERSION, COMMIT } from '../version.js';
import type {
  ConnectorInfo,
  ConnectorOffset,
  ConnectorStateInfo,
  Herder,
  PluginInfo,
  TaskStateInfo,
} from './herder.js';
import { ConnectorOffsets } from './offsets.js';
import type { StatusBook } from './status-book.js';
import type { Status } from '../worker/status.js';
import {
  connectorConfigDef,
  invalidConfigMessage,
  keyInfo,
  validateConnectorConfig,
  type ConfigInfos,
  type ConfigKeyInfo,
} from './validation.js';

export interface BaseHerderDeps {
  worker: Worker;
  registry: PluginRegistry;
  offsets: OffsetStore;
  statuses: StatusBook;
  log: Log;
  logger: Logger;
  /** Resolves `${provider:path:key}` placeholders; identity when no config providers are set. */
  resolveConfig?: (config: Record<string, string>) => Promise<Record<string, string>>;
  clusterId?: string;
  /** The worker's `connector.client.config.override.policy` (WorkerConfig.clientOverridePolicy); All when unset. */
  clientOverridePolicy?: ClientOverridePolicy;
  /** The worker runs exactly-once source tasks (`exactly.once.source.support=enabled`, KIP-618). */
  exactlyOnceSource?: boolean;
}

/** What every herder does the same way: statuses, validation, plugins, offsets, topics. */
export abstract class BaseHerder implements Herder {
  private readonly offsetOps: ConnectorOffsets;
  private ready = false;
  private markReadyNow: () => void = () => {};
  private readonly readyPromise = new Promise<void>((resolve) => {
    this.markReadyNow = resolve;
  });

  constructor(private readonly base: BaseHerderDeps) {
    this.offsetOps = new ConnectorOffsets(base.offsets, base.log.admin(), (c) => base.worker.sourceOffsetStore(c));
  }

  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;
  abstract health(): { status: 'healthy' | 'starting' | 'unhealthy'; message: string };
  abstract connectors(): Promise<string[]>;
  abstract putConnectorConfig(
    name: string,
    config: Record<string, string>,
    opts: { allowReplace: boolean; initialState?: TargetState },
  ): Promise<{ created: boolean; info: ConnectorInfo }>;
  abstract deleteConnector(name: string): Promise<void>;
  abstract restartConnector(
    name: string,
    opts: { includeTasks: boolean; onlyFailed: boolean },
  ): Promise<ConnectorStateInfo | null>;
  abstract restartTask(name: string, task: number): Promise<void>;
  abstract setTargetState(name: string, state: TargetState): Promise<void>;
  /** The connector as this herder holds it; NotFoundError when there is none. */
  protected abstract entryOf(name: string): {
    config: Record<string, string>;
    targetState: TargetState;
    taskConfigs: readonly Record<string, string>[];
  };

  private queue: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after every operation queued before it, one at a time; its result or error goes to the caller. */
  protected serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** `serial` for work nobody awaits (a rebalance, a config change heard): a failure is logged, not lost. */
  protected background(what: string, fn: () => Promise<unknown>): void {
    this.serial(fn).catch((err: unknown) => this.base.logger.error({ err }, `${what} failed`));
  }

  async connectorInfo(name: string): Promise<ConnectorInfo> {
    const e = this.entryOf(name);
    return {
      name,
      config: { ...e.config },
      tasks: e.taskConfigs.map((_, task) => ({ connector: name, task })),
      type: this.base.worker.connectorType(e.config),
    };
  }

  async connectorConfig(name: string): Promise<Record<string, string>> {
    return { ...this.entryOf(name).config };
  }

  /** PATCH /connectors/{name}/config: `null` removes a key; the result is put as a whole (KIP-477). */
  async patchConnectorConfig(name: string, patch: Record<string, string | null>): Promise<ConnectorInfo> {
    const merged: Record<string, string> = { ...this.entryOf(name).config };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    return (await this.putConnectorConfig(name, merged, { allowReplace: true })).info;
  }

  async taskConfigs(name: string) {
    return this.entryOf(name).taskConfigs.map((config, task) => ({
      id: { connector: name, task },
      config: { ...config },
    }));
  }

  /** NotFoundError unless the connector has task `task`. */
  protected assertTask(name: string, task: number): void {
    if (!this.entryOf(name).taskConfigs[task]) throw new NotFoundError(`Task ${name}-${task} not found`);
  }

  protected assertStopped(name: string): void {
    if (this.entryOf(name).targetState !== 'STOPPED') {
      throw new BadRequestError(
        `Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/${name}/stop' endpoint`,
      );
    }
  }

  isReady(): boolean {
    return this.ready;
  }

  whenReady(): Promise<void> {
    return this.readyPromise;
  }

  /** Subclasses call this once their connector configs are read. */
  protected markReady(): void {
    this.ready = true;
    this.markReadyNow();
  }

  serverInfo() {
    return {
      version: VERSION,
      commit: COMMIT,
      kafka_cluster_id: this.base.clusterId ?? `embedded-${this.base.log.kind}`,
    };
  }

  async connectorStatus(name: string): Promise<ConnectorStateInfo> {
    const e = this.entryOf(name);
    const st = this.base.statuses.connector(name) ?? {
      state: 'UNASSIGNED' as const,
      workerId: this.base.worker.workerId,
    };
    const tasks: TaskStateInfo[] =
      e.targetState === 'STOPPED'
        ? []
        : this.base.statuses
            .tasks(name)
            .filter(([id]) => id < e.taskConfigs.length)
            .map(([id, s]) => this.taskInfo(name, id, s));
    return {
      name,
      connector: {
        state: st.state,
        worker_id: st.workerId,
        ...(st.trace ? { trace: st.trace } : {}),
        ...restartFields(st),
      },
      tasks,
      type: this.base.worker.connectorType(e.config),
    };
  }

  async taskStatus(name: string, task: number): Promise<TaskStateInfo> {
    const e = this.entryOf(name);
    const s = this.base.statuses.task(name, task);
    if (task >= e.taskConfigs.length || !s) throw new NotFoundError(`No status found for task ${name}-${task}`);
    return this.taskInfo(name, task, s);
  }

  private taskInfo(name: string, id: number, s: Status): TaskStateInfo {
    const metrics = this.base.worker.taskGauges(name, id);
    return {
      id,
      state: s.state,
      worker_id: s.workerId,
      ...(s.trace ? { trace: s.trace } : {}),
      ...(metrics ? { metrics } : {}),
      ...restartFields(s),
    };
  }

  async offsets(name: string): Promise<{ offsets: ConnectorOffset[] }> {
    return this.offsetOps.list(name, this.kindOf(name), this.entryOf(name).config);
  }

  alterOffsets(name: string, offsets: ConnectorOffset[]): Promise<{ message: string }> {
    return this.serial(async () => {
      this.assertStopped(name);
      const { config } = this.entryOf(name);
      return this.offsetOps.alter(name, config, this.instanceOf(config), offsets);
    });
  }

  resetOffsets(name: string): Promise<{ message: string }> {
    return this.serial(async () => {
      this.assertStopped(name);
      const { config } = this.entryOf(name);
      return this.offsetOps.reset(name, config, this.instanceOf(config));
    });
  }

  /** As Connect: a connector it does not know has used no topics (200, not 404). */
  async activeTopics(name: string): Promise<Record<string, { topics: string[] }>> {
    return { [name]: { topics: this.base.statuses.activeTopics(name) } };
  }

  async resetActiveTopics(name: string): Promise<void> {
    this.base.statuses.resetTopics(name);
  }

  validate(plugin: string | null, config: Record<string, string>): Promise<ConfigInfos> {
    if (plugin !== null) {
      const cls = config['connector.class'];
      const strip = (s: string) => s.replace(/Connector$/, '');
      const target = this.base.registry.find(plugin, ['source', 'sink']);
      const given = cls ? this.base.registry.find(cls, ['source', 'sink']) : undefined;
      if (cls && strip(cls) !== strip(plugin) && (!target || target !== given)) {
        throw new BadRequestError('Included connector type ' + cls + ' does not match request type ' + plugin);
      }
      if (!cls) config = { ...config, 'connector.class': plugin };
    }
    return validateConnectorConfig(
      this.base.registry,
      config,
      this.base.clientOverridePolicy,
      this.base.exactlyOnceSource,
    );
  }

  plugins(connectorsOnly: boolean): PluginInfo[] {
    const types = connectorsOnly
      ? (['source', 'sink'] as const)
      : (['source', 'sink', 'converter', 'header_converter', 'transformation', 'predicate'] as const);
    return this.base.registry
      .list(...types)
      .map((d) => ({ class: d.class, type: d.type, ...(d.version ? { version: d.version } : {}) }))
      .sort((a, b) => a.class.localeCompare(b.class));
  }

  pluginConfig(plugin: string): ConfigKeyInfo[] {
    const d = this.base.registry.find(plugin);
    if (!d) throw new NotFoundError(`Unknown plugin ${plugin}.`);
    // As Connect lists them: the plugin's own keys first, then the runtime's.
    if (d.type === 'source' || d.type === 'sink') {
      const own = d.create().config();
      return [
        ...own.keys(),
        ...connectorConfigDef(d.create(), d.type)
          .keys()
          .filter((k) => !own.key(k.name)),
      ].map(keyInfo);
    }
    const inst = d.create() as { config?: () => { keys(): Parameters<typeof keyInfo>[0][] } };
    return inst.config ? inst.config().keys().map(keyInfo) : [];
  }

  /** Rejects an invalid config with Kafka's 400 message listing every error. */
  protected async checkValid(config: Record<string, string>): Promise<void> {
    const infos = await validateConnectorConfig(
      this.base.registry,
      config,
      this.base.clientOverridePolicy,
      this.base.exactlyOnceSource,
    );
    if (infos.error_count > 0) throw new BadRequestError(invalidConfigMessage(infos));
  }

  protected resolveConfig(config: Record<string, string>): Promise<Record<string, string>> {
    return this.base.resolveConfig ? this.base.resolveConfig(config) : Promise.resolve(config);
  }

  private kindOf(name: string): 'source' | 'sink' {
    const t = this.base.worker.connectorType(this.entryOf(name).config);
    if (t === 'unknown') throw new BadRequestError(`Connector ${name} has an unknown connector class`);
    return t;
  }

  private instanceOf(config: Record<string, string>): SourceConnector | SinkConnector {
    return this.base.registry.resolve(config['connector.class']!, ['source', 'sink']).create();
  }
}

/** `restarts` and `next_restart_at` of a status that auto-restart touched; nothing otherwise. */
function restartFields(s: Status): { restarts?: number; next_restart_at?: string } {
  return {
    ...(s.restarts ? { restarts: s.restarts } : {}),
    ...(s.nextRestartAt ? { next_restart_at: new Date(s.nextRestartAt).toISOString() } : {}),
  };
}
