import { Kafka, logLevel } from 'kafkajs';
import type { Logger } from '../logging.js';

/** What a member tells the group when it joins. */
export interface JoinMetadata {
  url: string;
  configOffset: number;
  owned: string[];
}

export interface GroupMemberOptions {
  brokers: string[];
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  logger: Logger;
  /** Current metadata, asked for at every join. */
  metadata: () => JoinMetadata;
  /** Leader only: the assignment of every member, as opaque buffers. */
  assign: (members: Array<{ memberId: string; metadata: JoinMetadata }>, leaderId: string) => Promise<Map<string, Buffer>>;
  /** Called with this member's assignment after every completed rebalance. */
  onAssignment: (assignment: Buffer, info: { generation: number; memberId: string; leaderId: string; isLeader: boolean }) => Promise<void>;
}

/** Kafka's protocol error codes this member reacts to. */
const REBALANCE = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION']);
const UNKNOWN_MEMBER = 'UNKNOWN_MEMBER_ID';

type Broker = {
  joinGroup(req: unknown): Promise<{ generationId: number; leaderId: string; memberId: string; members: Array<{ memberId: string; memberMetadata: Buffer }> }>;
  syncGroup(req: unknown): Promise<{ memberAssignment: Buffer }>;
  heartbeat(req: unknown): Promise<unknown>;
  leaveGroup(req: unknown): Promise<unknown>;
};
type Cluster = { connect(): Promise<void>; disconnect(): Promise<void>; findGroupCoordinator(req: { groupId: string }): Promise<Broker> };

/**
 * A worker's membership in the Kafka group `group.id`, with protocol type `connect` as Kafka Connect
 * uses: Kafka's group coordinator decides who is alive and who leads (JoinGroup/SyncGroup/Heartbeat);
 * this class only runs the protocol. kafkajs's consumer cannot carry a Connect assignment, so the
 * group calls are made on kafkajs's cluster directly.
 */
export class GroupMember {
  private cluster: Cluster | null = null;
  private memberId = '';
  private generation = -1;
  private stopped = false;
  private rejoinRequested = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  /** True between a rebalance starting and this member receiving its new assignment. */
  rebalancing = true;

  constructor(private readonly o: GroupMemberOptions) {}

  async start(): Promise<void> {
    const kafka = new Kafka({ clientId: `tributary-group-${this.o.groupId}`, brokers: this.o.brokers, logLevel: logLevel.NOTHING, retry: { retries: 5 } });
    // kafkajs keeps its cluster factory private; the group calls below are its public Broker methods.
    const sym = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
    if (!sym) throw new Error('this kafkajs version does not expose its cluster; pin kafkajs 2.2.x');
    this.cluster = (kafka as unknown as Record<symbol, (o: object) => Cluster>)[sym]!({ allowAutoTopicCreation: false });
    await this.cluster.connect();
    this.loop = this.run();
  }

  /** Asks for a new rebalance (config changed, delayed work due, revoked work released). */
  requestRejoin(): void {
    this.rejoinRequested = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    try {
      if (this.memberId) await (await this.coordinator()).leaveGroup({ groupId: this.o.groupId, memberId: this.memberId });
    } catch (err) {
      this.o.logger.debug({ err }, 'leaving the group failed');
    }
    await this.cluster?.disconnect();
  }

  private coordinator(): Promise<Broker> {
    return this.cluster!.findGroupCoordinator({ groupId: this.o.groupId });
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      try {
        await this.joinAndSync();
        attempt = 0;
        await this.heartbeatUntilRebalance();
      } catch (err) {
        const type = (err as { type?: string }).type;
        if (type === UNKNOWN_MEMBER) this.memberId = '';
        if (!REBALANCE.has(type ?? '') && type !== UNKNOWN_MEMBER) {
          this.o.logger.warn({ err }, `group ${this.o.groupId}: ${(err as Error).message}; retrying`);
          await this.sleep(Math.min(10_000, 500 * 2 ** attempt++));
        }
      }
    }
  }

  private async joinAndSync(): Promise<void> {
    this.rebalancing = true;
    this.rejoinRequested = false;
    const coordinator = await this.coordinator();
    const joined = await coordinator.joinGroup({
      groupId: this.o.groupId, sessionTimeout: this.o.sessionTimeoutMs, rebalanceTimeout: this.o.rebalanceTimeoutMs,
      memberId: this.memberId, protocolType: 'connect',
      groupProtocols: [{ name: 'tributary-v1', metadata: Buffer.from(JSON.stringify(this.o.metadata())) }],
    });
    this.memberId = joined.memberId;
    this.generation = joined.generationId;
    const isLeader = joined.leaderId === joined.memberId;
    let groupAssignment: Array<{ memberId: string; memberAssignment: Buffer }> = [];
    if (isLeader) {
      const members = joined.members.map((m) => ({ memberId: m.memberId, metadata: JSON.parse(m.memberMetadata.toString('utf8')) as JoinMetadata }));
      const plan = await this.o.assign(members, joined.leaderId);
      groupAssignment = [...plan].map(([memberId, memberAssignment]) => ({ memberId, memberAssignment }));
    }
    const synced = await coordinator.syncGroup({ groupId: this.o.groupId, generationId: this.generation, memberId: this.memberId, groupAssignment });
    this.rebalancing = false;
    await this.o.onAssignment(synced.memberAssignment, { generation: this.generation, memberId: this.memberId, leaderId: joined.leaderId, isLeader });
  }

  private async heartbeatUntilRebalance(): Promise<void> {
    while (!this.stopped && !this.rejoinRequested) {
      await this.sleep(this.o.heartbeatIntervalMs);
      if (this.stopped || this.rejoinRequested) return;
      await (await this.coordinator()).heartbeat({ groupId: this.o.groupId, groupGenerationId: this.generation, memberId: this.memberId });
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.wake = null; resolve(); }, ms);
      this.wake = () => { clearTimeout(t); this.wake = null; resolve(); };
    });
  }
}
