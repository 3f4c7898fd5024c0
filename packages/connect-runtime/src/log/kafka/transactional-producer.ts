/**
 * A transactional producer (KIP-98) for exactly-once source tasks (KIP-618): each `send()` is one
 * Kafka transaction — a task's records and their source offsets land together or not at all, and
 * read_committed readers see them only after the commit.
 *
 * The transactional id is the task's (`<group.id>-<connector>-<task>`, as Kafka Connect derives it):
 * initializing it bumps the id's epoch, which fences any older producer with the same id — a
 * zombie task on a worker that lost its session cannot write any more. A fenced producer rejects
 * with a ConnectError (code PRODUCER_FENCED): the task must not go on. A transient failure aborts
 * the transaction and sends it again, so nothing is lost and nothing is written twice.
 */
import { ConnectError, RetriableError } from '@tributary/connect-api';
import { Producer as ClientProducer, type CompressionAlgorithmValue } from '@platformatic/kafka';
import type { Logger } from '../../logging.js';
import type { ProduceAck, ProduceRecord, TransactionalProducer } from '../log.js';
import { isTransientKafkaError, protocolErrorOf, reasonOf, toLogError } from './errors.js';
import { DEFAULT_REQUEST_BYTES, Placement, requestChunks } from './placement.js';
import { intSetting, type ConnectionSettings } from './settings.js';

export interface KafkaTransactionalProducerOptions {
  readonly connection: ConnectionSettings;
  readonly props: Readonly<Record<string, string>>;
  readonly transactionalId: string;
  readonly logger: Logger;
  readonly onAttempt?: (error: Error | null) => void;
}

/**
 * Records per produce request in a transaction: a poll batch (and its offsets) usually goes in one
 * request, so a transaction costs three round trips (AddPartitionsToTxn, Produce, EndTxn) instead of
 * one AddPartitionsToTxn and one Produce more per 1000 records (bench/kafka-source.mjs, exactly once).
 */
const TRANSACTION_REQUEST_RECORDS = 10_000;

/** Kafka's answers that mean another producer took over this transactional id. */
const FENCED = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED']);

export function createTransactionalClient(
  c: ConnectionSettings,
  transactionalId: string,
  props: Readonly<Record<string, string>>,
): ClientProducer {
  return new ClientProducer({
    clientId: c.clientId,
    bootstrapBrokers: c.brokers,
    tls: c.tls,
    sasl: c.sasl,
    connectTimeout: c.connectTimeout,
    requestTimeout: c.requestTimeout,
    metadataMaxAge: c.metadataMaxAge,
    // Right after a commit the coordinator answers CONCURRENT_TRANSACTIONS until its markers are written:
    // retry that quickly, as Java's producer does (20 ms).
    timeout: intSetting(props, 'transaction.timeout.ms', 60_000),
    retries: 60,
    retryDelay: 3,
    idempotent: true,
    acks: -1,
    autocreateTopics: true,
    transactionalId,
    // A new producer asks InitProducerId for the id's current producer (-1/-1); any other pair means
    // "bump this producer's epoch" (KIP-360) and is refused as fenced when it does not match.
    producerId: -1n,
    producerEpoch: -1,
  });
}

export class KafkaTransactionalProducer implements TransactionalProducer {
  private readonly client: ClientProducer;
  private readonly placement = new Placement();
  private readonly compression: CompressionAlgorithmValue | undefined;
  private closed = false;
  private busy: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: KafkaTransactionalProducerOptions) {
    const compression = (o.props['compression.type'] ?? 'none').toLowerCase();
    this.compression = compression === 'none' ? undefined : (compression as CompressionAlgorithmValue);
    this.client = createTransactionalClient(o.connection, o.transactionalId, o.props);
  }

  get transactionalId(): string {
    return this.o.transactionalId;
  }

  /** Starts the producer now (fencing older producers of the id) rather than at the first send. */
  async init(): Promise<void> {
    await this.run(async () => {
      // Beginning registers the id (InitProducerId); an empty transaction needs no EndTxn.
      const tx = await this.client.beginTransaction();
      await tx.cancel();
    });
  }

  send(records: readonly ProduceRecord[]): Promise<ProduceAck[]> {
    if (records.length === 0) return Promise.resolve([]); // Kafka refuses to end a transaction that wrote nothing
    const next = this.busy.then(() => this.run(() => this.once(records)));
    this.busy = next.catch(() => {});
    return next;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client
      .close(true)
      .catch((err: unknown) => this.o.logger.debug({ err }, 'closing the transactional producer'));
  }

  private async once(records: readonly ProduceRecord[]): Promise<ProduceAck[]> {
    const tx = await this.client.beginTransaction();
    try {
      const acks: ProduceAck[] = [];
      for (const chunk of requestChunks(records, TRANSACTION_REQUEST_RECORDS, DEFAULT_REQUEST_BYTES)) {
        const batch = await this.placement.place(this.client, chunk);
        const result = await tx.send({ messages: batch.messages, compression: this.compression });
        for (const a of batch.acks(result.offsets ?? [])) acks.push(a);
      }
      await tx.commit();
      return acks;
    } catch (err) {
      if (!tx.completed) await tx.abort().catch(() => tx.cancel().catch(() => {}));
      throw err;
    }
  }

  /** Runs one transaction, again after a transient failure (the aborted one left nothing visible). */
  private async run<T>(f: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw new RetriableError('the producer is closed', { code: 'PRODUCER_CLOSED' });
      try {
        const out = await f();
        if (attempt > 0) this.o.onAttempt?.(null);
        return out;
      } catch (err) {
        const code = protocolErrorOf(err);
        if (code && FENCED.has(code)) {
          throw new ConnectError(
            `the transactional producer ${this.o.transactionalId} was fenced by a newer one (${code}): another worker runs this task now`,
            { code: 'PRODUCER_FENCED', cause: err },
          );
        }
        const e = toLogError(
          err,
          `a transaction of ${this.o.transactionalId}`,
          this.o.connection.brokers,
          this.o.connection.describe,
        );
        this.o.onAttempt?.(e);
        if (!isTransientKafkaError(err) || this.closed) throw e;
        const waitMs = Math.min(10_000, 100 * 2 ** Math.min(attempt, 10));
        if (attempt === 0 || attempt % 10 === 0)
          this.o.logger.warn({ reason: reasonOf(err) }, `${e.message}; aborted, trying again in ${waitMs} ms`);
        await new Promise((r) => setTimeout(r, waitMs));
      }
    }
  }
}
