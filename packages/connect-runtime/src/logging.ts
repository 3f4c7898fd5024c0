import { pino, type Logger } from 'pino';

/** Kafka Connect's (log4j's) level names and the pino level each one sets. */
const LEVELS: Record<string, pino.LevelWithSilent> = {
  OFF: 'silent',
  FATAL: 'fatal',
  ERROR: 'error',
  WARN: 'warn',
  INFO: 'info',
  DEBUG: 'debug',
  TRACE: 'trace',
  ALL: 'trace',
};
const NAMES: Record<string, string> = {
  silent: 'OFF',
  fatal: 'FATAL',
  error: 'ERROR',
  warn: 'WARN',
  info: 'INFO',
  debug: 'DEBUG',
  trace: 'TRACE',
};

export const ROOT_LOGGER = 'root';
export const RUNTIME_LOGGER = 'runtime';

/**
 * The name of a logger, from what it is bound to: `connector.<name>.task.<id>` for a task,
 * `connector.<name>` for a connector, `runtime` for the rest of the worker. Names nest at dots, as
 * log4j's do: a level set on `connector.orders` applies to that connector's tasks too.
 */
export function loggerName(bindings: Record<string, unknown>): string {
  if (typeof bindings.connector !== 'string') return RUNTIME_LOGGER;
  const base = `connector.${bindings.connector}`;
  return bindings.task === undefined ? base : `${base}.task.${String(bindings.task)}`;
}

/**
 * Log levels per logger name, changed at run time by `PUT /admin/loggers/{name}` (KIP-495). Every
 * child of the root logger is adopted when it is created; a level set on a name applies to every live
 * logger of that name or below it, and to those created later.
 */
export class LoggerLevels {
  private readonly live = new Map<string, Set<WeakRef<Logger>>>();
  private readonly explicit = new Map<string, { level: string; lastModified: number }>();
  private rootLevel: string;

  constructor(private readonly root: Logger) {
    this.rootLevel = NAMES[root.level] ?? 'INFO';
  }

  /** Called for every child logger: remembers it under its name and gives it that name's level. */
  adopt(child: Logger): void {
    const name = loggerName(child.bindings());
    let refs = this.live.get(name);
    if (!refs) this.live.set(name, (refs = new Set()));
    refs.add(new WeakRef(child));
    const level = this.effective(name);
    if (child.level !== LEVELS[level]) child.level = LEVELS[level]!;
  }

  /** The pino level of a Connect level name (any case), or undefined for an unknown name. */
  static parse(level: string): string | undefined {
    const upper = level.toUpperCase();
    return LEVELS[upper] ? upper : undefined;
  }

  /** Loggers that exist now: the runtime, live connector and task loggers, and names given a level. */
  known(): string[] {
    for (const [name, refs] of this.live) {
      for (const r of refs) if (!r.deref()) refs.delete(r);
      if (refs.size === 0) this.live.delete(name);
    }
    return [...new Set([RUNTIME_LOGGER, ...this.live.keys(), ...this.explicit.keys()])].sort();
  }

  /** `GET /admin/loggers`: root and every logger whose level was set, by name. */
  list(): Record<string, { level: string; last_modified: number | null }> {
    const out: Record<string, { level: string; last_modified: number | null }> = {};
    const names = [...this.explicit.keys(), ROOT_LOGGER].sort();
    for (const n of names) out[n] = this.describe(n)!;
    return out;
  }

  /** `GET /admin/loggers/{name}`, or undefined when no such logger exists. */
  describe(name: string): { level: string; last_modified: number | null } | undefined {
    if (name === ROOT_LOGGER) return { level: this.rootLevel, last_modified: null };
    if (!this.known().includes(name)) return undefined;
    return { level: this.effective(name), last_modified: this.explicit.get(name)?.lastModified ?? null };
  }

  /** Sets `level` (a Connect level name) on `name` and every logger below it; returns their names. */
  setLevel(name: string, level: string, now = Date.now()): string[] {
    const connectLevel = LoggerLevels.parse(level);
    if (!connectLevel) throw new Error(`invalid log level '${level}'.`);
    let affected: string[];
    if (name === ROOT_LOGGER) {
      this.rootLevel = connectLevel;
      affected = [...this.known(), ROOT_LOGGER];
    } else {
      affected = [...new Set([name, ...this.known().filter((n) => n.startsWith(`${name}.`))])];
    }
    for (const n of affected) if (n !== ROOT_LOGGER) this.explicit.set(n, { level: connectLevel, lastModified: now });
    this.apply();
    return affected.sort();
  }

  /** The level a logger logs at: its own, else its nearest named ancestor's, else root's. */
  private effective(name: string): string {
    for (let n = name; ; n = n.slice(0, n.lastIndexOf('.'))) {
      const e = this.explicit.get(n);
      if (e) return e.level;
      if (!n.includes('.')) return this.rootLevel;
    }
  }

  private apply(): void {
    this.root.level = LEVELS[this.effective(RUNTIME_LOGGER)]!;
    for (const [name, refs] of this.live) {
      const level = LEVELS[this.effective(name)]!;
      for (const r of refs) {
        const l = r.deref();
        if (l && l.level !== level) l.level = level;
      }
    }
  }
}

const registries = new WeakMap<Logger, LoggerLevels>();

/** The level registry of a root logger (one made by createLogger, or a bare one for any other). */
export function loggerLevels(root: Logger): LoggerLevels {
  let r = registries.get(root);
  if (!r) registries.set(root, (r = new LoggerLevels(root)));
  return r;
}

/**
 * The worker's root logger. Level from TRIBUTARY_LOG_LEVEL (default info); JSON lines to stdout (or
 * to `destination`). Its levels can be changed per logger name through `loggerLevels(root)`.
 */
export function createLogger(name = 'tributary', destination?: pino.DestinationStream): Logger {
  let levels: LoggerLevels | undefined;
  const options: pino.LoggerOptions = {
    name,
    level: process.env.TRIBUTARY_LOG_LEVEL ?? 'info',
    // Secrets must never reach logs: redact the usual suspects wherever they appear.
    redact: {
      paths: ['*.password', '*["connection.password"]', '*["database.password"]', '*["auth.password"]'],
      censor: '[hidden]',
    },
    onChild: (child) => levels?.adopt(child),
  };
  const root = destination ? pino(options, destination) : pino(options);
  levels = loggerLevels(root);
  return root;
}

export type { Logger };
