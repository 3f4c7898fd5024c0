import { loggerLevels, type Logger } from '../logging.js';
import type { PluginRegistry } from '../plugins/registry.js';
import type { Log } from '../log/log.js';
import { logProblem } from '../log/open-log.js';
import type { TargetState } from '../storage/config-store.js';
import type { Worker } from '../worker/worker.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../errors.js';
import { BaseHerder } from '../herder/base-herder.js';
import type { ConnectorStateInfo } from '../herder/herder.js';
import type { StatusBook } from '../herder/status-book.js';
import { assign, connectorItem, taskItem, type MemberAssignment } from './assignor.js';
import type { ConfigTopic, RestartRequest } from './config-topic.js';
import type { Base } from '@platformatic/kafka';
import type { ClientOverridePolicy } from '../config/client-overrides.js';
import { GroupMember, type JoinMetadata } from './group-member.js';
import type { OffsetTopic } from './offset-topic.js';
import type { StatusTopic } from './status-topic.js';
import { WorkRunner } from './work-runner.js';
import type { AutoRestarter } from '../restart/auto-restarter.js';

export interface DistributedHerderDeps {
  worker: Worker;
  registry: PluginRegistry;
  log: Log;
  logger: Logger;
  statuses: StatusBook;
  configs: ConfigTopic;
  offsets: OffsetTopic;
  statusTopic: StatusTopic;
  url: string;
  brokers: string[];
  /** The Kafka client that carries the worker group's requests. */
  groupClient: Base;
  groupId: string;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
  /** `scheduled.rebalance.max.delay.ms`: how long the work of a departed worker waits for it. */
  maxDelayMs: number;
  resolveConfig?: (c: Record<string, string>) => Promise<Record<string, string>>;
  clusterId?: string;
  /** The worker's `connector.client.config.override.policy`. */
  clientOverridePolicy?: ClientOverridePolicy;
  exactlyOnceSource?: boolean;
  /** Restarts FAILED connectors and tasks that run here (auto.restart.*). */
  autoRestart?: AutoRestarter;
}

/**
 * A worker in a cluster. Configs, offsets and statuses live in Kafka topics; who is alive and who
 * leads comes from Kafka's group coordinator; the leader assigns connectors and tasks. Config writes
 * are made by the leader (the REST layer forwards them there); every worker answers reads.
 */
export class DistributedHerder extends BaseHerder {
  private readonly member: GroupMember;
  private readonly work: WorkRunner;
  private leaderUrl: string | null = null;
  private isLeader = false;
  private started = false;
  /** Leader only: the last assignment it made, to recognise lost work. */
  private lastAssignment = new Map<string, string[]>();
  private readonly lostSince = new Map<string, number>();
  private delayTimer: NodeJS.Timeout | null = null;
  /** Leader only: the URLs of the members at the last assignment (for the console). */
  private memberUrls: string[] = [];

  constructor(private readonly d: DistributedHerderDeps) {
    super({ ...d, offsets: d.offsets });
    this.work = new WorkRunner(d.worker, d.configs, d.offsets, (c) => this.resolveConfig(c), d.logger);
    this.member = new GroupMember({
      client: d.groupClient,
      brokers: d.brokers,
      groupId: d.groupId,
      logger: d.logger,
      sessionTimeoutMs: d.sessionTimeoutMs,
      rebalanceTimeoutMs: d.rebalanceTimeoutMs,
      heartbeatIntervalMs: d.heartbeatIntervalMs,
      metadata: (): JoinMetadata => ({ url: d.url, configOffset: d.configs.offset, owned: this.work.owned() }),
      assign: (members, leaderId) => this.computeAssignment(members, leaderId),
      onAssignment: (buf, info) => this.serial(() => this.onAssignment(buf, info.isLeader)),
    });
    d.autoRestart?.attach({
      config: (name) => this.d.configs.connectors.get(name)?.config,
      restartConnector: (name) => this.serial(() => this.work.restart(connectorItem(name))),
      restartTask: (name, task) => this.serial(() => this.work.restart(taskItem(name, task))),
    });
  }

  async start(): Promise<void> {
    // Heard from the moment the configs are read (REST answers from then on), not after the other topics.
    this.d.configs.on('logger-level', (namespace: string, level: string) => this.applyLoggerLevel(namespace, level));
    await this.d.configs.start();
    this.markReady(); // configs read: the REST API may answer for connectors now
    await this.d.offsets.start();
    await this.d.statusTopic.start();
    this.d.configs.on('change', (name: string) => this.background('a config change', () => this.onConfigChange(name)));
    this.d.configs.on('restart', (req: RestartRequest) =>
      this.background('a restart request', () => this.onRestart(req)),
    );
    await this.member.start();
    this.started = true;
  }

  async stop(): Promise<void> {
    if (this.delayTimer) clearTimeout(this.delayTimer);
    this.d.autoRestart?.stop();
    await this.serial(() => this.work.stopAll());
    await this.member.stop();
    await this.d.worker.stop();
    await this.d.statusTopic.stop();
    await this.d.offsets.stop();
    await this.d.configs.stop();
  }

  health() {
    const problem = logProblem(this.d.log);
    if (problem) return { status: 'unhealthy' as const, message: problem };
    if (!this.started || this.leaderUrl === null)
      return { status: 'starting' as const, message: 'Worker is still starting up (joining the cluster).' };
    return { status: 'healthy' as const, message: 'Worker has completed startup and is ready to handle requests.' };
  }

  /** Where a config write must go: null to handle it here; throws 409 while no leader is known. */
  forwardTarget(): string | null {
    if (this.isLeader && !this.member.rebalancing) return null;
    if (!this.leaderUrl)
      throw new ConflictError(
        'Cannot complete request because of a conflicting operation (e.g. worker rebalance): no known leader URL, likely because a rebalance was underway.',
      );
    return this.isLeader ? null : this.leaderUrl;
  }

  cluster() {
    const members = new Set<string>([this.d.url, ...(this.leaderUrl ? [this.leaderUrl] : []), ...this.memberUrls]);
    for (const name of this.d.configs.connectors.keys()) {
      const c = this.d.statuses.connector(name);
      if (c) members.add(`http://${c.workerId}`);
      for (const [, t] of this.d.statuses.tasks(name)) members.add(`http://${t.workerId}`);
    }
    return { self: this.d.url, leader_url: this.leaderUrl, is_leader: this.isLeader, members: [...members].sort() };
  }

  async connectors(): Promise<string[]> {
    return [...this.d.configs.connectors.keys()].sort();
  }

  async putConnectorConfig(
    name: string,
    config: Record<string, string>,
    opts: { allowReplace: boolean; initialState?: TargetState },
  ) {
    await this.d.configs.readToEnd();
    const exists = this.d.configs.connectors.has(name);
    if (exists && !opts.allowReplace) throw new AlreadyExistsError(`Connector ${name} already exists`);
    const full = { ...config, name };
    await this.checkValid(full);
    if (!exists && opts.initialState && opts.initialState !== 'STARTED')
      await this.d.configs.putTargetState(name, opts.initialState);
    await this.d.configs.putConnector(name, full);
    if (!exists && opts.initialState && opts.initialState !== 'STARTED') {
      await this.d.configs.putTargetState(name, opts.initialState);
      // No worker runs a STOPPED connector, so none would report it: its status says STOPPED, as Connect's.
      if (opts.initialState === 'STOPPED')
        this.d.statusTopic.onConnector(name, { state: 'STOPPED', workerId: this.d.worker.workerId });
    }
    return { created: !exists, info: await this.connectorInfo(name) };
  }

  async deleteConnector(name: string): Promise<void> {
    const s = this.snap(name);
    await this.d.configs.putConnector(name, null);
    await this.d.statusTopic.forget(name, s.tasks.length);
  }

  async restartConnector(
    name: string,
    opts: { includeTasks: boolean; onlyFailed: boolean },
  ): Promise<ConnectorStateInfo | null> {
    this.snap(name);
    const plan = opts.includeTasks || opts.onlyFailed ? await this.connectorStatus(name) : null;
    if (plan) {
      if (!opts.onlyFailed || plan.connector.state === 'FAILED') plan.connector.state = 'RESTARTING';
      for (const t of plan.tasks)
        if (opts.includeTasks && (!opts.onlyFailed || t.state === 'FAILED')) t.state = 'RESTARTING';
    }
    await this.d.configs.requestRestart({ name, ...opts });
    return plan;
  }

  async restartTask(name: string, task: number): Promise<void> {
    this.assertTask(name, task);
    await this.d.configs.requestRestart({ name, includeTasks: true, onlyFailed: false, task });
  }

  async setTargetState(name: string, state: TargetState): Promise<void> {
    this.snap(name);
    await this.d.configs.putTargetState(name, state);
    if (state === 'STOPPED')
      this.d.statusTopic.onConnector(name, { state: 'STOPPED', workerId: this.d.worker.workerId });
  }

  /** KIP-976: through the config topic, so every worker of the cluster applies it. */
  async setClusterLoggerLevel(logger: string, level: string): Promise<void> {
    await this.d.configs.putLoggerLevel(logger, level);
  }

  private applyLoggerLevel(namespace: string, level: string): void {
    try {
      loggerLevels(this.d.logger).setLevel(namespace, level);
    } catch (err) {
      this.d.logger.warn({ err, namespace, level }, 'ignored a cluster logger level');
    }
  }

  protected entryOf(name: string) {
    const s = this.snap(name);
    return { config: s.config, targetState: s.targetState, taskConfigs: s.tasks };
  }

  private snap(name: string) {
    const s = this.d.configs.connectors.get(name);
    if (!s) throw new NotFoundError(`Connector ${name} not found`);
    return s;
  }

  /** Every item that should run now, in a stable order. */
  private configuredItems(): string[] {
    const out: string[] = [];
    for (const [name, s] of [...this.d.configs.connectors].sort(([a], [b]) => a.localeCompare(b))) {
      if (s.targetState === 'STOPPED') continue;
      out.push(connectorItem(name), ...s.tasks.map((_, i) => taskItem(name, i)));
    }
    return out;
  }

  private async computeAssignment(
    members: Array<{ memberId: string; metadata: JoinMetadata }>,
    leaderId: string,
  ): Promise<Map<string, Buffer>> {
    await this.d.configs.readToEnd();
    const now = Date.now();
    const present = new Set(members.map((m) => m.memberId));
    for (const [memberId, items] of this.lastAssignment) {
      if (!present.has(memberId)) for (const i of items) if (!this.lostSince.has(i)) this.lostSince.set(i, now);
    }
    const leader = members.find((m) => m.memberId === leaderId)!;
    this.memberUrls = members.map((m) => m.metadata.url);
    const plan = assign({
      members: members.map((m) => ({ memberId: m.memberId, url: m.metadata.url, owned: m.metadata.owned })),
      configured: this.configuredItems(),
      leaderUrl: leader.metadata.url,
      configOffset: this.d.configs.offset,
      now,
      lostSince: this.lostSince,
      maxDelayMs: this.d.maxDelayMs,
    });
    this.lastAssignment = new Map([...plan].map(([id, a]) => [id, a.assigned]));
    return new Map([...plan].map(([id, a]) => [id, Buffer.from(JSON.stringify(a))]));
  }

  private async onAssignment(buf: Buffer, isLeader: boolean): Promise<void> {
    const a = JSON.parse(buf.toString('utf8')) as MemberAssignment;
    this.isLeader = isLeader;
    this.leaderUrl = a.leaderUrl;
    this.d.statusTopic.generation++;
    await this.d.configs.readToEnd();
    await this.work.apply(a.assigned, a.revoked);
    this.d.logger.info({ assigned: a.assigned, revoked: a.revoked, leader: a.leaderUrl }, 'rebalance complete');
    if (a.revoked.length > 0) this.member.requestRejoin(); // let revoked work move now
    if (this.delayTimer) clearTimeout(this.delayTimer);
    this.delayTimer = null;
    if (isLeader && a.delayUntil !== null) {
      this.delayTimer = setTimeout(() => this.member.requestRejoin(), Math.max(0, a.delayUntil - Date.now()) + 50);
    }
    // The leader notices config changes made while the group was rebalancing.
    if (isLeader && a.delayUntil === null && this.unassignedWork()) this.member.requestRejoin();
  }

  private async onConfigChange(name: string): Promise<void> {
    await this.work.reconcile(name);
    if (this.work.owns(connectorItem(name))) await this.work.publishTaskConfigs(name);
    if (this.isLeader && this.unassignedWork()) this.member.requestRejoin();
  }

  /** Leader: configured work nobody was given, or given work no longer configured. */
  private unassignedWork(): boolean {
    const assigned = new Set([...this.lastAssignment.values()].flat());
    const configured = this.configuredItems();
    return configured.some((i) => !assigned.has(i)) || [...assigned].some((i) => !configured.includes(i));
  }

  private async onRestart(req: RestartRequest): Promise<void> {
    if (req.task !== undefined) return this.work.restart(taskItem(req.name, req.task));
    const failed = (state?: string) => state === 'FAILED';
    if (!req.onlyFailed || failed(this.d.statuses.connector(req.name)?.state))
      await this.work.restart(connectorItem(req.name));
    if (!req.includeTasks) return;
    for (const [task, status] of this.d.statuses.tasks(req.name)) {
      if (!req.onlyFailed || failed(status.state)) await this.work.restart(taskItem(req.name, task));
    }
  }
}
