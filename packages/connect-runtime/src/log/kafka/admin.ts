/** The log Admin over @platformatic/kafka's admin client (one per log; it connects on first use). */
import { Admin as ClientAdmin, ListOffsetTimestamps } from '@platformatic/kafka';
import type { Admin, TopicPartitionRef, TopicSpec } from '../log.js';
import { protocolErrorOf, toLogError } from './errors.js';
import type { ConnectionSettings } from './settings.js';

type Offsets = Array<TopicPartitionRef & { offset: number }>;

export class KafkaAdmin implements Admin {
  readonly client: ClientAdmin;

  constructor(private readonly connection: ConnectionSettings) {
    const c = connection;
    this.client = new ClientAdmin({
      clientId: c.clientId,
      bootstrapBrokers: c.brokers,
      tls: c.tls,
      sasl: c.sasl,
      connectTimeout: c.connectTimeout,
      requestTimeout: c.requestTimeout,
      timeout: c.requestTimeout,
      metadataMaxAge: c.metadataMaxAge,
      retries: 3,
      retryDelay: 300,
    });
  }

  async createTopics(specs: readonly TopicSpec[]): Promise<void> {
    if (specs.length === 0) return;
    await this.call('creating topics', async (a) => {
      const existing = new Set(await a.listTopics());
      for (const s of specs) {
        if (existing.has(s.topic)) continue;
        try {
          await a.createTopics({
            topics: [s.topic],
            // -1 lets the broker apply num.partitions / default.replication.factor.
            partitions: s.partitions && s.partitions > 0 ? s.partitions : -1,
            replicas: s.replicationFactor && s.replicationFactor > 0 ? s.replicationFactor : -1,
            configs: Object.entries(s.configs ?? {}).map(([name, value]) => ({ name, value })),
          });
        } catch (err) {
          // Another worker (or the broker's auto-creation) got there first: that is what we wanted.
          if (protocolErrorOf(err) !== 'TOPIC_ALREADY_EXISTS') throw err;
        }
      }
    });
  }

  listTopics(): Promise<string[]> {
    return this.call('listing topics', (a) => a.listTopics());
  }

  partitionCount(topic: string): Promise<number | null> {
    return this.call(`describing topic ${topic}`, async (a) => {
      if (!(await a.listTopics()).includes(topic)) return null;
      const metadata = await a.metadata({ topics: [topic], forceUpdate: true });
      return metadata.topics.get(topic)?.partitionsCount ?? null;
    });
  }

  groupOffsets(groupId: string): Promise<Offsets> {
    return this.call(`reading offsets of group ${groupId}`, async (a) => {
      const groups = await a.listConsumerGroupOffsets({ groups: [groupId] });
      const out: Offsets = [];
      for (const g of groups) {
        for (const t of g.topics) {
          for (const p of t.partitions)
            if (p.committedOffset >= 0n)
              out.push({ topic: t.name, partition: p.partitionIndex, offset: Number(p.committedOffset) });
        }
      }
      return out;
    });
  }

  setGroupOffsets(groupId: string, offsets: ReadonlyArray<TopicPartitionRef & { offset: number }>): Promise<void> {
    return this.call(`setting offsets of group ${groupId}`, async (a) => {
      const byTopic = new Map<string, Array<{ partition: number; offset: bigint }>>();
      for (const o of offsets) {
        const list = byTopic.get(o.topic) ?? byTopic.set(o.topic, []).get(o.topic)!;
        list.push({ partition: o.partition, offset: BigInt(o.offset) });
      }
      await a.alterConsumerGroupOffsets({
        groupId,
        topics: [...byTopic].map(([name, partitionOffsets]) => ({ name, partitionOffsets })),
      });
    });
  }

  deleteGroup(groupId: string): Promise<void> {
    return this.call(`deleting group ${groupId}`, async (a) => {
      try {
        await a.deleteGroups({ groups: [groupId] });
      } catch (err) {
        if (protocolErrorOf(err) !== 'GROUP_ID_NOT_FOUND') throw err;
      }
    });
  }

  partitionOffsets(
    topic: string,
    isolation: 'read_committed' | 'read_uncommitted' = 'read_uncommitted',
  ): Promise<Array<{ partition: number; low: number; high: number }>> {
    return this.call(`reading offsets of topic ${topic}`, async (a) => {
      const metadata = await a.metadata({ topics: [topic] });
      const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
      const partitions = Array.from({ length: count }, (_, partition) => partition);
      const at = async (timestamp: bigint) => {
        const res = await a.listOffsets({
          topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })) }],
          isolationLevel: isolation === 'read_committed' ? 1 : 0,
        });
        const m = new Map<number, number>();
        for (const t of res) for (const p of t.partitions) m.set(p.partitionIndex, Number(p.offset));
        return m;
      };
      const [low, high] = await Promise.all([at(ListOffsetTimestamps.EARLIEST), at(ListOffsetTimestamps.LATEST)]);
      return partitions.map((partition) => ({
        partition,
        low: low.get(partition) ?? 0,
        high: high.get(partition) ?? 0,
      }));
    });
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => {});
  }

  private async call<T>(what: string, f: (a: ClientAdmin) => Promise<T>): Promise<T> {
    try {
      return await f(this.client);
    } catch (err) {
      throw toLogError(err, what, this.connection.brokers, this.connection.describe);
    }
  }
}
