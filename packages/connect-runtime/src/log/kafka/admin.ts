/** The log Admin over kafkajs's admin client (one shared connection per log, opened lazily). */
import type { Admin as KafkaJsAdmin, Kafka } from 'kafkajs';
import type { Admin, TopicPartitionRef, TopicSpec } from '../log.js';
import { toLogError } from './errors.js';

type Offsets = Array<TopicPartitionRef & { offset: number }>;

const isType = (err: unknown, type: string): boolean => (err as { type?: string })?.type === type;

export class KafkaAdmin implements Admin {
  private readonly admin: KafkaJsAdmin;
  private connected: Promise<void> | null = null;

  constructor(kafka: Kafka, private readonly brokers: readonly string[]) {
    this.admin = kafka.admin({ retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 3_000 } });
  }

  async createTopics(specs: readonly TopicSpec[]): Promise<void> {
    if (specs.length === 0) return;
    await this.call('creating topics', async (a) => {
      const existing = new Set(await a.listTopics());
      const missing = specs.filter((s) => !existing.has(s.topic));
      if (missing.length === 0) return;
      try {
        await a.createTopics({
          waitForLeaders: true,
          topics: missing.map((s) => ({
            topic: s.topic,
            // -1 (or unset) lets the broker apply num.partitions / default.replication.factor.
            numPartitions: s.partitions && s.partitions > 0 ? s.partitions : -1,
            replicationFactor: s.replicationFactor && s.replicationFactor > 0 ? s.replicationFactor : -1,
            configEntries: Object.entries(s.configs ?? {}).map(([name, value]) => ({ name, value })),
          })),
        });
      } catch (err) {
        // Another worker (or the broker's auto-creation) got there first: that is what we wanted.
        const errors = (err as { errors?: unknown[] }).errors;
        const all = Array.isArray(errors) && errors.length > 0 ? errors : [err];
        if (!all.every((e) => isType(e, 'TOPIC_ALREADY_EXISTS'))) throw err;
      }
    });
  }

  listTopics(): Promise<string[]> {
    return this.call('listing topics', (a) => a.listTopics());
  }

  partitionCount(topic: string): Promise<number | null> {
    return this.call(`describing topic ${topic}`, async (a) => {
      if (!(await a.listTopics()).includes(topic)) return null;
      const { topics } = await a.fetchTopicMetadata({ topics: [topic] });
      return topics[0]?.partitions.length ?? null;
    });
  }

  groupOffsets(groupId: string): Promise<Offsets> {
    return this.call(`reading offsets of group ${groupId}`, async (a) => {
      const topics = await a.fetchOffsets({ groupId });
      const out: Offsets = [];
      for (const t of topics) {
        for (const p of t.partitions) if (Number(p.offset) >= 0) out.push({ topic: t.topic, partition: p.partition, offset: Number(p.offset) });
      }
      return out;
    });
  }

  setGroupOffsets(groupId: string, offsets: ReadonlyArray<TopicPartitionRef & { offset: number }>): Promise<void> {
    return this.call(`setting offsets of group ${groupId}`, async (a) => {
      const byTopic = new Map<string, Array<{ partition: number; offset: string }>>();
      for (const o of offsets) {
        const list = byTopic.get(o.topic) ?? byTopic.set(o.topic, []).get(o.topic)!;
        list.push({ partition: o.partition, offset: String(o.offset) });
      }
      for (const [topic, partitions] of byTopic) await a.setOffsets({ groupId, topic, partitions });
    });
  }

  deleteGroup(groupId: string): Promise<void> {
    return this.call(`deleting group ${groupId}`, async (a) => {
      try {
        await a.deleteGroups([groupId]);
      } catch (err) {
        const groups = (err as { groups?: Array<{ error?: unknown }> }).groups ?? [];
        if (!groups.every((g) => isType(g.error, 'GROUP_ID_NOT_FOUND'))) throw err;
      }
    });
  }

  partitionOffsets(topic: string): Promise<Array<{ partition: number; low: number; high: number }>> {
    return this.call(`reading offsets of topic ${topic}`, async (a) => {
      const offsets = await a.fetchTopicOffsets(topic);
      return offsets.map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) }));
    });
  }

  /** Connects once; a failed connect is retried on the next call. */
  async connect(): Promise<void> {
    this.connected ??= this.admin.connect().catch((err: unknown) => {
      this.connected = null;
      throw err;
    });
    await this.connected;
  }

  async close(): Promise<void> {
    if (this.connected) await this.admin.disconnect().catch(() => {});
    this.connected = null;
  }

  private async call<T>(what: string, f: (a: KafkaJsAdmin) => Promise<T>): Promise<T> {
    try {
      await this.connect();
      return await f(this.admin);
    } catch (err) {
      throw toLogError(err, what, this.brokers);
    }
  }
}
