import type { Logger } from '@tributary/connect-api';
import type { Status, StatusListener } from '../worker/status.js';
import { autoRestartSettings, type AutoRestartSettings } from './auto-restart-config.js';

/** Time and timers, so tests can drive the backoff with a fake clock. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** What the restarter asks of the herder that runs the item. */
export interface RestartTarget {
  /** The connector's stored config, or undefined when it is gone. */
  config(name: string): Readonly<Record<string, string>> | undefined;
  restartConnector(name: string): Promise<void>;
  restartTask(name: string, task: number): Promise<void>;
}

/** Where restarts are counted for /metrics (WorkerMetrics). */
export interface RestartMetrics {
  autoRestarted(connector: string, task: number | null): void;
  /** The next restart due (ms since the epoch), or null when none is planned. */
  nextAutoRestart(connector: string, task: number | null, at: number | null): void;
}

/** A failure within this long of a restart counts towards `auto.restart.max.restarts`. */
export const STABLE_MS = 60_000;

export interface RestartRecord {
  /** When the restart was made (ms since the epoch). */
  at: number;
  /** The first line of the failure it answered. */
  reason: string;
}

interface Entry {
  connector: string;
  task: number | null;
  /** Restarts made so far (shown as `restarts`). */
  restarts: number;
  /** Restarts in a row, each followed by a failure within STABLE_MS. */
  streak: number;
  lastRestartAt: number | null;
  nextRestartAt: number | null;
  timer: unknown;
  gaveUp: boolean;
  last: Status | null;
  history: RestartRecord[];
}

const HISTORY = 20;

/**
 * Restarts FAILED connectors and tasks of this worker with backoff (`auto.restart.*`). It sits between
 * the worker and the herder's status listener: every status passes through it, gains `restarts` and
 * `nextRestartAt`, and a FAILED one schedules a restart through the herder. After
 * `auto.restart.max.restarts` restarts in a row that each failed again within a minute, the item stays
 * FAILED and its trace says why.
 */
export class AutoRestarter implements StatusListener {
  private readonly entries = new Map<string, Entry>();
  private target: RestartTarget | null = null;
  private stopped = false;

  constructor(
    private readonly inner: StatusListener,
    private readonly defaults: AutoRestartSettings,
    private readonly logger: Logger,
    private readonly clock: Clock = systemClock,
    private readonly metrics?: RestartMetrics,
  ) {}

  /** The herder calls this once it can restart things. */
  attach(target: RestartTarget): void {
    this.target = target;
  }

  onConnector(name: string, status: Status): void {
    this.inner.onConnector(name, this.observe(name, null, status));
  }

  onTask(connector: string, task: number, status: Status): void {
    this.inner.onTask(connector, task, this.observe(connector, task, status));
  }

  onTopic(connector: string, topic: string): void {
    this.inner.onTopic?.(connector, topic);
  }

  /** Restarts made and the next one planned, for the status and the console. */
  info(
    name: string,
    task: number | null,
  ): { restarts: number; nextRestartAt: number | null; history: RestartRecord[] } | undefined {
    const e = this.entries.get(keyOf(name, task));
    return e ? { restarts: e.restarts, nextRestartAt: e.nextRestartAt, history: [...e.history] } : undefined;
  }

  /** Forgets a deleted connector (and its tasks). */
  forget(name: string): void {
    for (const [k, e] of this.entries) {
      if (k === name || k.startsWith(`${name}\u0000`)) {
        if (e.timer !== null) this.clock.clearTimeout(e.timer);
        this.entries.delete(k);
      }
    }
  }

  /** Cancels the restarts planned for a connector and its tasks (it was stopped); their history stays. */
  cancel(name: string): void {
    for (const [k, e] of this.entries) if (k === name || k.startsWith(`${name}\u0000`)) this.unplan(e);
  }

  stop(): void {
    this.stopped = true;
    for (const e of this.entries.values()) if (e.timer !== null) this.clock.clearTimeout(e.timer);
  }

  private observe(name: string, task: number | null, status: Status): Status {
    const key = keyOf(name, task);
    let e = this.entries.get(key);
    if (status.state !== 'FAILED') {
      if (e) {
        // Restarted (by us or by hand), paused, stopped: no restart is due any more.
        this.unplan(e);
        e.gaveUp = false;
        e.last = status;
      }
      return this.decorate(e, status);
    }
    const config = this.target?.config(name);
    const settings = config ? autoRestartSettings(config, this.defaults) : null;
    if (!settings?.enabled || this.stopped) return this.decorate(e, status);
    if (!e)
      this.entries.set(
        key,
        (e = {
          connector: name,
          task,
          restarts: 0,
          streak: 0,
          lastRestartAt: null,
          nextRestartAt: null,
          timer: null,
          gaveUp: false,
          last: null,
          history: [],
        }),
      );
    e.last = status;
    if (e.timer !== null || e.gaveUp) return this.decorate(e, status);
    const now = this.clock.now();
    if (e.lastRestartAt !== null && now - e.lastRestartAt > STABLE_MS) e.streak = 0;
    if (e.streak >= settings.maxRestarts) {
      e.gaveUp = true;
      const what = task === null ? `connector ${name}` : `task ${name}-${task}`;
      const message =
        `Auto-restart gave up: ${what} failed again within ${STABLE_MS / 1000} s of each of its last ${e.streak} restarts ` +
        `(auto.restart.max.restarts=${settings.maxRestarts}). Fix the cause and restart it by hand.`;
      this.logger.error({ connector: name, task: task ?? undefined, restarts: e.restarts }, message);
      return this.decorate(e, { ...status, trace: `${message}\n${status.trace ?? ''}` });
    }
    const delay = Math.min(settings.maxMs, settings.initialMs * 2 ** e.streak);
    e.nextRestartAt = now + delay;
    this.metrics?.nextAutoRestart(name, task, e.nextRestartAt);
    const entry = e;
    e.timer = this.clock.setTimeout(() => void this.fire(name, task, entry), delay);
    this.logger.info(
      { connector: name, task: task ?? undefined, delayMs: delay, restarts: e.restarts },
      'auto-restart scheduled',
    );
    return this.decorate(e, status);
  }

  private async fire(name: string, task: number | null, e: Entry): Promise<void> {
    e.timer = null;
    e.nextRestartAt = null;
    if (this.stopped || !this.target || this.entries.get(keyOf(name, task)) !== e || e.last?.state !== 'FAILED') return;
    if (!this.target.config(name)) {
      this.forget(name);
      return;
    }
    e.streak++;
    e.restarts++;
    this.metrics?.autoRestarted(name, task);
    this.metrics?.nextAutoRestart(name, task, null);
    e.lastRestartAt = this.clock.now();
    e.history.push({ at: e.lastRestartAt, reason: (e.last.trace ?? '').split('\n')[0] ?? '' });
    if (e.history.length > HISTORY) e.history.shift();
    this.logger.warn(
      { connector: name, task: task ?? undefined, restarts: e.restarts },
      'auto-restarting a FAILED ' + (task === null ? 'connector' : 'task'),
    );
    try {
      if (task === null) await this.target.restartConnector(name);
      else await this.target.restartTask(name, task);
    } catch (err) {
      this.logger.error({ err, connector: name, task: task ?? undefined }, 'auto-restart failed');
    }
  }

  private unplan(e: Entry): void {
    if (e.timer !== null) {
      this.clock.clearTimeout(e.timer);
      this.metrics?.nextAutoRestart(e.connector, e.task, null);
    }
    e.timer = null;
    e.nextRestartAt = null;
  }

  private decorate(e: Entry | undefined, status: Status): Status {
    if (!e || (e.restarts === 0 && e.nextRestartAt === null)) return status;
    return { ...status, restarts: e.restarts, ...(e.nextRestartAt !== null ? { nextRestartAt: e.nextRestartAt } : {}) };
  }
}

function keyOf(name: string, task: number | null): string {
  return task === null ? name : `${name}\u0000${task}`;
}
