/**
 * A log Consumer: a member of a Kafka consumer group (GroupMember, protocol type `consumer`, Kafka's
 * range assignor, subscriptions encoded as the Java consumer does so Kafka's tools read the group)
 * that fetches with @platformatic/kafka's public `fetch()`.
 *
 * Pull-based with one fetch round ahead: a fetch loop keeps at most `fetch.max.bytes` of records
 * buffered (RecordBuffer) and waits while the runtime has not taken them, so a slow sink slows
 * fetching. Positions are ours: `seek`, `pause` and `resume` act per partition at once, and a fetch
 * answered after a seek, pause or revoke is dropped. Offsets are never committed on their own.
 *
 * Rebalances are eager, as the Java consumer's default: before this member rejoins, buffered
 * records are dropped and `onRevoked` completes while the old generation may still commit.
 */
import { ConnectError, RetriableError } from '@tributary/connect-api';
import {
  Consumer as ClientConsumer,
  decodeConsumerProtocolAssignment,
  decodeConsumerProtocolSubscription,
  encodeConsumerProtocolAssignment,
  encodeConsumerProtocolSubscription,
  ListOffsetTimestamps,
  type fetchV17,
} from '@platformatic/kafka';
import type { Logger } from '../../logging.js';
import { assignRange } from '../embedded/range-assignor.js';
import type { Consumer, ConsumerOptions, LogRecord, TopicPartitionRef } from '../log.js';
import { protocolErrorOf, reasonOf, toLogError } from './errors.js';
import { decodeFetched } from './fetched-records.js';
import { GroupMember } from './group-member.js';
import { RecordBuffer, tpKey } from './record-buffer.js';
import { intSetting, type ConnectionSettings } from './settings.js';

export interface KafkaConsumerOptions {
  readonly connection: ConnectionSettings;
  /** Kafka's consumer keys in force (worker `consumer.*` and connector overrides, prefix removed). */
  readonly props: Readonly<Record<string, string>>;
  readonly logger: Logger;
  /** Every topic name in the cluster (the log's admin client). */
  readonly listTopics: () => Promise<string[]>;
  readonly onTrouble?: (error: Error | null) => void;
}

/** Errors after which the partition's leader must be looked up again. */
const STALE_LEADER = new Set([3, 5, 6, 74, 100]);
const OFFSET_OUT_OF_RANGE = 1;

/** Java's Pattern.matches semantics for `topics.regex`: the whole name must match. */
function anchored(re: RegExp): RegExp {
  return new RegExp(`^(?:${re.source})$`, re.flags.replace(/[gy]/g, ''));
}

export class KafkaConsumer implements Consumer {
  private readonly client: ClientConsumer;
  /** Null without a group (every partition, read on its own). */
  private readonly member: GroupMember | null;
  private readonly buffer = new RecordBuffer();
  private assigned = new Map<string, TopicPartitionRef>();
  private readonly paused = new Set<string>();
  /** Next offset to fetch per partition. */
  private readonly fetchAt = new Map<string, number>();
  /** Changes with every seek/pause/assignment, so a fetch answered after one is dropped. */
  private epoch = 0;
  private bufferedBytes = 0;
  private listenerBusy: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  private closing: Promise<void> | null = null;
  private fetchLoop: Promise<void> | null = null;
  private wakeFetch: (() => void) | null = null;
  private subscribed: string[] = [];
  private regexTimer: NodeJS.Timeout | null = null;
  private readonly maxPollRecords: number;
  private readonly maxBytes: number;
  private readonly partitionMaxBytes: number;
  private readonly maxWaitMs: number;
  private readonly minBytes: number;
  private readonly isolationLevel: 0 | 1;
  private readonly autoCreate: boolean;
  private readonly reset: 'earliest' | 'latest' | 'none';

  constructor(
    private readonly options: ConsumerOptions,
    private readonly o: KafkaConsumerOptions,
  ) {
    const p = o.props;
    this.maxPollRecords = intSetting(p, 'max.poll.records', options.maxPollRecords ?? 500);
    this.maxBytes = intSetting(p, 'fetch.max.bytes', 16 * 1024 * 1024);
    this.partitionMaxBytes = intSetting(p, 'max.partition.fetch.bytes', 1024 * 1024);
    // Java's fetch.max.wait.ms: a longer long-poll would also hold up close().
    this.maxWaitMs = intSetting(p, 'fetch.max.wait.ms', 500);
    this.minBytes = intSetting(p, 'fetch.min.bytes', 1);
    this.isolationLevel = p['isolation.level'] === 'read_committed' ? 1 : 0;
    this.autoCreate = (p['allow.auto.create.topics'] ?? 'true').toLowerCase() === 'true';
    this.reset =
      (p['auto.offset.reset'] as 'earliest' | 'latest' | 'none' | undefined) ?? options.autoOffsetReset ?? 'earliest';
    const c = o.connection;
    this.client = new ClientConsumer({
      clientId: options.clientId ?? c.clientId,
      groupId: options.groupId ?? `${c.clientId}-no-group`,
      bootstrapBrokers: c.brokers,
      tls: c.tls,
      sasl: c.sasl,
      connectTimeout: c.connectTimeout,
      requestTimeout: c.requestTimeout,
      timeout: c.requestTimeout,
      metadataMaxAge: c.metadataMaxAge,
      retries: 1,
      retryDelay: 200,
      autocreateTopics: this.autoCreate,
      isolationLevel: this.isolationLevel,
    });
    this.member =
      options.groupId === undefined
        ? null
        : new GroupMember({
            client: this.client,
            brokers: c.brokers,
            groupId: options.groupId,
            protocolType: 'consumer',
            logger: o.logger,
            sessionTimeoutMs: intSetting(p, 'session.timeout.ms', 45_000),
            heartbeatIntervalMs: intSetting(p, 'heartbeat.interval.ms', 3_000),
            rebalanceTimeoutMs: intSetting(p, 'max.poll.interval.ms', 300_000),
            protocols: () => [
              { name: 'range', metadata: encodeConsumerProtocolSubscription({ version: 1, topics: this.subscribed }) },
            ],
            assign: (_protocol, members) => this.assign(members),
            onRevoke: () => this.revokeAll(),
            onAssigned: (assignment) => this.onAssigned(assignment),
            onTrouble: o.onTrouble,
          });
  }

  async start(): Promise<void> {
    try {
      this.subscribed = await this.matchTopics();
    } catch (err) {
      throw toLogError(
        err,
        `joining consumer group ${this.options.groupId}`,
        this.o.connection.brokers,
        this.o.connection.describe,
      );
    }
    if (this.options.topics instanceof RegExp) {
      // New topics that match join the subscription, as the Java consumer's metadata refresh does.
      const everyMs = Math.min(intSetting(this.o.props, 'metadata.max.age.ms', 300_000), 30_000);
      this.regexTimer = setInterval(() => void this.refreshRegex(), everyMs);
      this.regexTimer.unref();
    }
    if (this.member) this.member.start();
    else await this.assignEveryPartition();
    this.fetchLoop = this.runFetchLoop();
  }

  /** Without a group: every partition of the subscribed topics, from `auto.offset.reset`. */
  private async assignEveryPartition(): Promise<void> {
    const tps: TopicPartitionRef[] = [];
    if (this.subscribed.length > 0) {
      const metadata = await this.client.metadata({
        topics: this.subscribed,
        autocreateTopics: this.autoCreate,
        forceUpdate: true,
      });
      for (const topic of this.subscribed) {
        const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
        for (let partition = 0; partition < count; partition++) tps.push({ topic, partition });
      }
    }
    this.listenerBusy = (async () => {
      await this.resetPositions(tps.filter((tp) => !this.fetchAt.has(tpKey(tp))));
      this.assigned = new Map(tps.map((tp) => [tpKey(tp), tp]));
      this.epoch++;
      await this.callListener('onAssigned', tps);
    })();
    await this.listenerBusy;
  }

  async poll(timeoutMs: number, signal?: AbortSignal): Promise<LogRecord[]> {
    const deadline = Date.now() + timeoutMs;
    const allowed = (k: string) => this.assigned.has(k) && !this.paused.has(k);
    for (;;) {
      if (this.closing || signal?.aborted) return [];
      if (this.failure) throw this.failure;
      await this.listenerBusy;
      const out = this.buffer.take(this.maxPollRecords, allowed);
      if (out.length > 0) return out;
      const left = deadline - Date.now();
      if (left <= 0) return [];
      const changed = this.buffer.changed();
      const onAbort = () => this.buffer.interrupt();
      signal?.addEventListener('abort', onAbort, { once: true });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        changed,
        new Promise<void>((r) => {
          timer = setTimeout(r, left);
        }),
      ]);
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async commit(offsets: ReadonlyArray<TopicPartitionRef & { offset: number }>): Promise<void> {
    if (offsets.length === 0) return;
    if (!this.member) throw new ConnectError('a consumer without a group commits nothing', { code: 'NO_GROUP' });
    try {
      await this.member.commit(offsets);
    } catch (err) {
      const code = protocolErrorOf(err);
      const what = `committing offsets of group ${this.options.groupId}`;
      if (code === 'REBALANCE_IN_PROGRESS' || code === 'ILLEGAL_GENERATION' || code === 'UNKNOWN_MEMBER_ID') {
        throw new RetriableError(
          `${what}: the group is rebalancing (${code}); the records are delivered again after it`,
          { code: 'LOG_UNAVAILABLE', cause: err },
        );
      }
      throw toLogError(err, what, this.o.connection.brokers, this.o.connection.describe);
    }
  }

  seek(tp: TopicPartitionRef, offset: number): void {
    const k = tpKey(tp);
    this.buffer.drop((key) => key === k);
    this.fetchAt.set(k, offset);
    this.epoch++;
    this.wakeFetch?.();
  }

  pause(tps: readonly TopicPartitionRef[]): void {
    if (tps.length === 0) return;
    const keys = new Set(tps.map(tpKey));
    for (const k of keys) this.paused.add(k);
    // Records fetched but not handed out are fetched again after resume().
    for (const [k, offset] of this.buffer.drop((key) => keys.has(key))) this.fetchAt.set(k, offset);
    this.epoch++;
  }

  resume(tps: readonly TopicPartitionRef[]): void {
    for (const tp of tps) this.paused.delete(tpKey(tp));
    this.wakeFetch?.();
    this.buffer.interrupt();
  }

  position(tp: TopicPartitionRef): number | undefined {
    const k = tpKey(tp);
    if (!this.assigned.has(k)) return undefined;
    return this.buffer.firstOffset(k) ?? this.fetchAt.get(k);
  }

  assignment(): TopicPartitionRef[] {
    return [...this.assigned.values()];
  }

  /** Wakes a waiting poll, revokes every partition (onRevoked), leaves the group and closes. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.regexTimer) clearInterval(this.regexTimer);
      this.buffer.drop();
      this.buffer.interrupt();
      this.wakeFetch?.();
      await this.listenerBusy.catch(() => {});
      if (this.member) await this.member.stop();
      else await this.callListener('onRevoked', [...this.assigned.values()]);
      await this.fetchLoop?.catch(() => {});
      await this.client.close(true).catch((err: unknown) => this.o.logger.debug({ err }, 'closing the Kafka consumer'));
    })();
    return this.closing;
  }

  /** Leader: Kafka's RangeAssignor over every member's subscription. */
  private async assign(members: Array<{ memberId: string; metadata: Buffer }>): Promise<Map<string, Buffer>> {
    const subs = members
      .map((m) => ({ memberId: m.memberId, topics: decodeConsumerProtocolSubscription(m.metadata).topics }))
      .sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
    const topics = [...new Set(subs.flatMap((s) => s.topics))];
    const counts = new Map<string, number>();
    if (topics.length > 0) {
      const metadata = await this.client.metadata({ topics, autocreateTopics: this.autoCreate, forceUpdate: true });
      for (const t of topics) counts.set(t, metadata.topics.get(t)?.partitionsCount ?? 0);
    }
    const plan = assignRange(subs, counts);
    const out = new Map<string, Buffer>();
    for (const [memberId, tps] of plan) {
      const byTopic = new Map<string, number[]>();
      for (const tp of tps) (byTopic.get(tp.topic) ?? byTopic.set(tp.topic, []).get(tp.topic)!).push(tp.partition);
      out.set(
        memberId,
        encodeConsumerProtocolAssignment({
          version: 1,
          assignedPartitions: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
        }),
      );
    }
    return out;
  }

  private onAssigned(assignment: Buffer): Promise<void> {
    const tps: TopicPartitionRef[] = [];
    if (assignment.length > 0) {
      for (const a of decodeConsumerProtocolAssignment(assignment).assignedPartitions)
        for (const partition of a.partitions) tps.push({ topic: a.topic, partition });
    }
    this.listenerBusy = (async () => {
      this.fetchAt.clear();
      await this.initialPositions(tps);
      this.assigned = new Map(tps.map((tp) => [tpKey(tp), tp]));
      this.epoch++;
      await this.callListener('onAssigned', tps);
      this.wakeFetch?.();
      this.buffer.interrupt();
    })();
    return this.listenerBusy;
  }

  /** Committed offsets, else `auto.offset.reset`. */
  private async initialPositions(tps: readonly TopicPartitionRef[]): Promise<void> {
    if (tps.length === 0) return;
    for (let attempt = 0; ; attempt++) {
      try {
        const committed = await this.member!.committed(tps);
        const missing = tps.filter((tp) => !committed.has(tpKey(tp)));
        for (const [k, offset] of committed) this.fetchAt.set(k, offset);
        if (missing.length > 0) await this.resetPositions(missing);
        return;
      } catch (err) {
        if (this.closing || attempt >= 10) throw err;
        this.o.logger.warn(
          { reason: reasonOf(err) },
          `reading committed offsets of group ${this.options.groupId} failed; retrying`,
        );
        await new Promise((r) => setTimeout(r, Math.min(5_000, 200 * 2 ** attempt)));
      }
    }
  }

  private async resetPositions(tps: readonly TopicPartitionRef[]): Promise<void> {
    if (this.reset === 'none') {
      this.failure = new ConnectError(
        `no committed offset for ${tps.map((tp) => `${tp.topic}-${tp.partition}`).join(', ')} in group ${this.options.groupId} and auto.offset.reset=none`,
        { code: 'NO_OFFSET' },
      );
      return;
    }
    const partitions: Record<string, number[]> = {};
    for (const tp of tps) (partitions[tp.topic] ??= []).push(tp.partition);
    const timestamp = this.reset === 'latest' ? ListOffsetTimestamps.LATEST : ListOffsetTimestamps.EARLIEST;
    const offsets = await this.client.listOffsets({
      topics: Object.keys(partitions),
      partitions,
      timestamp,
      isolationLevel: this.isolationLevel,
    });
    for (const tp of tps) this.fetchAt.set(tpKey(tp), Number(offsets.get(tp.topic)?.[tp.partition] ?? 0n));
  }

  private async revokeAll(): Promise<void> {
    await this.listenerBusy.catch(() => {});
    const tps = [...this.assigned.values()];
    this.assigned = new Map();
    this.epoch++;
    this.buffer.drop();
    if (tps.length === 0) return;
    // Let a caller that just got records from poll() note them before it is asked to commit.
    await new Promise((r) => setImmediate(r));
    this.listenerBusy = this.callListener('onRevoked', tps);
    await this.listenerBusy;
  }

  private async callListener(which: 'onRevoked' | 'onAssigned', tps: TopicPartitionRef[]): Promise<void> {
    try {
      await this.options.listener?.[which](tps);
    } catch (err) {
      this.o.logger.error({ err }, `${which} of group ${this.options.groupId} failed`);
      if (which === 'onAssigned') this.failure = err instanceof Error ? err : new ConnectError(String(err));
    }
  }

  /** Topic names of the subscription (a regex: the existing topics it matches). */
  private async matchTopics(): Promise<string[]> {
    const t = this.options.topics;
    if (!(t instanceof RegExp)) {
      if (!this.autoCreate) await this.requireTopics(t);
      return [...t];
    }
    const re = anchored(t);
    return (await this.o.listTopics()).filter((n) => re.test(n)).sort();
  }

  private async refreshRegex(): Promise<void> {
    if (this.closing) return;
    try {
      const now = await this.matchTopics();
      if (now.join('\u0000') !== this.subscribed.join('\u0000')) {
        this.subscribed = now;
        if (this.member) this.member.requestRejoin();
        else await this.assignEveryPartition();
      }
    } catch (err) {
      this.o.logger.debug({ reason: reasonOf(err) }, 'refreshing the topics of a regex subscription failed');
    }
  }

  /**
   * With auto-creation off, subscribing to a topic that does not exist would leave the member
   * waiting with nothing assigned, silently (a mistyped name looks like an idle topic): fail instead.
   */
  private async requireTopics(topics: readonly string[]): Promise<void> {
    const existing = new Set(await this.o.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    throw new ConnectError(
      `topic${missing.length > 1 ? 's' : ''} ${missing.map((t) => `'${t}'`).join(', ')} ${missing.length > 1 ? 'do' : 'does'} not exist in Kafka at ${this.o.connection.brokers.join(',')} ` +
        'and topic auto-creation is off for this consumer (consumer.allow.auto.create.topics=false): create the topic or fix the connector\'s "topics"',
      { code: 'TOPIC_NOT_FOUND' },
    );
  }

  private async runFetchLoop(): Promise<void> {
    let attempt = 0;
    while (!this.closing && !this.failure) {
      const targets = [...this.assigned]
        .filter(([k]) => !this.paused.has(k) && this.fetchAt.has(k))
        .map(([, tp]) => tp);
      if (targets.length === 0 || this.bufferedBytes >= this.maxBytes) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 1_000);
          this.wakeFetch = () => {
            clearTimeout(t);
            this.wakeFetch = null;
            resolve();
          };
        });
        continue;
      }
      try {
        await this.fetchRound(targets);
        if (attempt > 0) this.o.onTrouble?.(null);
        attempt = 0;
      } catch (err) {
        if (this.closing) return;
        const e = toLogError(
          err,
          `fetching for group ${this.options.groupId}`,
          this.o.connection.brokers,
          this.o.connection.describe,
        );
        this.o.onTrouble?.(e);
        const waitMs = Math.min(10_000, 200 * 2 ** attempt++);
        if (attempt === 1 || attempt % 10 === 0)
          this.o.logger.warn({ reason: reasonOf(err) }, `${e.message}; retrying in ${waitMs} ms`);
        await new Promise((r) => setTimeout(r, waitMs));
      }
    }
  }

  /** One fetch request per partition leader, at once; their records go to the buffer. */
  private async fetchRound(targets: readonly TopicPartitionRef[]): Promise<void> {
    const topics = [...new Set(targets.map((tp) => tp.topic))];
    const metadata = await this.client.metadata({ topics, autocreateTopics: this.autoCreate });
    const byNode = new Map<number, Map<string, Array<{ partition: number; offset: number }>>>();
    const names = new Map<string, string>();
    for (const tp of targets) {
      const t = metadata.topics.get(tp.topic);
      const leader = t?.partitions[tp.partition]?.leader;
      if (!t || leader === undefined || leader < 0) continue;
      names.set(t.id, tp.topic);
      const node = byNode.get(leader) ?? byNode.set(leader, new Map()).get(leader)!;
      (node.get(t.id) ?? node.set(t.id, []).get(t.id)!).push({
        partition: tp.partition,
        offset: this.fetchAt.get(tpKey(tp))!,
      });
    }
    if (byNode.size === 0) {
      await this.client.metadata({ topics, autocreateTopics: this.autoCreate, forceUpdate: true });
      await new Promise((r) => setTimeout(r, 200));
      return;
    }
    const epoch = this.epoch;
    await Promise.all(
      [...byNode].map(async ([node, byTopic]) => {
        let response: fetchV17.FetchResponse;
        try {
          response = await this.client.fetch({
            node,
            maxWaitTime: this.maxWaitMs,
            minBytes: this.minBytes,
            maxBytes: this.maxBytes,
            isolationLevel: this.isolationLevel,
            topics: [...byTopic].map(([topicId, ps]) => ({
              topicId,
              partitions: ps.map((p) => ({
                partition: p.partition,
                fetchOffset: BigInt(p.offset),
                partitionMaxBytes: this.partitionMaxBytes,
                currentLeaderEpoch: -1,
                lastFetchedEpoch: -1,
              })),
            })),
          });
        } catch (err) {
          // Partition errors come with the whole response: keep what the other partitions returned.
          const partial = (err as { response?: fetchV17.FetchResponse }).response;
          if (!partial?.responses) throw err;
          response = partial;
        }
        if (epoch !== this.epoch || this.closing) return;
        await this.accept(response, names, topics);
      }),
    );
  }

  private async accept(
    response: fetchV17.FetchResponse,
    names: ReadonlyMap<string, string>,
    topics: string[],
  ): Promise<void> {
    let stale = false;
    for (const t of response.responses) {
      const topic = names.get(t.topicId);
      if (topic === undefined) continue;
      for (const p of t.partitions) {
        const tp = { topic, partition: p.partitionIndex };
        const k = tpKey(tp);
        if (p.errorCode === OFFSET_OUT_OF_RANGE) {
          this.o.logger.warn(
            { topic, partition: p.partitionIndex, offset: this.fetchAt.get(k) },
            `offset out of range; resetting to ${this.reset}`,
          );
          await this.resetPositions([tp]);
          continue;
        }
        if (p.errorCode !== 0) {
          if (STALE_LEADER.has(p.errorCode)) stale = true;
          continue;
        }
        const from = this.fetchAt.get(k);
        if (from === undefined || !this.assigned.has(k) || this.paused.has(k)) continue;
        const { records, bytes, next } = decodeFetched(topic, p.partitionIndex, p, from);
        if (next > from) this.fetchAt.set(k, next);
        if (records.length === 0) continue;
        this.bufferedBytes += bytes;
        void this.buffer.offer(tp, records).then(() => {
          this.bufferedBytes -= bytes;
          this.wakeFetch?.();
        });
      }
    }
    if (stale) await this.client.metadata({ topics, autocreateTopics: this.autoCreate, forceUpdate: true });
  }
}
