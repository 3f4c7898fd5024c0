import type {
  SinkConnector,
  SourceConnector,
  SourceOffset,
  SourcePartition,
  TopicPartition,
} from '@tributary/connect-api';
import type { Admin } from '../log/log.js';
import type { OffsetStore } from '../storage/offset-store.js';
import { isRedeliveryPartition } from '../worker/source-redelivery.js';
import { BadRequestError } from '../errors.js';
import type { ConnectorOffset } from './herder.js';

const ALTERED = 'The offsets for this connector have been altered successfully';
const RESET = 'The offsets for this connector have been reset successfully';
const FRAMEWORK_ONLY = (verb: string) =>
  `The Connect framework-managed offsets for this connector have been ${verb} successfully. However, if this connector manages offsets externally, they will need to be manually ${verb} in the system that the connector uses.`;

/**
 * KIP-875 offsets of a connector: source offsets from its store, sink offsets from its consumer group.
 * A source connector's store is the one its tasks use: with its own `offsets.storage.topic`, that topic
 * over the worker's store (read from both, written to both, as Connect's ConnectorOffsetBackingStore).
 */
export class ConnectorOffsets {
  constructor(
    store: OffsetStore,
    private readonly admin: Admin,
    private readonly storeFor: (config: Record<string, string>) => Promise<OffsetStore> = async () => store,
  ) {}

  async list(
    name: string,
    type: 'source' | 'sink',
    config: Record<string, string>,
  ): Promise<{ offsets: ConnectorOffset[] }> {
    if (type === 'source')
      return {
        offsets: (await (await this.storeFor(config)).list(name))
          .filter((o) => !isRedeliveryPartition(o.partition))
          .map(({ partition, offset }) => ({ partition, offset })),
      };
    const group = await this.admin.groupOffsets(groupOf(name));
    return {
      offsets: group.map((o) => ({
        partition: { kafka_topic: o.topic, kafka_partition: o.partition },
        offset: { kafka_offset: o.offset },
      })),
    };
  }

  async alter(
    name: string,
    config: Record<string, string>,
    connector: SourceConnector | SinkConnector,
    offsets: ConnectorOffset[],
  ): Promise<{ message: string }> {
    if (!Array.isArray(offsets) || offsets.length === 0)
      throw new BadRequestError('The offsets to be modified must not be empty');
    let handled: boolean;
    if (connector.kind === 'source') {
      const entries = offsets.map(
        (o) =>
          [
            checkFlat(o.partition, 'partition') as SourcePartition,
            o.offset === null ? null : (checkFlat(o.offset, 'offset') as SourceOffset),
          ] as [SourcePartition, SourceOffset | null],
      );
      handled = (await connector.alterOffsets?.(config, new Map(entries))) ?? false;
      await (await this.storeFor(config)).set(name, entries);
    } else {
      const parsed = offsets.map((o) => sinkOffset(o));
      handled = (await connector.alterOffsets?.(config, new Map(parsed.map((p) => [p.tp, p.offset])))) ?? false;
      const current = await this.admin.groupOffsets(groupOf(name));
      const key = (tp: TopicPartition) => `${tp.topic}:${tp.partition}`;
      const next = new Map(current.map((o) => [key(o), o]));
      for (const p of parsed) {
        if (p.offset === null) next.delete(key(p.tp));
        else next.set(key(p.tp), { ...p.tp, offset: p.offset });
      }
      await this.admin.deleteGroup(groupOf(name));
      if (next.size > 0) await this.admin.setGroupOffsets(groupOf(name), [...next.values()]);
    }
    return { message: handled ? ALTERED : FRAMEWORK_ONLY('altered') };
  }

  async reset(
    name: string,
    config: Record<string, string>,
    connector: SourceConnector | SinkConnector,
  ): Promise<{ message: string }> {
    let handled: boolean;
    if (connector.kind === 'source') {
      const store = await this.storeFor(config);
      const all = await store.list(name);
      // The runtime's count of records sent again (SourceRedelivery) is reset with them, unseen by the connector.
      const own = all.filter((o) => !isRedeliveryPartition(o.partition));
      handled = (await connector.alterOffsets?.(config, new Map(own.map((o) => [o.partition, null])))) ?? false;
      await store.set(
        name,
        all.map((o) => [o.partition, null]),
      );
    } else {
      const all = await this.admin.groupOffsets(groupOf(name));
      handled =
        (await connector.alterOffsets?.(
          config,
          new Map(all.map((o) => [{ topic: o.topic, partition: o.partition }, null])),
        )) ?? false;
      await this.admin.deleteGroup(groupOf(name));
    }
    return { message: handled ? RESET : FRAMEWORK_ONLY('reset') };
  }
}

export function groupOf(connector: string): string {
  return `connect-${connector}`;
}

function checkFlat(obj: unknown, what: string): Record<string, unknown> {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
    throw new BadRequestError(`The ${what} for a source connector must be a JSON object`);
  for (const [k, v] of Object.entries(obj)) {
    if (v !== null && typeof v === 'object')
      throw new BadRequestError(`The ${what} value for key ${k} must be a primitive (string, number, boolean or null)`);
  }
  return obj as Record<string, unknown>;
}

function sinkOffset(o: ConnectorOffset): { tp: TopicPartition; offset: number | null } {
  const p = o.partition as { kafka_topic?: unknown; kafka_partition?: unknown };
  if (typeof p?.kafka_topic !== 'string' || typeof p.kafka_partition !== 'number') {
    throw new BadRequestError(
      'Sink connector offsets need a partition of the form {"kafka_topic": string, "kafka_partition": number}',
    );
  }
  if (o.offset === null) return { tp: { topic: p.kafka_topic, partition: p.kafka_partition }, offset: null };
  const off = (o.offset as { kafka_offset?: unknown }).kafka_offset;
  if (typeof off !== 'number' || off < 0)
    throw new BadRequestError(
      'Sink connector offsets need an offset of the form {"kafka_offset": non-negative number}',
    );
  return { tp: { topic: p.kafka_topic, partition: p.kafka_partition }, offset: off };
}
