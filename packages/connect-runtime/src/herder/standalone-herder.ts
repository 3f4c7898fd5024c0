import { logProblem } from '../log/open-log.js';
import type { Logger } from '@tributary/connect-api';
import type { Log } from '../log/log.js';
import type { ClientOverridePolicy } from '../config/client-overrides.js';
import type { PluginRegistry } from '../plugins/registry.js';
import type { ConfigStore, StoredConnector, TargetState } from '../storage/config-store.js';
import type { OffsetStore } from '../storage/offset-store.js';
import type { Worker } from '../worker/worker.js';
import { AlreadyExistsError, NotFoundError } from '../errors.js';
import { redactResolved } from '../config/providers/index.js';
import { BaseHerder } from './base-herder.js';
import type { ConnectorStateInfo } from './herder.js';
import type { AutoRestarter } from '../restart/auto-restarter.js';
import type { StatusBook } from './status-book.js';

export interface StandaloneHerderDeps {
  worker: Worker;
  registry: PluginRegistry;
  configs: ConfigStore;
  offsets: OffsetStore;
  statuses: StatusBook;
  log: Log;
  logger: Logger;
  resolveConfig?: (config: Record<string, string>) => Promise<Record<string, string>>;
  /** The worker's `connector.client.config.override.policy`; All when unset. */
  clientOverridePolicy?: ClientOverridePolicy;
  /** Restarts FAILED connectors and tasks (auto.restart.*); the worker reports its statuses through it. */
  autoRestart?: AutoRestarter;
  /** Exactly-once source tasks on Kafka (`exactly.once.source.support=enabled` with `bootstrap.servers`). */
  exactlyOnceSource?: boolean;
}

interface Entry extends StoredConnector {
  taskConfigs: Record<string, string>[];
}

/**
 * One worker that owns every connector. Configs come from files at start and from the REST API, and
 * are persisted beside the offsets so a restarted worker brings them back. Operations are applied one
 * at a time, in order.
 */
export class StandaloneHerder extends BaseHerder {
  private readonly entries = new Map<string, Entry>();
  private started = false;

  constructor(private readonly sd: StandaloneHerderDeps) {
    super(sd);
    sd.autoRestart?.attach({
      config: (name) => this.entries.get(name)?.config,
      restartConnector: (name) => this.serial(() => this.restartConnectorInstance(name)),
      restartTask: (name, task) =>
        this.serial(async () => {
          const e = this.entries.get(name);
          if (e && e.targetState !== 'STOPPED' && e.taskConfigs[task]) await this.restartTaskInstance(name, task);
        }),
    });
  }

  async start(): Promise<void> {
    await this.sd.offsets.start();
    const stored = await this.sd.configs.start();
    for (const [name, entry] of stored) {
      this.entries.set(name, { ...entry, taskConfigs: [] });
      await this.startConnector(name);
    }
    this.started = true;
    this.markReady();
  }

  async stop(): Promise<void> {
    this.sd.autoRestart?.stop();
    await this.serial(async () => {
      await this.sd.worker.stop();
      await this.sd.offsets.stop();
      await this.sd.configs.stop();
    });
  }

  health() {
    const problem = logProblem(this.sd.log);
    if (problem) return { status: 'unhealthy' as const, message: problem };
    return this.started
      ? { status: 'healthy' as const, message: 'Worker has completed startup and is ready to handle requests.' }
      : { status: 'starting' as const, message: 'Worker is still starting up.' };
  }

  async connectors(): Promise<string[]> {
    return [...this.entries.keys()].sort();
  }

  putConnectorConfig(
    name: string,
    config: Record<string, string>,
    opts: { allowReplace: boolean; initialState?: TargetState },
  ) {
    return this.serial(async () => {
      const exists = this.entries.has(name);
      if (exists && !opts.allowReplace) throw new AlreadyExistsError(`Connector ${name} already exists`);
      const full = { ...config, name };
      await this.checkValid(full);
      const targetState = exists ? this.entries.get(name)!.targetState : (opts.initialState ?? 'STARTED');
      if (exists) await this.stopConnector(name);
      this.entries.set(name, { config: full, targetState, taskConfigs: [] });
      await this.sd.configs.put(name, { config: full, targetState });
      await this.startConnector(name);
      return { created: !exists, info: await this.connectorInfo(name) };
    });
  }

  deleteConnector(name: string): Promise<void> {
    return this.serial(async () => {
      this.entry(name);
      await this.stopConnector(name);
      this.entries.delete(name);
      this.sd.statuses.forget(name);
      this.sd.autoRestart?.forget(name);
      await this.sd.configs.remove(name);
    });
  }

  restartConnector(
    name: string,
    opts: { includeTasks: boolean; onlyFailed: boolean },
  ): Promise<ConnectorStateInfo | null> {
    return this.serial(async () => {
      const e = this.entry(name);
      const connectorFailed = this.sd.statuses.connector(name)?.state === 'FAILED';
      const restartConnector = !opts.onlyFailed || connectorFailed;
      const tasks = opts.includeTasks
        ? e.taskConfigs
            .map((_, i) => i)
            .filter((i) => !opts.onlyFailed || this.sd.statuses.task(name, i)?.state === 'FAILED')
        : [];
      if (!opts.includeTasks && !opts.onlyFailed) {
        await this.restartConnectorInstance(name);
        return null;
      }
      const plan = await this.connectorStatus(name);
      if (restartConnector) plan.connector.state = 'RESTARTING';
      for (const t of plan.tasks) if (tasks.includes(t.id)) t.state = 'RESTARTING';
      if (restartConnector) await this.restartConnectorInstance(name);
      for (const t of tasks) await this.restartTaskInstance(name, t);
      return plan;
    });
  }

  restartTask(name: string, task: number): Promise<void> {
    return this.serial(async () => {
      this.assertTask(name, task);
      await this.restartTaskInstance(name, task);
    });
  }

  setTargetState(name: string, state: TargetState): Promise<void> {
    return this.serial(async () => {
      const e = this.entry(name);
      const prior = e.targetState;
      if (prior === state) return;
      e.targetState = state;
      await this.sd.configs.put(name, { config: e.config, targetState: state });
      if (state === 'STOPPED') return this.stopConnector(name, true);
      if (prior === 'STOPPED') return this.startConnector(name);
      this.sd.worker.setConnectorTargetState(name, state);
    });
  }

  protected entryOf(name: string): Entry {
    return this.entry(name);
  }

  private entry(name: string): Entry {
    const e = this.entries.get(name);
    if (!e) throw new NotFoundError(`Connector ${name} not found`);
    return e;
  }

  private async startConnector(name: string): Promise<void> {
    const e = this.entry(name);
    if (e.targetState === 'STOPPED') {
      e.taskConfigs = [];
      this.sd.statuses.onConnector(name, { state: 'STOPPED', workerId: this.sd.worker.workerId });
      return;
    }
    const resolved = await this.resolveConfig(e.config);
    const ok = await this.sd.worker.startConnector(name, resolved, e.targetState, () =>
      this.background('reconfiguring ' + name, () => this.reconfigure(name)),
    );
    if (ok) await this.reconfigure(name);
  }

  /** Asks the connector for task configs and restarts the tasks when they changed. */
  private async reconfigure(name: string): Promise<void> {
    const e = this.entries.get(name);
    if (!e || !this.sd.worker.isConnectorRunning(name)) return;
    let configs: Record<string, string>[];
    try {
      configs = await this.sd.worker.taskConfigs(name, Number(e.config['tasks.max'] ?? 1));
    } catch (err) {
      this.failConnector(name, err);
      return;
    }
    const changed =
      JSON.stringify(configs) !== JSON.stringify(e.taskConfigs) ||
      this.sd.worker.taskIds(name).length !== configs.length;
    if (!changed) return;
    await Promise.all(this.sd.worker.taskIds(name).map((t) => this.sd.worker.stopTask(name, t)));
    for (let t = configs.length; t < e.taskConfigs.length; t++) this.sd.statuses.forgetTask(name, t);
    const resolved = await this.resolveConfig(e.config);
    // Stored and shown with the connector's placeholders back in place of resolved secrets.
    e.taskConfigs = configs.map((tc) => redactResolved(e.config, tc, resolved));
    configs.forEach((tc, t) => this.sd.worker.startTask(name, t, resolved, tc, e.targetState));
  }

  private async stopConnector(name: string, keepStatus = false): Promise<void> {
    const e = this.entries.get(name);
    await Promise.all(this.sd.worker.taskIds(name).map((t) => this.sd.worker.stopTask(name, t)));
    await this.sd.worker.stopConnector(name);
    if (e && keepStatus) {
      this.sd.autoRestart?.cancel(name);
      for (let t = 0; t < e.taskConfigs.length; t++) this.sd.statuses.forgetTask(name, t);
      e.taskConfigs = [];
      this.sd.statuses.onConnector(name, { state: 'STOPPED', workerId: this.sd.worker.workerId });
    }
  }

  private async restartConnectorInstance(name: string): Promise<void> {
    const e = this.entry(name);
    if (e.targetState === 'STOPPED') return;
    await this.sd.worker.stopConnector(name);
    const resolved = await this.resolveConfig(e.config);
    const ok = await this.sd.worker.startConnector(name, resolved, e.targetState, () =>
      this.background('reconfiguring ' + name, () => this.reconfigure(name)),
    );
    if (ok) await this.reconfigure(name);
  }

  private async restartTaskInstance(name: string, task: number): Promise<void> {
    const e = this.entry(name);
    await this.sd.worker.stopTask(name, task);
    this.sd.worker.startTask(
      name,
      task,
      await this.resolveConfig(e.config),
      await this.resolveConfig(e.taskConfigs[task]!),
      e.targetState,
    );
  }

  private failConnector(name: string, err: unknown): void {
    this.sd.logger.error({ err, connector: name }, 'task configuration failed');
    this.sd.statuses.onConnector(name, {
      state: 'FAILED',
      workerId: this.sd.worker.workerId,
      trace: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
  }
}
