import { redactResolved } from '../config/providers/index.js';
import type { Logger } from '../logging.js';
import type { Worker } from '../worker/worker.js';
import { parseItem } from './assignor.js';
import type { ConfigTopic } from './config-topic.js';
import type { OffsetTopic } from './offset-topic.js';

/**
 * Runs the items (connectors, tasks) assigned to this worker and keeps them in line with the config
 * topic: starts and stops them as assignments change, restarts them when their config changes, and
 * publishes task configs for the connectors it owns.
 */
export class WorkRunner {
  /** Items running here, with the config they were started with (to notice changes). */
  private readonly running = new Map<string, string>();

  constructor(
    private readonly worker: Worker,
    private readonly configs: ConfigTopic,
    private readonly offsets: OffsetTopic,
    private readonly resolve: (c: Record<string, string>) => Promise<Record<string, string>>,
    private readonly logger: Logger,
  ) {}

  owned(): string[] {
    return [...this.running.keys()];
  }

  owns(item: string): boolean {
    return this.running.has(item);
  }

  /** Brings what runs here to exactly `assigned`. */
  async apply(assigned: string[], revoked: string[]): Promise<void> {
    const want = new Set(assigned);
    const stop = [...new Set([...revoked, ...[...this.running.keys()].filter((i) => !want.has(i))])];
    await Promise.all(stop.map((i) => this.stopItem(i)));
    await this.offsets.refresh();
    for (const item of assigned) if (!this.running.has(item)) await this.startItem(item);
  }

  /** After a config-topic change: restart owned items whose config changed, re-target the rest. */
  async reconcile(name: string): Promise<void> {
    const snap = this.configs.connectors.get(name);
    for (const item of [...this.running.keys()]) {
      const p = parseItem(item);
      if (p.name !== name) continue;
      if (!snap) {
        await this.stopItem(item);
        continue;
      }
      if (this.fingerprint(item) !== this.running.get(item)) {
        await this.stopItem(item);
        await this.startItem(item);
      } else if (p.kind === 'connector') {
        this.worker.setConnectorTargetState(name, snap.targetState);
      }
    }
  }

  async restart(item: string): Promise<void> {
    if (!this.running.has(item)) return;
    await this.stopItem(item);
    await this.startItem(item);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((i) => this.stopItem(i)));
  }

  /** Asks an owned connector for task configs and publishes them when they changed. */
  async publishTaskConfigs(name: string): Promise<void> {
    const snap = this.configs.connectors.get(name);
    if (!snap || !this.worker.isConnectorRunning(name)) return;
    try {
      const resolved = await this.resolve(snap.config);
      // Task configs go to the config topic with the connector's placeholders, never resolved secrets.
      const tasks = (await this.worker.taskConfigs(name, Number(snap.config['tasks.max'] ?? 1))).map((tc) =>
        redactResolved(snap.config, tc, resolved),
      );
      if (JSON.stringify(tasks) !== JSON.stringify(snap.tasks)) {
        // Exactly once: the old generation's producers are fenced before the new task configs exist.
        await this.worker.fenceZombies(name, snap.tasks.length, snap.config);
        await this.configs.putTaskConfigs(name, tasks);
      }
    } catch (err) {
      this.logger.error({ err, connector: name }, 'task configuration failed');
    }
  }

  private fingerprint(item: string): string {
    const p = parseItem(item);
    const snap = this.configs.connectors.get(p.name);
    if (!snap) return '';
    return JSON.stringify(p.kind === 'connector' ? snap.config : [snap.config, snap.tasks[p.task]]);
  }

  private async startItem(item: string): Promise<void> {
    const p = parseItem(item);
    const snap = this.configs.connectors.get(p.name);
    if (!snap) return;
    this.running.set(item, this.fingerprint(item));
    const resolved = await this.resolve(snap.config);
    if (p.kind === 'connector') {
      const ok = await this.worker.startConnector(
        p.name,
        resolved,
        snap.targetState,
        () => void this.publishTaskConfigs(p.name),
      );
      if (ok) await this.publishTaskConfigs(p.name);
    } else {
      const tc = snap.tasks[p.task];
      if (tc) this.worker.startTask(p.name, p.task, resolved, await this.resolve(tc), snap.targetState);
    }
  }

  private async stopItem(item: string): Promise<void> {
    if (!this.running.delete(item)) return;
    const p = parseItem(item);
    if (p.kind === 'connector') await this.worker.stopConnector(p.name);
    else await this.worker.stopTask(p.name, p.task);
  }
}
