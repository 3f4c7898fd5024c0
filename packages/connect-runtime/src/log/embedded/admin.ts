/** Topic and group administration of the embedded log. */
import { ConnectError } from '@tributary/connect-api';
import type { Admin, TopicPartitionRef, TopicSpec } from '../log.js';
import type { GroupCoordinator } from './group-coordinator.js';
import type { GroupStore } from './group-store.js';
import type { TopicStore } from './topic-store.js';

export interface AdminContext {
  readonly store: TopicStore;
  readonly groups: GroupStore;
  readonly coordinator: GroupCoordinator;
  readonly readOnly: boolean;
}

export class EmbeddedAdmin implements Admin {
  private readonly ctx: AdminContext;

  constructor(ctx: AdminContext) {
    this.ctx = ctx;
  }

  /** Creates missing topics (replicationFactor is ignored: one copy on local disk). */
  async createTopics(specs: readonly TopicSpec[]): Promise<void> {
    this.writable();
    for (const s of specs) await this.ctx.store.ensure(s.topic, s.partitions, s.configs);
  }

  async listTopics(): Promise<string[]> {
    if (this.ctx.readOnly) await this.ctx.store.refresh();
    return this.ctx.store.list();
  }

  async partitionCount(topic: string): Promise<number | null> {
    if (this.ctx.readOnly) await this.ctx.store.refresh();
    return this.ctx.store.get(topic)?.partitions.length ?? null;
  }

  groupOffsets(groupId: string): Promise<Array<TopicPartitionRef & { offset: number }>> {
    return this.ctx.groups.offsets(groupId);
  }

  /** Sets (merges) committed offsets; fails while a consumer of this process is in the group. */
  async setGroupOffsets(
    groupId: string,
    offsets: ReadonlyArray<TopicPartitionRef & { offset: number }>,
  ): Promise<void> {
    this.writable();
    this.idle(groupId, 'set offsets of');
    await this.ctx.groups.commit(groupId, offsets);
  }

  async deleteGroup(groupId: string): Promise<void> {
    this.writable();
    this.idle(groupId, 'delete');
    await this.ctx.groups.delete(groupId);
  }

  async partitionOffsets(topic: string): Promise<Array<{ partition: number; low: number; high: number }>> {
    if (this.ctx.readOnly) await this.ctx.store.refresh();
    const t = this.ctx.store.get(topic);
    if (!t) throw new ConnectError(`unknown topic '${topic}'`, { code: 'UNKNOWN_TOPIC' });
    return t.partitions.map((log) => ({ partition: log.partition, low: log.startOffset, high: log.nextOffset }));
  }

  private writable(): void {
    if (this.ctx.readOnly) throw new ConnectError('the embedded log is open read-only', { code: 'LOG_READ_ONLY' });
  }

  private idle(groupId: string, what: string): void {
    if (this.ctx.coordinator.hasMembers(groupId)) {
      throw new ConnectError(`cannot ${what} group '${groupId}': it has active members; stop its consumers first`, {
        code: 'GROUP_NOT_EMPTY',
      });
    }
  }
}
