import type { Base } from '@platformatic/kafka';
import { GroupMember as KafkaGroupMember } from '../log/kafka/index.js';
import type { Logger } from '../logging.js';

/** What a worker tells the group when it joins. */
export interface JoinMetadata {
  url: string;
  configOffset: number;
  owned: string[];
}

export interface WorkerGroupOptions {
  client: Base;
  brokers: readonly string[];
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  logger: Logger;
  /** Current metadata, asked for at every join. */
  metadata: () => JoinMetadata;
  /** Leader only: the assignment of every member, as opaque buffers. */
  assign: (
    members: Array<{ memberId: string; metadata: JoinMetadata }>,
    leaderId: string,
  ) => Promise<Map<string, Buffer>>;
  /** Called with this member's assignment after every completed rebalance. */
  onAssignment: (
    assignment: Buffer,
    info: { generation: number; memberId: string; leaderId: string; isLeader: boolean },
  ) => Promise<void>;
}

/**
 * A worker's membership in the Kafka group `group.id`, with protocol type `connect` as Kafka Connect
 * uses: Kafka's group coordinator decides who is alive and who leads; the members' metadata and
 * assignments are this runtime's JSON (protocol `tributary-v1`).
 */
export class GroupMember {
  private readonly member: KafkaGroupMember;

  constructor(o: WorkerGroupOptions) {
    this.member = new KafkaGroupMember({
      client: o.client,
      brokers: o.brokers,
      groupId: o.groupId,
      protocolType: 'connect',
      logger: o.logger,
      sessionTimeoutMs: o.sessionTimeoutMs,
      rebalanceTimeoutMs: o.rebalanceTimeoutMs,
      heartbeatIntervalMs: o.heartbeatIntervalMs,
      protocols: () => [{ name: 'tributary-v1', metadata: Buffer.from(JSON.stringify(o.metadata())) }],
      assign: (_protocol, members, leaderId) =>
        o.assign(
          members.map((m) => ({
            memberId: m.memberId,
            metadata: JSON.parse(m.metadata.toString('utf8')) as JoinMetadata,
          })),
          leaderId,
        ),
      onAssigned: (assignment, g) =>
        o.onAssignment(assignment, {
          generation: g.generation,
          memberId: g.memberId,
          leaderId: g.leaderId,
          isLeader: g.isLeader,
        }),
    });
  }

  get rebalancing(): boolean {
    return this.member.rebalancing;
  }

  async start(): Promise<void> {
    this.member.start();
  }

  requestRejoin(): void {
    this.member.requestRejoin();
  }

  stop(): Promise<void> {
    return this.member.stop();
  }
}
