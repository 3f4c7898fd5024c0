/**
 * The topics of an embedded log directory: `<dir>/topics/<topic>/meta.json` plus one directory per
 * partition. A topic exists once its meta.json does (it is written last, atomically), so a crash
 * half-way through creating a topic leaves nothing that is read back.
 *
 * Emits `append` (a partition got new visible records) and `topic` (a topic was created, or, in
 * read-only mode, appeared on disk).
 */
import { EventEmitter } from 'node:events';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConnectError } from '@tributary/connect-api';
import { readJsonIfExists, writeFileAtomic } from './fs-util.js';
import { PartitionLog, type PartitionLogContext } from './partition-log.js';

/** meta.json of a topic; persisted, versioned. */
export interface TopicMetaV1 {
  readonly version: 1;
  readonly topic: string;
  readonly partitions: number;
  readonly configs: Readonly<Record<string, string>>;
}

export class Topic {
  readonly name: string;
  readonly partitions: readonly PartitionLog[];
  readonly configs: Readonly<Record<string, string>>;

  constructor(name: string, partitions: PartitionLog[], configs: Readonly<Record<string, string>>) {
    this.name = name;
    this.partitions = partitions;
    this.configs = configs;
  }

  /** A numeric topic config (e.g. `retention.ms`, as Kafka spells it), or undefined when unset or not a number. */
  config(key: string): number | undefined {
    const raw = this.configs[key];
    const n = raw === undefined ? NaN : Number(raw);
    return Number.isSafeInteger(n) ? n : undefined;
  }

  /**
   * True for `cleanup.policy=compact` (without `delete`). The embedded log does not compact; it keeps
   * such topics whole instead, so retention never deletes their segments and every key's latest value
   * stays readable (what config, offset and status topics need).
   */
  get retainsForever(): boolean {
    const policies = (this.configs['cleanup.policy'] ?? 'delete').split(',').map((p) => p.trim());
    return policies.includes('compact') && !policies.includes('delete');
  }
}

export interface TopicStoreContext extends PartitionLogContext {
  readonly dir: string;
  readonly defaultPartitions: number;
  /** Per partition; -1 = unlimited. */
  readonly retentionBytes: number;
  /** -1 = forever. */
  readonly retentionMs: number;
}

/** Kafka's rule for topic names; they are also directory names here. */
const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

export function validateTopicName(name: string): void {
  if (!LEGAL_TOPIC.test(name) || name === '.' || name === '..') {
    throw new ConnectError(
      `invalid topic name '${name}': use 1 to 249 characters of a-z, A-Z, 0-9, '.', '_' and '-' (not '.' or '..')`,
      { code: 'INVALID_TOPIC' },
    );
  }
}

export class TopicStore extends EventEmitter<{ append: [PartitionLog]; topic: [Topic] }> {
  private readonly ctx: TopicStoreContext;
  private readonly topics = new Map<string, Topic>();
  private readonly creating = new Map<string, Promise<Topic>>();
  private readonly topicsDir: string;
  private refreshing: Promise<void> | null = null;

  private constructor(ctx: TopicStoreContext) {
    super();
    this.setMaxListeners(0);
    this.ctx = ctx;
    this.topicsDir = join(ctx.dir, 'topics');
  }

  static async open(ctx: TopicStoreContext): Promise<TopicStore> {
    const store = new TopicStore(ctx);
    if (!ctx.readOnly) await mkdir(store.topicsDir, { recursive: true });
    await store.loadNewTopics();
    return store;
  }

  get(name: string): Topic | undefined {
    return this.topics.get(name);
  }

  list(): string[] {
    return [...this.topics.keys()].sort();
  }

  /**
   * The topic, created with `partitions` (default: the log's) and `configs` when missing. In
   * read-only mode a missing topic is not created and undefined is returned.
   */
  async ensure(
    name: string,
    partitions?: number,
    configs?: Readonly<Record<string, string>>,
  ): Promise<Topic | undefined> {
    const existing = this.topics.get(name);
    if (existing) return existing;
    validateTopicName(name);
    if (this.ctx.readOnly) return undefined;
    let pending = this.creating.get(name);
    if (!pending) {
      const count = partitions === undefined || partitions === -1 ? this.ctx.defaultPartitions : partitions;
      if (!Number.isInteger(count) || count < 1) {
        throw new ConnectError(`topic '${name}' needs at least one partition, got ${partitions}`, {
          code: 'INVALID_PARTITIONS',
        });
      }
      pending = this.create(name, count, configs ?? {}).finally(() => this.creating.delete(name));
      this.creating.set(name, pending);
    }
    return pending;
  }

  private async create(name: string, partitions: number, configs: Readonly<Record<string, string>>): Promise<Topic> {
    const dir = join(this.topicsDir, name);
    await mkdir(dir, { recursive: true });
    const meta: TopicMetaV1 = { version: 1, topic: name, partitions, configs: { ...configs } };
    const logs: PartitionLog[] = [];
    for (let p = 0; p < partitions; p++) logs.push(await PartitionLog.open(join(dir, String(p)), name, p, this.ctx));
    await writeFileAtomic(join(dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
    this.ctx.logger.info({ topic: name, partitions, configs }, 'embedded log: created topic');
    return this.add(new Topic(name, logs, meta.configs));
  }

  private add(topic: Topic): Topic {
    for (const log of topic.partitions) {
      log.onAppend = (l) => this.emit('append', l);
      log.onRoll = (l) => void this.retain(topic, l, Date.now());
    }
    this.topics.set(topic.name, topic);
    this.emit('topic', topic);
    return topic;
  }

  /** Opens the topics found on disk that are not open yet. */
  private async loadNewTopics(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.topicsDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const name of names.sort()) {
      if (this.topics.has(name) || this.creating.has(name)) continue;
      const meta = await readJsonIfExists(join(this.topicsDir, name, 'meta.json'));
      if (meta === undefined) {
        if (!this.ctx.readOnly) {
          this.ctx.logger.warn({ topic: name }, 'embedded log: ignoring a topic directory without meta.json');
        }
        continue;
      }
      const m = parseMeta(meta, name);
      const logs: PartitionLog[] = [];
      for (let p = 0; p < m.partitions; p++) {
        logs.push(await PartitionLog.open(join(this.topicsDir, name, String(p)), name, p, this.ctx));
      }
      this.add(new Topic(name, logs, m.configs));
    }
  }

  /** Read-only mode: picks up topics and records the writing process added. */
  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      await this.loadNewTopics();
      for (const topic of this.topics.values()) {
        for (const log of topic.partitions) if (await log.refresh()) this.emit('append', log);
      }
    })().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  async flushAll(): Promise<void> {
    for (const topic of this.topics.values()) for (const log of topic.partitions) await log.flush();
  }

  /** Applies retention to every partition (periodically; also after each roll, per partition). */
  async enforceRetention(now: number): Promise<void> {
    for (const topic of this.topics.values()) for (const log of topic.partitions) await this.retain(topic, log, now);
  }

  private async retain(topic: Topic, log: PartitionLog, now: number): Promise<void> {
    const bytes = topic.config('retention.bytes') ?? this.ctx.retentionBytes;
    const ms = topic.config('retention.ms') ?? this.ctx.retentionMs;
    if (topic.retainsForever || (bytes < 0 && ms < 0)) return;
    try {
      await log.enforceRetention(now, bytes, ms);
    } catch (err) {
      this.ctx.logger.error({ topic: topic.name, partition: log.partition, err }, 'embedded log: retention failed');
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.creating.values());
    await this.refreshing;
    for (const topic of this.topics.values()) for (const log of topic.partitions) await log.close();
  }
}

function parseMeta(raw: unknown, dirName: string): TopicMetaV1 {
  const m = raw as Partial<TopicMetaV1> | null;
  if (!m || m.version !== 1 || m.topic !== dirName || !Number.isInteger(m.partitions) || m.partitions! < 1) {
    throw new ConnectError(`unreadable meta.json for topic '${dirName}' (expected version 1)`, {
      code: 'LOG_CORRUPT',
    });
  }
  return { version: 1, topic: m.topic, partitions: m.partitions!, configs: m.configs ?? {} };
}
