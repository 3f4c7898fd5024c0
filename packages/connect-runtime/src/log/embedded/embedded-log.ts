/**
 * The embedded log: durable segment files per topic-partition under one directory, committed group
 * offsets, in-process consumer groups. A library inside the worker process, never a network broker.
 *
 *   <dir>/.lock                                    pid of the writing process
 *   <dir>/topics/<topic>/meta.json                 partition count and configs (topic-store.ts)
 *   <dir>/topics/<topic>/<partition>/<base>.log    segments of record batches (format.ts)
 *   <dir>/groups/<group>.json                      committed offsets (group-store.ts)
 */
import { stat } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import { pino } from 'pino';
import { ConnectError, type Logger } from '@tributary/connect-api';
import type { Admin, Consumer, ConsumerOptions, Log, Producer } from '../log.js';
import { EmbeddedAdmin } from './admin.js';
import { EmbeddedConsumer } from './consumer.js';
import { GroupCoordinator } from './group-coordinator.js';
import { GroupStore } from './group-store.js';
import { DirectoryLock } from './lock.js';
import { resolveOptions, type EmbeddedLogOptions, type ResolvedOptions } from './options.js';
import { EmbeddedProducer } from './producer.js';
import { TopicStore } from './topic-store.js';

/** Opens (creating when missing) an embedded log directory; read-only opens take no lock. */
export async function openEmbeddedLog(options: EmbeddedLogOptions): Promise<Log> {
  const opts = resolveOptions(options);
  const logger = options.logger ?? pino({ name: 'embedded-log', level: 'warn' }, pino.destination(2));
  if (opts.readOnly) {
    const s = await stat(opts.dir).catch(() => null);
    if (!s?.isDirectory()) {
      throw new ConnectError(`no embedded log directory at ${opts.dir}`, { code: 'LOG_NOT_FOUND' });
    }
  } else {
    await mkdir(opts.dir, { recursive: true });
  }
  const lock = opts.readOnly ? null : DirectoryLock.acquire(opts.dir, logger);
  try {
    const store = await TopicStore.open({
      dir: opts.dir,
      readOnly: opts.readOnly,
      segmentBytes: opts.segmentBytes,
      syncEachWrite: opts.flushIntervalMs === 0,
      defaultPartitions: opts.defaultPartitions,
      retentionBytes: opts.retentionBytes,
      retentionMs: opts.retentionMs,
      logger,
    });
    const groups = await GroupStore.open(opts.dir, opts.readOnly);
    return new EmbeddedLog(opts, logger, store, groups, lock);
  } catch (err) {
    lock?.release();
    throw err;
  }
}

class EmbeddedLog implements Log {
  readonly kind = 'embedded' as const;
  private readonly opts: ResolvedOptions;
  private readonly logger: Logger;
  private readonly store: TopicStore;
  private readonly groups: GroupStore;
  private readonly coordinator: GroupCoordinator;
  private readonly lock: DirectoryLock | null;
  private readonly consumers = new Set<EmbeddedConsumer>();
  private readonly producers = new Set<EmbeddedProducer>();
  private readonly timers: NodeJS.Timeout[] = [];
  private closing: Promise<void> | null = null;

  constructor(
    opts: ResolvedOptions,
    logger: Logger,
    store: TopicStore,
    groups: GroupStore,
    lock: DirectoryLock | null,
  ) {
    this.opts = opts;
    this.logger = logger;
    this.store = store;
    this.groups = groups;
    this.lock = lock;
    this.coordinator = new GroupCoordinator(store);
    if (opts.readOnly) {
      this.every(opts.tailIntervalMs, 'tail', () => store.refresh());
    } else {
      if (opts.flushIntervalMs > 0) this.every(opts.flushIntervalMs, 'flush', () => store.flushAll());
      this.every(opts.retentionCheckIntervalMs, 'retention', () => store.enforceRetention(Date.now()));
      void store.enforceRetention(Date.now());
    }
  }

  /** Runs `task` every `ms`, skipping a tick while the previous run is still going. */
  private every(ms: number, name: string, task: () => Promise<void>): void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      task()
        .catch((err: unknown) => this.logger.error({ err }, `embedded log: ${name} failed`))
        .finally(() => (running = false));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }

  producer(): Producer {
    this.open();
    const p = new EmbeddedProducer({
      store: this.store,
      readOnly: this.opts.readOnly,
      isClosed: () => this.closing !== null,
    });
    this.producers.add(p);
    return p;
  }

  consumer(options: ConsumerOptions): Consumer {
    this.open();
    const c = new EmbeddedConsumer(
      {
        store: this.store,
        groups: this.groups,
        coordinator: this.coordinator,
        readOnly: this.opts.readOnly,
        logger: this.logger,
        onClosed: (closed) => this.consumers.delete(closed),
      },
      options,
    );
    this.consumers.add(c);
    return c;
  }

  admin(): Admin {
    this.open();
    return new EmbeddedAdmin({
      store: this.store,
      groups: this.groups,
      coordinator: this.coordinator,
      readOnly: this.opts.readOnly,
    });
  }

  /** Closes consumers (their onRevoked runs) and producers, syncs and closes every file, unlocks. */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await Promise.allSettled([...this.consumers].map((c) => c.close()));
    await Promise.allSettled([...this.producers].map((p) => p.close()));
    try {
      await this.store.close();
      await this.groups.close();
    } finally {
      this.lock?.release();
    }
  }

  private open(): void {
    if (this.closing) throw new ConnectError('the embedded log is closed', { code: 'LOG_CLOSED' });
  }
}
