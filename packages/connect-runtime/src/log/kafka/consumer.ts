/**
 * A log Consumer over a kafkajs consumer group member. kafkajs pushes batches (`eachBatch`); the
 * runtime pulls (`poll()`): a RecordBuffer sits between them, and `eachBatch` waits (heartbeating)
 * until the runtime has taken its records, so a slow sink slows fetching and memory stays bounded.
 * Offsets are never auto-committed; `commit()` commits what the runtime says is done.
 *
 * Rebalances. kafkajs rebalances eagerly and has no "partitions revoked" callback, yet the runtime
 * must commit for its partitions before they move. Every (re)join of a kafkajs member starts with
 * `cluster.findGroupCoordinator` on the member's own cluster object, which kafkajs hands to partition
 * assigners; our assigner factory wraps that one call so that, before the JoinGroup request goes
 * out, the buffered records are dropped and `onRevoked(previous assignment)` completes — while the
 * group is still preparing the rebalance and the old generation may still commit, exactly where
 * Kafka's Java consumer calls onPartitionsRevoked. `onAssigned` follows kafkajs's GROUP_JOIN event,
 * and no record is handed out before it has completed.
 */
import { ConnectError, RetriableError } from '@tributary/connect-api';
import { PartitionAssigners, type Consumer as KafkaJsConsumer, type ConsumerConfig, type EachBatchPayload, type Kafka, type KafkaMessage } from 'kafkajs';
import type { Logger } from '../../logging.js';
import type { Consumer, ConsumerOptions, LogRecord, TopicPartitionRef } from '../log.js';
import { toLogError } from './errors.js';
import { fromKafkaHeaders } from './headers.js';
import { RecordBuffer, tpKey } from './record-buffer.js';

export interface KafkaConsumerOptions {
  readonly kafka: Kafka;
  readonly brokers: readonly string[];
  readonly logger: Logger;
  readonly config?: Partial<ConsumerConfig>;
  /** Tells which subscribed topics exist (checked when topic auto-creation is off). */
  readonly listTopics: () => Promise<string[]>;
  /** Partitions whose batches kafkajs processes at once: bounds the buffer to that many fetches. */
  readonly concurrency?: number;
}

/** kafkajs's word for "between a crash and the restarted member". */
const NOT_RUNNING = /Consumer group was not initialized/;

/** How long `commit()` keeps retrying while the broker is away. */
const COMMIT_PATIENCE_MS = 60_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());

function toLogRecord(topic: string, partition: number, m: KafkaMessage): LogRecord {
  return {
    topic, partition, offset: Number(m.offset), timestamp: Number(m.timestamp),
    key: m.key ?? null, value: m.value ?? null, headers: fromKafkaHeaders(m.headers),
  };
}

/** Java's Pattern.matches semantics for `topics.regex`: the whole name must match. */
function anchored(re: RegExp): RegExp {
  return new RegExp(`^(?:${re.source})$`, re.flags.replace(/[gy]/g, ''));
}

export class KafkaConsumer implements Consumer {
  private readonly consumer: KafkaJsConsumer;
  private readonly buffer = new RecordBuffer();
  private assigned = new Map<string, TopicPartitionRef>();
  private readonly paused = new Set<string>();
  /** Next offset to hand out per partition (records below it, e.g. after a seek, are skipped). */
  private readonly position = new Map<string, number>();
  private readonly pendingSeeks = new Map<string, { tp: TopicPartitionRef; offset: number }>();
  /** The listener work in progress (onAssigned / onRevoked); records wait for it. */
  private listenerBusy: Promise<void> = Promise.resolve();
  private revoking: Promise<void> | null = null;
  private failure: Error | null = null;
  private closing: Promise<void> | null = null;
  private running = false;
  /**
   * kafkajs tore the member down after a crash (e.g. the broker was away) and will start a new one:
   * our partitions are lost, not revoked — there is no member left to commit for them until the new
   * one has joined, so the revocation is delivered late, right after that join.
   */
  private restarting = false;
  private readonly maxPollRecords: number;

  constructor(private readonly options: ConsumerOptions, private readonly opts: KafkaConsumerOptions) {
    this.maxPollRecords = options.maxPollRecords ?? 500;
    this.consumer = opts.kafka.consumer({
      heartbeatInterval: 3_000,
      sessionTimeout: 30_000,
      rebalanceTimeout: 60_000,
      // As Java's fetch.max.wait.ms: a long-poll of kafkajs's default 5 s would also hold up close().
      maxWaitTimeInMs: 500,
      retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 5_000 },
      ...opts.config,
      groupId: options.groupId,
      partitionAssigners: [
        (config) => {
          this.hookRejoin(config.cluster);
          return PartitionAssigners.roundRobin(config);
        },
      ],
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, (e) => this.onJoined(e.payload.memberAssignment));
    this.consumer.on(this.consumer.events.STOP, () => {
      if (this.closing) return;
      this.restarting = true;
      this.buffer.drop();
    });
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      const { error, restart } = e.payload;
      this.opts.logger.warn({ err: error, restart }, `Kafka consumer of group ${options.groupId} crashed${restart ? '; kafkajs restarts it' : ''}`);
      if (!restart) this.failure = toLogError(error, `consuming as group ${options.groupId}`, opts.brokers);
      this.buffer.interrupt();
    });
  }

  async start(): Promise<void> {
    const topics = this.options.topics instanceof RegExp ? [anchored(this.options.topics)] : [...this.options.topics];
    if (this.opts.config?.allowAutoTopicCreation === false && !(this.options.topics instanceof RegExp)) await this.requireTopics(this.options.topics);
    try {
      await this.consumer.connect();
      await this.consumer.subscribe({ topics, fromBeginning: this.options.autoOffsetReset !== 'latest' });
      await this.consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: true,
        partitionsConsumedConcurrently: this.opts.concurrency ?? 3,
        eachBatch: (payload) => this.eachBatch(payload),
      });
    } catch (err) {
      throw toLogError(err, `joining consumer group ${this.options.groupId}`, this.opts.brokers);
    }
    this.running = true;
  }

  /**
   * With auto-creation off, subscribing to a topic that does not exist would leave the member
   * waiting with nothing assigned, silently (a mistyped name looks like an idle topic): fail instead,
   * naming the topics. A `topics.regex` that matches nothing yet is normal and is not checked.
   */
  private async requireTopics(topics: readonly string[]): Promise<void> {
    let existing: Set<string>;
    try {
      existing = new Set(await this.opts.listTopics());
    } catch (err) {
      throw toLogError(err, 'listing topics', this.opts.brokers);
    }
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    throw new ConnectError(
      `topic${missing.length > 1 ? 's' : ''} ${missing.map((t) => `'${t}'`).join(', ')} ${missing.length > 1 ? 'do' : 'does'} not exist in Kafka at ${this.opts.brokers.join(',')} ` +
        'and topic auto-creation is off for this consumer (consumer.allow.auto.create.topics=false): create the topic or fix the connector\'s "topics"',
      { code: 'TOPIC_NOT_FOUND' },
    );
  }

  async poll(timeoutMs: number, signal?: AbortSignal): Promise<LogRecord[]> {
    const deadline = Date.now() + timeoutMs;
    const allowed = (k: string) => this.assigned.has(k) && !this.paused.has(k);
    for (;;) {
      if (this.closing || signal?.aborted) return [];
      if (this.failure) throw this.failure;
      await this.listenerBusy;
      const out = this.buffer.take(this.maxPollRecords, allowed);
      if (out.length > 0) {
        for (const r of out) this.position.set(tpKey(r), r.offset + 1);
        return out;
      }
      const left = deadline - Date.now();
      if (left <= 0) return [];
      const changed = this.buffer.changed();
      const onAbort = () => this.buffer.interrupt();
      signal?.addEventListener('abort', onAbort, { once: true });
      await Promise.race([changed, sleep(left)]);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async commit(offsets: ReadonlyArray<TopicPartitionRef & { offset: number }>): Promise<void> {
    if (offsets.length === 0) return;
    const request = offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) }));
    // A broker restart takes longer than kafkajs's own retries; the sink runner fails its task on a
    // commit error, so ride out an outage of up to COMMIT_PATIENCE_MS here before giving up.
    const deadline = Date.now() + COMMIT_PATIENCE_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.consumer.commitOffsets(request);
        return;
      } catch (err) {
        const e = this.restarting || NOT_RUNNING.test((err as Error)?.message ?? '')
          ? new RetriableError(`committing offsets of group ${this.options.groupId}: the Kafka consumer is restarting`, { code: 'LOG_UNAVAILABLE', cause: err })
          : toLogError(err, `committing offsets of group ${this.options.groupId}`, this.opts.brokers);
        if (!(e instanceof RetriableError) || this.closing || Date.now() > deadline) throw e;
        this.opts.logger.warn({ err: e.message }, 'commit failed; retrying');
        await sleep(Math.min(5_000, 500 * 2 ** attempt));
      }
    }
  }

  seek(tp: TopicPartitionRef, offset: number): void {
    const k = tpKey(tp);
    this.buffer.drop((key) => key === k);
    this.position.set(k, offset);
    this.kafkaSeek(tp, offset);
  }

  /** kafkajs refuses seeks between a crash and the restart; the new member applies them on join. */
  private kafkaSeek(tp: TopicPartitionRef, offset: number | string): void {
    try {
      this.consumer.seek({ topic: tp.topic, partition: tp.partition, offset: String(offset) });
      this.pendingSeeks.delete(tpKey(tp));
    } catch (err) {
      if (!NOT_RUNNING.test((err as Error).message)) throw err;
      this.pendingSeeks.set(tpKey(tp), { tp, offset: Number(offset) });
    }
  }

  pause(tps: readonly TopicPartitionRef[]): void {
    if (tps.length === 0) return;
    const keys = new Set(tps.map(tpKey));
    for (const k of keys) this.paused.add(k);
    this.kafkaPause(tps);
    // Records already fetched for them are given back: kafkajs fetches them again after resume().
    for (const [k, offset] of this.buffer.drop((key) => keys.has(key))) {
      const tp = tps.find((t) => tpKey(t) === k)!;
      this.kafkaSeek(tp, offset);
    }
  }

  resume(tps: readonly TopicPartitionRef[]): void {
    if (tps.length === 0) return;
    for (const tp of tps) this.paused.delete(tpKey(tp));
    try {
      this.consumer.resume(groupByTopic(tps));
    } catch (err) {
      if (!NOT_RUNNING.test((err as Error).message)) throw err; // the restarted member starts unpaused
    }
    this.buffer.interrupt();
  }

  private kafkaPause(tps: readonly TopicPartitionRef[]): void {
    try {
      this.consumer.pause(groupByTopic(tps));
    } catch (err) {
      if (!NOT_RUNNING.test((err as Error).message)) throw err; // re-applied when the new member joins
    }
  }

  assignment(): TopicPartitionRef[] {
    return [...this.assigned.values()];
  }

  /** Wakes a waiting poll, revokes every partition (onRevoked) and leaves the group. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.buffer.drop();
      this.buffer.interrupt();
      await this.listenerBusy.catch(() => {});
      if (this.running) await this.revokeAll();
      await this.consumer.disconnect().catch((err: unknown) => this.opts.logger.debug({ err }, 'Kafka consumer disconnect'));
    })();
    return this.closing;
  }

  private async eachBatch({ batch, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const tp = { topic: batch.topic, partition: batch.partition };
    const k = tpKey(tp);
    await this.listenerBusy;
    if (this.closing || !this.assigned.has(k) || isStale() || batch.messages.length === 0) return;
    if (this.paused.has(k)) {
      this.kafkaSeek(tp, batch.messages[0]!.offset);
      return;
    }
    const from = this.position.get(k) ?? -1;
    const records: LogRecord[] = [];
    for (const m of batch.messages) if (Number(m.offset) >= from) records.push(toLogRecord(tp.topic, tp.partition, m));
    let settled = false;
    const done = this.buffer.offer(tp, records).then(() => { settled = true; });
    // The runtime may take a while to poll (a slow sink): keep the membership alive meanwhile.
    while (!settled) {
      await Promise.race([done, sleep(1_000)]);
      if (settled) break;
      if (!isRunning() || this.closing) {
        this.buffer.drop((key) => key === k);
        break;
      }
      try {
        await heartbeat();
      } catch (err) {
        this.buffer.drop((key) => key === k);
        throw err;
      }
    }
  }

  private onJoined(memberAssignment: Record<string, number[]>): void {
    const tps: TopicPartitionRef[] = [];
    for (const [topic, partitions] of Object.entries(memberAssignment)) for (const partition of partitions) tps.push({ topic, partition });
    // Normally revoked before the join (hookRejoin); a member that lost its session was not.
    const stale = [...this.assigned.values()];
    this.buffer.drop();
    this.position.clear();
    this.assigned = new Map(tps.map((tp) => [tpKey(tp), tp]));
    this.restarting = false;
    const stillPaused = tps.filter((tp) => this.paused.has(tpKey(tp)));
    if (stillPaused.length > 0) this.kafkaPause(stillPaused);
    for (const { tp, offset } of [...this.pendingSeeks.values()]) if (this.assigned.has(tpKey(tp))) this.kafkaSeek(tp, offset);
    this.pendingSeeks.clear();
    const previous = this.listenerBusy;
    this.listenerBusy = (async () => {
      await previous;
      if (stale.length > 0) await this.callListener('onRevoked', stale);
      await this.callListener('onAssigned', tps);
    })();
    this.buffer.interrupt();
  }

  /** Makes every (re)join of this member wait until the runtime has committed for its partitions. */
  private hookRejoin(cluster: { findGroupCoordinator: (g: { groupId: string }) => Promise<unknown> }): void {
    const original = cluster.findGroupCoordinator.bind(cluster);
    cluster.findGroupCoordinator = async (group) => {
      // After a crash the old member is gone: nothing can commit for it until the new one joined.
      if (!this.restarting) await this.revokeAll();
      return original(group);
    };
  }

  private revokeAll(): Promise<void> {
    if (this.revoking) return this.revoking;
    if (this.assigned.size === 0) return Promise.resolve();
    const tps = [...this.assigned.values()];
    this.assigned = new Map();
    this.buffer.drop();
    this.position.clear();
    const previous = this.listenerBusy;
    this.revoking = (async () => {
      await previous.catch(() => {});
      // Let a caller that just got records from poll() note them before it is asked to commit.
      await new Promise((r) => setImmediate(r));
      await this.callListener('onRevoked', tps);
    })().finally(() => { this.revoking = null; });
    this.listenerBusy = this.revoking;
    return this.revoking;
  }

  private async callListener(which: 'onRevoked' | 'onAssigned', tps: TopicPartitionRef[]): Promise<void> {
    try {
      await this.options.listener?.[which](tps);
    } catch (err) {
      this.opts.logger.error({ err }, `${which} of group ${this.options.groupId} failed`);
      if (which === 'onAssigned') this.failure = err instanceof Error ? err : new ConnectError(String(err));
    }
  }
}

function groupByTopic(tps: readonly TopicPartitionRef[]): Array<{ topic: string; partitions: number[] }> {
  const m = new Map<string, number[]>();
  for (const tp of tps) (m.get(tp.topic) ?? m.set(tp.topic, []).get(tp.topic)!).push(tp.partition);
  return [...m].map(([topic, partitions]) => ({ topic, partitions }));
}
