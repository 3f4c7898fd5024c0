/**
 * The one small interface through which the runtime talks to topics. Two implementations pass the
 * same contract suite (log-contract.ts): the embedded log (segment files in a local directory, one
 * worker process) and Kafka (@platformatic/kafka). Nothing above this file knows which one it is talking to.
 */

export interface LogHeader {
  readonly key: string;
  readonly value: Uint8Array | null;
}

/** A record to append. `partition` unset → key-hash partitioning (murmur2, as Kafka's default). */
export interface ProduceRecord {
  readonly topic: string;
  readonly partition?: number | null;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly timestamp?: number;
  readonly headers?: readonly LogHeader[];
}

/** Where a produced record landed. */
export interface ProduceAck {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
}

/** A record read from the log. */
export interface LogRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers: readonly LogHeader[];
}

export interface TopicPartitionRef {
  readonly topic: string;
  readonly partition: number;
}

export interface TopicSpec {
  readonly topic: string;
  /** -1 or unset → the log's default. */
  readonly partitions?: number;
  readonly replicationFactor?: number;
  /** Topic-level configs, e.g. `cleanup.policy: compact`. */
  readonly configs?: Readonly<Record<string, string>>;
}

export interface Producer {
  /**
   * Appends records; resolves once every one is durable in the log (acks=all for Kafka; written to the
   * segment file for the embedded log), with one ack per record in input order. Records for the same
   * partition are appended in input order. Rejects with a RetriableError when the log is away for now.
   */
  send(records: readonly ProduceRecord[]): Promise<ProduceAck[]>;
  close(): Promise<void>;
}

/**
 * A producer whose every `send()` is one transaction (Kafka only): all of its records become visible
 * to read_committed readers together, or none do. Creating it fences older producers of the same
 * transactional id; once fenced, `send()` rejects with a ConnectError coded PRODUCER_FENCED.
 */
export interface TransactionalProducer {
  readonly transactionalId: string;
  /** Registers the id with the transaction coordinator now, fencing older producers of it. */
  init(): Promise<void>;
  send(records: readonly ProduceRecord[]): Promise<ProduceAck[]>;
  close(): Promise<void>;
}

/** Partitions given to or taken from a group member. */
export interface RebalanceListener {
  /** Called before partitions are taken away; commit what is done for them now. */
  onRevoked(partitions: TopicPartitionRef[]): Promise<void>;
  onAssigned(partitions: TopicPartitionRef[]): Promise<void>;
}

/**
 * Kafka client settings for one producer, consumer or admin client, spelled as Kafka's client keys
 * without prefix (`compression.type`, `max.poll.records`, …): a connector's KIP-458 overrides
 * (`producer.override.*` etc. with the prefix removed), applied over the worker's settings. The
 * embedded log ignores them.
 */
export type ClientOverrides = Readonly<Record<string, string>>;

/**
 * Told when a client cannot reach the log for now (it keeps retrying with backoff) and, with null,
 * when it can again: for status reporting. The embedded log never calls it.
 */
export type TroubleListener = (error: Error | null) => void;

export interface ProducerOptions {
  /** Client id for this producer (Kafka Connect: `connector-producer-<connector>-<task>`). */
  readonly clientId?: string;
  readonly overrides?: ClientOverrides;
  readonly onTrouble?: TroubleListener;
}

export interface ConsumerOptions {
  /**
   * The consumer group. Absent: the consumer reads every partition of `topics` on its own, joins no
   * group and commits nothing, as Kafka Connect's KafkaBasedLog reads its internal topics (no group
   * is left behind in the cluster).
   */
  readonly groupId?: string;
  /** Client id for this consumer (Kafka Connect: `connector-consumer-<connector>-<task>`). */
  readonly clientId?: string;
  readonly overrides?: ClientOverrides;
  readonly onTrouble?: TroubleListener;
  /** Topic names, or one regular expression (sink `topics.regex`). */
  readonly topics: readonly string[] | RegExp;
  /** Where to start when the group has no committed offset. Default earliest. */
  readonly autoOffsetReset?: 'earliest' | 'latest';
  readonly listener?: RebalanceListener;
  /** Upper bound for one `poll()` batch. */
  readonly maxPollRecords?: number;
}

/**
 * A member of a consumer group. Pull-based: the runtime calls `poll()` when it is ready for more, so
 * a slow sink slows consumption (backpressure) and memory stays bounded. Not safe for concurrent
 * `poll()` calls; `close()` may be called while a `poll()` waits (it then resolves empty).
 */
export interface Consumer {
  /** Joins the group (the listener's onAssigned fires with the first assignment). */
  start(): Promise<void>;
  /** Records available now, in offset order per partition, waiting up to `timeoutMs` for some. */
  poll(timeoutMs: number, signal?: AbortSignal): Promise<LogRecord[]>;
  /** Commits, per partition, the next offset to read. */
  commit(offsets: ReadonlyArray<TopicPartitionRef & { offset: number }>): Promise<void>;
  /** Next fetch from this partition starts at `offset`. */
  seek(tp: TopicPartitionRef, offset: number): void;
  pause(tps: readonly TopicPartitionRef[]): void;
  resume(tps: readonly TopicPartitionRef[]): void;
  assignment(): TopicPartitionRef[];
  /**
   * The offset of the next record `poll()` will hand out from this partition, past transaction
   * markers and aborted records it skipped (Kafka's `position()`); undefined before it is known.
   * Optional: the embedded log has no markers, so record offsets tell the same.
   */
  position?(tp: TopicPartitionRef): number | undefined;
  close(): Promise<void>;
}

export interface Admin {
  /** Creates missing topics; existing ones are left as they are. */
  createTopics(specs: readonly TopicSpec[]): Promise<void>;
  listTopics(): Promise<string[]>;
  /** Partition count of a topic, or null when it does not exist. */
  partitionCount(topic: string): Promise<number | null>;
  /** Offsets committed by a group (next offset to read), per partition. */
  groupOffsets(groupId: string): Promise<Array<TopicPartitionRef & { offset: number }>>;
  /** Sets a group's committed offsets; the group must have no active member. */
  setGroupOffsets(groupId: string, offsets: ReadonlyArray<TopicPartitionRef & { offset: number }>): Promise<void>;
  deleteGroup(groupId: string): Promise<void>;
  /**
   * First and next-to-be-written offset of each partition; with `read_committed`, `high` is the last
   * stable offset (before the first open transaction), what a read_committed reader can reach.
   */
  partitionOffsets(
    topic: string,
    isolation?: 'read_committed' | 'read_uncommitted',
  ): Promise<Array<{ partition: number; low: number; high: number }>>;
}

/** A connection to a log. One per worker; producers and consumers come from it. */
export interface Log {
  readonly kind: 'embedded' | 'kafka';
  producer(options?: ProducerOptions): Producer;
  /** Transactions: Kafka only (absent on the embedded log). */
  transactionalProducer?(options: ProducerOptions & { readonly transactionalId: string }): TransactionalProducer;
  /** Fences every producer of these transactional ids (KIP-618's zombie fencing): Kafka only. */
  fenceProducers?(transactionalIds: readonly string[]): Promise<void>;
  consumer(options: ConsumerOptions): Consumer;
  admin(): Admin;
  close(): Promise<void>;
}
