/**
 * Membership in a Kafka group through the group coordinator's classic protocol — FindCoordinator,
 * JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit/OffsetFetch — sent with
 * @platformatic/kafka's public request APIs over its public connections. One class serves both
 * kinds of group the runtime joins: Kafka Connect's worker group (protocol type `connect`) and a
 * sink task's consumer group (protocol type `consumer`). Kafka decides who is alive and who leads;
 * the leader's `assign` callback decides who gets what.
 *
 * Eager rebalancing, as Kafka Connect's and the Java consumer's defaults: before every rejoin this
 * member awaits `onRevoke` — while the old generation may still commit — and only then sends
 * JoinGroup. Heartbeats go on while `onAssigned` runs.
 *
 * Needs Kafka 3.2 or later (JoinGroup v9, SyncGroup v5, Heartbeat v4, LeaveGroup v5, OffsetCommit
 * v8, OffsetFetch v8, FindCoordinator v6).
 */
import {
  FindCoordinatorKeyTypes,
  findCoordinatorV6,
  heartbeatV4,
  joinGroupV9,
  leaveGroupV5,
  offsetCommitV8,
  offsetFetchV8,
  syncGroupV5,
  type Base,
  type Connection,
} from '@platformatic/kafka';
import type { Logger } from '../../logging.js';
import type { TopicPartitionRef } from '../log.js';
import { protocolErrorOf, reasonOf, toLogError } from './errors.js';

export interface GroupProtocol {
  readonly name: string;
  readonly metadata: Buffer;
}

export interface JoinedMember {
  readonly memberId: string;
  readonly metadata: Buffer;
}

export interface Generation {
  readonly generation: number;
  readonly memberId: string;
  readonly leaderId: string;
  readonly isLeader: boolean;
  readonly protocol: string;
}

export interface GroupMemberOptions {
  /** The client whose connections carry the group requests (any @platformatic/kafka client). */
  readonly client: Base;
  readonly brokers: readonly string[];
  readonly groupId: string;
  readonly protocolType: 'connect' | 'consumer';
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly logger: Logger;
  /** The protocols this member supports, asked for at every join. */
  readonly protocols: () => GroupProtocol[];
  /** Leader only: every member's assignment. */
  readonly assign: (protocol: string, members: JoinedMember[], leaderId: string) => Promise<Map<string, Buffer>>;
  /** Awaited before every rejoin after the first (eager protocol): give up what was assigned. */
  readonly onRevoke?: () => Promise<void>;
  readonly onAssigned: (assignment: Buffer, generation: Generation) => Promise<void>;
  /** Told of each failed attempt to reach the group, and of the first success after one. */
  readonly onTrouble?: (error: Error | null) => void;
}

const REJOIN = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID']);
const COORDINATOR_MOVED = new Set(['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS']);

export class GroupMember {
  private memberId = '';
  private current: Generation | null = null;
  private coordinator: Promise<Connection> | null = null;
  private stopped = false;
  private rejoinRequested = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private assigned: Promise<void> = Promise.resolve();
  private everJoined = false;
  /** True between a rebalance starting and this member receiving its new assignment. */
  rebalancing = true;

  constructor(private readonly o: GroupMemberOptions) {}

  get generation(): Generation | null {
    return this.current;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Asks for a new rebalance (subscription or configs changed, delayed work due). */
  requestRejoin(): void {
    this.rejoinRequested = true;
    this.wake?.();
  }

  /** Leaves the group (after `onRevoke`), so the others rebalance at once instead of after a session timeout. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.wake?.();
    await this.loop;
    await this.assigned.catch(() => {});
    if (this.everJoined)
      await this.o.onRevoke?.().catch((err: unknown) => this.o.logger.warn({ err }, 'revoking at leave failed'));
    if (this.memberId) {
      try {
        await leaveGroupV5.api.async(await this.connection(), this.o.groupId, [
          { memberId: this.memberId, reason: 'the member is stopping' },
        ]);
      } catch (err) {
        this.o.logger.debug({ err: reasonOf(err) }, `leaving group ${this.o.groupId} failed`);
      }
    }
    this.current = null;
  }

  /** Commits offsets (the next offset to read) as this member's current generation. */
  async commit(offsets: ReadonlyArray<TopicPartitionRef & { offset: number }>): Promise<void> {
    const g = this.current;
    if (!g)
      throw Object.assign(new Error(`group ${this.o.groupId} is rebalancing`), { apiId: 'REBALANCE_IN_PROGRESS' });
    const byTopic = new Map<
      string,
      Array<{ partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number }>
    >();
    for (const o of offsets) {
      const list = byTopic.get(o.topic) ?? byTopic.set(o.topic, []).get(o.topic)!;
      list.push({ partitionIndex: o.partition, committedOffset: BigInt(o.offset), committedLeaderEpoch: -1 });
    }
    const res = await this.request((c) =>
      offsetCommitV8.api.async(
        c,
        this.o.groupId,
        g.generation,
        g.memberId,
        null,
        [...byTopic].map(([name, partitions]) => ({ name, partitions })),
      ),
    );
    for (const t of res.topics)
      for (const p of t.partitions)
        if (p.errorCode !== 0)
          throw Object.assign(
            new Error(`committing ${t.name}-${p.partitionIndex} failed with Kafka error ${p.errorCode}`),
            { kafkaErrorCode: p.errorCode },
          );
  }

  /** The group's committed offsets for these partitions (absent: none committed). */
  async committed(tps: readonly TopicPartitionRef[]): Promise<Map<string, number>> {
    const byTopic = new Map<string, number[]>();
    for (const tp of tps) (byTopic.get(tp.topic) ?? byTopic.set(tp.topic, []).get(tp.topic)!).push(tp.partition);
    const res = await this.request((c) =>
      offsetFetchV8.api.async(
        c,
        [
          {
            groupId: this.o.groupId,
            memberEpoch: -1,
            topics: [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
          },
        ],
        true,
      ),
    );
    const out = new Map<string, number>();
    for (const g of res.groups)
      for (const t of g.topics)
        for (const p of t.partitions)
          if (p.committedOffset >= 0n) out.set(`${t.name}\u0000${p.partitionIndex}`, Number(p.committedOffset));
    return out;
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      try {
        await this.joinAndSync();
        if (attempt > 0) this.o.onTrouble?.(null);
        attempt = 0;
        await this.heartbeatUntilRebalance();
      } catch (err) {
        const code = protocolErrorOf(err);
        if (code === 'UNKNOWN_MEMBER_ID' || code === 'FENCED_INSTANCE_ID') this.memberId = '';
        if (code && COORDINATOR_MOVED.has(code)) this.coordinator = null;
        if (code && REJOIN.has(code)) continue;
        if (this.stopped) break;
        this.coordinator = null;
        const e = toLogError(err, `taking part in group ${this.o.groupId}`, this.o.brokers);
        this.o.onTrouble?.(e);
        const waitMs = Math.min(10_000, 250 * 2 ** attempt++);
        this.o.logger.warn({ reason: reasonOf(err) }, `${e.message}; retrying in ${waitMs} ms`);
        await this.sleep(waitMs);
      }
    }
  }

  private async joinAndSync(): Promise<void> {
    this.rebalancing = true;
    this.rejoinRequested = false;
    if (this.everJoined) {
      await this.assigned.catch(() => {});
      await this.o.onRevoke?.();
    }
    const protocols = this.o.protocols();
    let joined;
    try {
      joined = await this.request((c) =>
        joinGroupV9.api.async(
          c,
          this.o.groupId,
          this.o.sessionTimeoutMs,
          this.o.rebalanceTimeoutMs,
          this.memberId,
          null,
          this.o.protocolType,
          protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
          null,
        ),
      );
    } catch (err) {
      // Kafka hands out the member id in a first, refused join (KIP-394): join again with it.
      const memberId = (err as { response?: { memberId?: string } }).response?.memberId;
      if (protocolErrorOf(err) !== 'MEMBER_ID_REQUIRED' || !memberId) throw err;
      this.memberId = memberId;
      return this.joinAndSync();
    }
    this.memberId = joined.memberId;
    const protocol = joined.protocolName ?? protocols[0]!.name;
    const isLeader = joined.leader === joined.memberId;
    let assignments: Array<{ memberId: string; assignment: Buffer }> = [];
    if (isLeader) {
      const plan = await this.o.assign(
        protocol,
        joined.members.map((m) => ({ memberId: m.memberId, metadata: m.metadata })),
        joined.leader,
      );
      assignments = [...plan].map(([memberId, assignment]) => ({ memberId, assignment }));
    }
    const synced = await this.request((c) =>
      syncGroupV5.api.async(
        c,
        this.o.groupId,
        joined.generationId,
        this.memberId,
        null,
        this.o.protocolType,
        protocol,
        assignments,
      ),
    );
    const generation: Generation = {
      generation: joined.generationId,
      memberId: this.memberId,
      leaderId: joined.leader,
      isLeader,
      protocol,
    };
    this.current = generation;
    this.rebalancing = false;
    this.everJoined = true;
    this.assigned = this.o.onAssigned(synced.assignment, generation);
    this.assigned.catch((err: unknown) =>
      this.o.logger.error({ err }, `group ${this.o.groupId}: handling the assignment failed`),
    );
  }

  private async heartbeatUntilRebalance(): Promise<void> {
    while (!this.stopped && !this.rejoinRequested) {
      await this.sleep(this.o.heartbeatIntervalMs);
      if (this.stopped || this.rejoinRequested) return;
      const g = this.current!;
      await this.request((c) => heartbeatV4.api.async(c, this.o.groupId, g.generation, g.memberId, null));
    }
  }

  /** Sends one request to the coordinator, finding it again once if it moved. */
  private async request<T>(f: (c: Connection) => Promise<T>): Promise<T> {
    try {
      return await f(await this.connection());
    } catch (err) {
      const code = protocolErrorOf(err);
      if (code && !COORDINATOR_MOVED.has(code)) throw err;
      this.coordinator = null;
      return f(await this.connection());
    }
  }

  private connection(): Promise<Connection> {
    this.coordinator ??= (async () => {
      const any = await this.o.client.connectToBrokers();
      const first = any.values().next().value;
      if (!first) throw new Error('no broker to ask for the group coordinator');
      const res = await findCoordinatorV6.api.async(first, FindCoordinatorKeyTypes.GROUP, [this.o.groupId]);
      const nodeId = res.coordinators[0]!.nodeId;
      const conns = await this.o.client.connectToBrokers([nodeId]);
      const c = conns.get(nodeId);
      if (!c)
        throw Object.assign(new Error(`coordinator ${nodeId} of group ${this.o.groupId} is not in the metadata yet`), {
          apiId: 'COORDINATOR_NOT_AVAILABLE',
        });
      return c;
    })();
    this.coordinator.catch(() => {
      this.coordinator = null;
    });
    return this.coordinator;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        this.wake = null;
        resolve();
      };
    });
  }
}
