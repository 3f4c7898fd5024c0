/**
 * A consumer group member of the embedded log. Rebalance callbacks run inside `start()`, `poll()`
 * and `close()` (never behind the caller's back while it processes a batch), as with Kafka's
 * consumer; see group-coordinator.ts for the protocol.
 */
import { randomUUID } from 'node:crypto';
import { ConnectError, type Logger } from '@tributary/connect-api';
import type { Consumer, ConsumerOptions, LogRecord, RebalanceListener, TopicPartitionRef } from '../log.js';
import type { GroupCoordinator, GroupMemberHandle } from './group-coordinator.js';
import type { GroupStore } from './group-store.js';
import type { PartitionLog } from './partition-log.js';
import { PartitionReader, type OffsetResetPolicy } from './partition-reader.js';
import { tpKey, tpList } from './topic-partition.js';
import type { TopicStore } from './topic-store.js';
import { Waiter } from './waiter.js';

export const DEFAULT_MAX_POLL_RECORDS = 500;

export interface ConsumerContext {
  readonly store: TopicStore;
  readonly groups: GroupStore;
  readonly coordinator: GroupCoordinator;
  readonly readOnly: boolean;
  readonly logger: Logger;
  /** Called once the consumer has closed (the log forgets it). */
  readonly onClosed: (consumer: EmbeddedConsumer) => void;
}

type State = 'new' | 'started' | 'closing' | 'closed';

export class EmbeddedConsumer implements Consumer {
  private readonly ctx: ConsumerContext;
  private readonly groupId: string;
  private readonly grouped: boolean;
  private readonly topics: readonly string[] | null;
  private readonly pattern: RegExp | null;
  private readonly resetPolicy: OffsetResetPolicy;
  private readonly listener: RebalanceListener | undefined;
  private readonly maxPollRecords: number;
  private readonly member: GroupMemberHandle;
  private readonly readers = new Map<string, PartitionReader>();
  private readonly paused = new Set<string>();
  private readonly waiter = new Waiter();
  private state: State = 'new';
  private polling: Promise<LogRecord[]> | null = null;
  private closing: Promise<void> | null = null;
  private nextReader = 0;

  constructor(ctx: ConsumerContext, options: ConsumerOptions) {
    this.ctx = ctx;
    // Without a group: a private one of this consumer's own, never committed.
    this.groupId = options.groupId ?? `tributary-ephemeral-${randomUUID()}`;
    this.grouped = options.groupId !== undefined;
    if (options.topics instanceof RegExp) {
      // Like Kafka's pattern subscription, the pattern must match the whole topic name.
      this.pattern = new RegExp(`^(?:${options.topics.source})$`, options.topics.flags.replace(/[gy]/g, ''));
      this.topics = null;
    } else {
      this.pattern = null;
      this.topics = [...options.topics];
    }
    this.resetPolicy = options.autoOffsetReset ?? 'earliest';
    this.listener = options.listener;
    this.maxPollRecords = options.maxPollRecords ?? DEFAULT_MAX_POLL_RECORDS;
    if (!Number.isInteger(this.maxPollRecords) || this.maxPollRecords < 1) {
      throw new ConnectError(`maxPollRecords must be a positive integer, got ${options.maxPollRecords}`, {
        code: 'INVALID_CONSUMER_OPTIONS',
      });
    }
    if (!this.groupId) throw new ConnectError('a consumer needs a groupId', { code: 'INVALID_CONSUMER_OPTIONS' });
    this.member = {
      memberId: ctx.coordinator.newMemberId(this.groupId),
      subscribedTopics: () => this.subscribedTopics(),
      notify: () => this.waiter.wake(),
    };
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new ConnectError(`consumer already ${this.state}`, { code: 'CONSUMER_STATE' });
    this.state = 'started';
    if (this.topics) for (const t of this.topics) await this.ctx.store.ensure(t);
    this.ctx.store.on('append', this.onAppend);
    this.ctx.coordinator.join(this.groupId, this.member);
    await this.reconcile(true);
  }

  async poll(timeoutMs: number, signal?: AbortSignal): Promise<LogRecord[]> {
    if (this.state === 'new') throw new ConnectError('call start() before poll()', { code: 'CONSUMER_STATE' });
    if (this.state !== 'started') return [];
    if (this.polling) throw new ConnectError('poll() is already running on this consumer', { code: 'CONSUMER_STATE' });
    this.polling = this.pollLoop(Date.now() + timeoutMs, signal);
    try {
      return await this.polling;
    } finally {
      this.polling = null;
    }
  }

  private async pollLoop(deadline: number, signal: AbortSignal | undefined): Promise<LogRecord[]> {
    for (;;) {
      this.waiter.arm();
      if (this.state !== 'started' || signal?.aborted) return [];
      await this.reconcile(false);
      if (this.state !== 'started') return [];
      const records = await this.fetch();
      if (records.length > 0) return records;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return [];
      await this.waiter.wait(remaining, signal);
    }
  }

  private async fetch(): Promise<LogRecord[]> {
    const out: LogRecord[] = [];
    const readers = [...this.readers.entries()];
    const n = readers.length;
    if (n === 0) return out;
    // Start at a different partition each poll, so one busy partition cannot starve the others.
    const start = this.nextReader++ % n;
    for (let i = 0; i < n && out.length < this.maxPollRecords; i++) {
      const [key, reader] = readers[(start + i) % n]!;
      if (this.paused.has(key)) continue;
      await reader.fetch(this.maxPollRecords - out.length, out);
    }
    return out;
  }

  /** Gives up partitions the target assignment moved away, then takes the free ones given to us. */
  private async reconcile(first: boolean): Promise<void> {
    const { coordinator } = this.ctx;
    const { revoke, gain } = coordinator.changes(this.groupId, this.member.memberId);
    if (revoke.length > 0) await this.revoke(revoke);
    if (gain.length === 0 && !first) return;
    const claimed = coordinator.claim(this.groupId, this.member.memberId, gain);
    for (const tp of claimed) {
      const log = this.ctx.store.get(tp.topic)!.partitions[tp.partition]!;
      const position = await this.startPosition(log);
      const reader = new PartitionReader(log, position, this.resetPolicy, this.ctx.logger);
      this.readers.set(tpKey(tp.topic, tp.partition), reader);
    }
    if (claimed.length > 0 || first) await this.listener?.onAssigned(claimed);
  }

  private async revoke(tps: TopicPartitionRef[]): Promise<void> {
    try {
      await this.listener?.onRevoked(tps);
    } finally {
      for (const tp of tps) {
        const key = tpKey(tp.topic, tp.partition);
        this.readers.delete(key);
        this.paused.delete(key);
      }
      this.ctx.coordinator.release(this.groupId, this.member.memberId, tps);
    }
  }

  /** The committed offset when there is one in range, else where `autoOffsetReset` says. */
  private async startPosition(log: PartitionLog): Promise<number> {
    const committed = await this.ctx.groups.committed(this.groupId, log.topic, log.partition);
    if (committed !== undefined && committed >= log.startOffset && committed <= log.nextOffset) return committed;
    if (committed !== undefined) {
      this.ctx.logger.warn(
        { groupId: this.groupId, topic: log.topic, partition: log.partition, committed, low: log.startOffset },
        `embedded log: committed offset out of range, starting from ${this.resetPolicy}`,
      );
    }
    return this.resetPolicy === 'latest' ? log.nextOffset : log.startOffset;
  }

  /**
   * Commits offsets of partitions this member owns. Offsets of partitions a rebalance took away are
   * skipped (with a warning), as Kafka fails such commits: the new owner's progress wins.
   */
  async commit(offsets: ReadonlyArray<TopicPartitionRef & { offset: number }>): Promise<void> {
    if (!this.grouped) throw new ConnectError('a consumer without a group commits nothing', { code: 'NO_GROUP' });
    if (this.state === 'closed') throw new ConnectError('the consumer is closed', { code: 'CONSUMER_STATE' });
    const { coordinator } = this.ctx;
    const owned = offsets.filter((o) => coordinator.owns(this.groupId, this.member.memberId, o.topic, o.partition));
    if (owned.length < offsets.length) {
      const skipped = offsets.filter((o) => !owned.includes(o)).map((o) => `${o.topic}-${o.partition}`);
      this.ctx.logger.warn(
        { groupId: this.groupId, skipped },
        'embedded log: commit skipped for partitions this member does not own (revoked by a rebalance)',
      );
    }
    if (owned.length > 0) await this.ctx.groups.commit(this.groupId, owned);
  }

  seek(tp: TopicPartitionRef, offset: number): void {
    const reader = this.readers.get(tpKey(tp.topic, tp.partition));
    if (!reader) {
      throw new ConnectError(`cannot seek ${tp.topic}-${tp.partition}: not assigned to this consumer`, {
        code: 'NOT_ASSIGNED',
      });
    }
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new ConnectError(`invalid seek offset ${offset}`, { code: 'INVALID_OFFSET' });
    }
    reader.seek(offset);
    this.waiter.wake();
  }

  /** Stops fetching from these partitions (they stay assigned); unassigned ones are ignored. */
  pause(tps: readonly TopicPartitionRef[]): void {
    for (const tp of tps) {
      const key = tpKey(tp.topic, tp.partition);
      if (this.readers.has(key)) this.paused.add(key);
    }
  }

  resume(tps: readonly TopicPartitionRef[]): void {
    for (const tp of tps) this.paused.delete(tpKey(tp.topic, tp.partition));
    this.waiter.wake();
  }

  assignment(): TopicPartitionRef[] {
    return tpList([...this.readers.values()].map((r) => r.log));
  }

  /** Wakes a waiting poll (it resolves empty), revokes every partition (onRevoked) and leaves the group. */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    const wasStarted = this.state === 'started';
    this.state = 'closing';
    this.waiter.wake();
    await this.polling?.catch(() => []);
    try {
      if (wasStarted) {
        const owned = this.ctx.coordinator.owned(this.groupId, this.member.memberId);
        if (owned.length > 0) await this.revoke(owned);
      }
    } finally {
      this.readers.clear();
      this.ctx.store.off('append', this.onAppend);
      if (wasStarted) this.ctx.coordinator.leave(this.groupId, this.member);
      this.state = 'closed';
      this.ctx.onClosed(this);
    }
  }

  private readonly onAppend = (log: PartitionLog): void => {
    if (this.readers.has(tpKey(log.topic, log.partition))) this.waiter.wake();
  };

  private subscribedTopics(): string[] {
    if (this.topics) return this.topics.filter((t) => this.ctx.store.get(t) !== undefined);
    return this.ctx.store.list().filter((t) => this.pattern!.test(t));
  }
}
