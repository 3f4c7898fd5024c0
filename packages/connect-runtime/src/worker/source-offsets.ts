/**
 * Source offsets kept in a topic of their own, with a store they fall back to (KIP-618):
 *
 * - a source connector's `offsets.storage.topic`: its offsets go to that topic — in the same
 *   transaction as its records with exactly once — and the worker's store stays the fallback;
 * - a standalone worker on Kafka with `exactly.once.source.support=enabled`: the worker's
 *   `offset.storage.topic` (transactions need offsets in Kafka), the offsets file the fallback.
 *
 * Reads take the topic's offset and, for a partition it does not hold, the fallback's, as Kafka
 * Connect does so that a connector moved to its own topic resumes where it was. Writes go to the
 * topic first and then to the fallback (after the transaction committed, with exactly once), so a
 * connector moved back, or a worker without exactly once, loses nothing.
 */
import type { SourceOffset, SourcePartition } from '@tributary/connect-api';
import type { Logger } from '../logging.js';
import type { Admin, Log, ProduceRecord } from '../log/log.js';
import { OffsetTopic } from '../distributed/offset-topic.js';
import { offsetKey, type OffsetStore } from '../storage/offset-store.js';

type Entries = ReadonlyArray<[SourcePartition, SourceOffset | null]>;

/** What a store needs for offsets to travel in a task's transactions (see ExactlyOnce). */
export interface TransactionalOffsets {
  offsetRecords(connector: string, entries: Entries): ProduceRecord[];
  remember(connector: string, entries: Entries): void;
}

export function transactionalOffsets(store: OffsetStore): (OffsetStore & TransactionalOffsets) | null {
  const s = store as Partial<TransactionalOffsets>;
  return s.offsetRecords && s.remember ? (store as OffsetStore & TransactionalOffsets) : null;
}

export class FallbackOffsetStore implements OffsetStore, TransactionalOffsets {
  private topic: OffsetTopic | null = null;

  /**
   * `owner`: this store is the worker's own (standalone): it starts and stops the fallback, and
   * stops the topics it opened; else the fallback and topic are shared and outlive it.
   */
  constructor(
    private readonly opening: Promise<OffsetTopic>,
    private readonly fallback: OffsetStore,
    private readonly logger: Logger,
    private readonly owner?: OffsetTopics,
  ) {}

  /** Opens the topic (and reads what other workers wrote to it): before a task reads its offsets. */
  async start(): Promise<void> {
    if (this.owner) await this.fallback.start();
    const t = await this.opening;
    await t.refresh();
    this.topic = t;
  }

  private get primary(): OffsetTopic {
    if (!this.topic) throw new Error('the offsets topic is not open yet');
    return this.topic;
  }

  async get(connector: string, partition: SourcePartition): Promise<SourceOffset | null> {
    return (await this.primary.get(connector, partition)) ?? this.fallback.get(connector, partition);
  }

  async set(connector: string, entries: Entries): Promise<void> {
    await this.primary.set(connector, entries);
    await this.fallback.set(connector, entries);
  }

  async list(connector: string): Promise<Array<{ partition: SourcePartition; offset: SourceOffset }>> {
    const own = await this.primary.list(connector);
    const keys = new Set(own.map((o) => JSON.stringify(o.partition)));
    return [...own, ...(await this.fallback.list(connector)).filter((o) => !keys.has(JSON.stringify(o.partition)))];
  }

  offsetRecords(connector: string, entries: Entries): ProduceRecord[] {
    return this.primary.offsetRecords(connector, entries);
  }

  /**
   * A transaction carrying these offsets committed: the topic has them; the fallback gets a copy.
   * Copies are merged while one is being written (a file store rewrites its file each time, and a
   * transaction commits every few milliseconds).
   */
  remember(connector: string, entries: Entries): void {
    this.primary.remember(connector, entries);
    for (const e of entries) this.copies.set(offsetKey(connector, e[0]), [connector, e]);
    this.copying ??= this.copy();
  }

  private readonly copies = new Map<string, [string, Entries[number]]>();
  private copying: Promise<void> | null = null;

  private async copy(): Promise<void> {
    while (this.copies.size > 0) {
      const byConnector = new Map<string, Array<Entries[number]>>();
      for (const [connector, e] of this.copies.values()) {
        const list = byConnector.get(connector) ?? [];
        list.push(e);
        byConnector.set(connector, list);
      }
      this.copies.clear();
      for (const [connector, entries] of byConnector)
        await this.fallback.set(connector, entries).catch((err: unknown) => {
          this.logger.warn({ err }, `could not copy offsets of ${connector} to the worker's offset store`);
        });
    }
    this.copying = null;
  }

  async stop(): Promise<void> {
    await this.copying;
    if (!this.owner) return;
    await this.owner.stop();
    await this.fallback.stop();
  }
}

/** Offsets topics opened by a worker besides its own, one reader each, shared by the tasks that use them. */
export class OffsetTopics {
  private readonly open = new Map<string, Promise<OffsetTopic>>();

  constructor(
    private readonly log: Log,
    private readonly admin: Admin,
    private readonly props: Readonly<Record<string, string>>,
    private readonly logger: Logger,
  ) {}

  /** The topic, created (compacted, as the worker's offsets topic) and read to its end the first time. */
  get(topic: string): Promise<OffsetTopic> {
    let t = this.open.get(topic);
    if (!t) {
      t = this.openTopic(topic);
      this.open.set(topic, t);
      t.catch(() => this.open.delete(topic)); // tried again by the next task that needs it
    }
    return t;
  }

  async stop(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    for (const t of await Promise.allSettled(all)) if (t.status === 'fulfilled') await t.value.stop();
  }

  private async openTopic(topic: string): Promise<OffsetTopic> {
    await this.admin.createTopics([
      {
        topic,
        partitions: Number(this.props['offset.storage.partitions'] ?? 25),
        replicationFactor: Number(this.props['offset.storage.replication.factor'] ?? -1),
        configs: { 'cleanup.policy': 'compact' },
      },
    ]);
    const t = new OffsetTopic(this.log, topic, this.logger);
    await t.start();
    return t;
  }
}
