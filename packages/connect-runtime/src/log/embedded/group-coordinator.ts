/**
 * In-process consumer group membership for the embedded log (one worker process, so no network
 * protocol). Rebalancing is cooperative, like Kafka's cooperative-sticky protocol:
 *
 * 1. A member joins or leaves, or a topic appears: the coordinator computes a target assignment
 *    (range assignor, members in join order) and wakes every member.
 * 2. Each member, inside its own `poll()` (or `close()`), gives up the partitions it owns that the
 *    target gives to someone else: it calls its listener's `onRevoked` (which commits what is done)
 *    and only then releases them.
 * 3. A released partition is then free; its new owner claims it in its own next `poll()` (or in
 *    `start()`), reads the committed offset and calls `onAssigned`.
 *
 * So a partition is never owned by two members, and its new owner starts from the offset the old one
 * committed in `onRevoked`: nothing is lost, and nothing committed is delivered twice. A member only
 * hands partitions over when it polls; like Kafka's max.poll.interval.ms, a member that stops polling
 * holds its partitions (here: until it polls or closes).
 */
import type { TopicPartitionRef } from '../log.js';
import { assignRange } from './range-assignor.js';
import { tpKey, tpList } from './topic-partition.js';
import type { TopicStore } from './topic-store.js';

export interface GroupMemberHandle {
  readonly memberId: string;
  /** Topics the member subscribes to now (a pattern is resolved against the existing topics). */
  subscribedTopics(): string[];
  /** There is rebalance work for this member: wake its poll. */
  notify(): void;
}

export interface AssignmentChanges {
  /** Owned partitions the target gives to another member. */
  readonly revoke: TopicPartitionRef[];
  /** Target partitions that nobody owns any more, ready to be claimed. */
  readonly gain: TopicPartitionRef[];
}

class Group {
  readonly members: GroupMemberHandle[] = [];
  /** tpKey → owning member id. */
  readonly owners = new Map<string, string>();
  /** tpKey → member id the target assignment gives it to. */
  targetOwner = new Map<string, string>();
  target = new Map<string, TopicPartitionRef[]>();
}

export class GroupCoordinator {
  private readonly store: TopicStore;
  private readonly groups = new Map<string, Group>();
  private nextMember = 0;

  constructor(store: TopicStore) {
    this.store = store;
    store.on('topic', () => {
      for (const g of this.groups.values()) this.rebalance(g);
    });
  }

  newMemberId(groupId: string): string {
    return `${groupId}-${++this.nextMember}`;
  }

  join(groupId: string, member: GroupMemberHandle): void {
    let g = this.groups.get(groupId);
    if (!g) this.groups.set(groupId, (g = new Group()));
    g.members.push(member);
    this.rebalance(g);
  }

  /** Removes a member; it should have released its partitions (what it still owns is freed). */
  leave(groupId: string, member: GroupMemberHandle): void {
    const g = this.groups.get(groupId);
    if (!g) return;
    const i = g.members.indexOf(member);
    if (i >= 0) g.members.splice(i, 1);
    for (const [key, owner] of g.owners) if (owner === member.memberId) g.owners.delete(key);
    if (g.members.length === 0) this.groups.delete(groupId);
    else this.rebalance(g);
  }

  hasMembers(groupId: string): boolean {
    return (this.groups.get(groupId)?.members.length ?? 0) > 0;
  }

  changes(groupId: string, memberId: string): AssignmentChanges {
    const g = this.groups.get(groupId);
    if (!g) return { revoke: [], gain: [] };
    const revoke: TopicPartitionRef[] = [];
    for (const [key, owner] of g.owners) {
      if (owner === memberId && g.targetOwner.get(key) !== memberId) revoke.push(parseKey(key));
    }
    const gain = (g.target.get(memberId) ?? []).filter((tp) => !g.owners.has(tpKey(tp.topic, tp.partition)));
    return { revoke: tpList(revoke), gain: tpList(gain) };
  }

  /** Partitions the member owns now. */
  owned(groupId: string, memberId: string): TopicPartitionRef[] {
    const g = this.groups.get(groupId);
    if (!g) return [];
    return tpList([...g.owners].filter(([, owner]) => owner === memberId).map(([key]) => parseKey(key)));
  }

  owns(groupId: string, memberId: string, topic: string, partition: number): boolean {
    return this.groups.get(groupId)?.owners.get(tpKey(topic, partition)) === memberId;
  }

  /** Frees partitions after the member's onRevoked; wakes the members they go to. */
  release(groupId: string, memberId: string, tps: readonly TopicPartitionRef[]): void {
    const g = this.groups.get(groupId);
    if (!g) return;
    const wake = new Set<string>();
    for (const tp of tps) {
      const key = tpKey(tp.topic, tp.partition);
      if (g.owners.get(key) !== memberId) continue;
      g.owners.delete(key);
      const to = g.targetOwner.get(key);
      if (to !== undefined) wake.add(to);
    }
    for (const m of g.members) if (wake.has(m.memberId)) m.notify();
  }

  /** Takes the partitions that are free and targeted to the member; returns those taken. */
  claim(groupId: string, memberId: string, tps: readonly TopicPartitionRef[]): TopicPartitionRef[] {
    const g = this.groups.get(groupId);
    if (!g) return [];
    const taken: TopicPartitionRef[] = [];
    for (const tp of tps) {
      const key = tpKey(tp.topic, tp.partition);
      if (g.owners.has(key) || g.targetOwner.get(key) !== memberId) continue;
      g.owners.set(key, memberId);
      taken.push(tp);
    }
    return taken;
  }

  private rebalance(g: Group): void {
    const subs = g.members.map((m) => ({ memberId: m.memberId, topics: m.subscribedTopics() }));
    const counts = new Map<string, number>();
    for (const s of subs) {
      for (const t of s.topics) counts.set(t, this.store.get(t)?.partitions.length ?? 0);
    }
    g.target = assignRange(subs, counts);
    g.targetOwner = new Map();
    for (const [memberId, tps] of g.target) {
      for (const tp of tps) g.targetOwner.set(tpKey(tp.topic, tp.partition), memberId);
    }
    for (const m of g.members) m.notify();
  }
}

function parseKey(key: string): TopicPartitionRef {
  const i = key.lastIndexOf(':');
  return { topic: key.slice(0, i), partition: Number(key.slice(i + 1)) };
}
