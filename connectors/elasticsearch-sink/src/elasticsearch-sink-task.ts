import {
  ConnectError,
  DataError,
  sleep,
  type SinkRecord,
  type SinkTask,
  type SinkTaskContext,
  type TopicPartition,
} from '@tributary/connect-api';
import { BulkProcessor, type Pending } from './bulk-processor.js';
import { parseSettings, VERSION, type SinkSettings } from './config.js';
import { ElasticsearchSinkClient, NeedsSchemaError, RequestFailure, type SinkClient } from './elasticsearch-client.js';
import { mappingFor } from './mapping.js';
import { OffsetTracker } from './offset-tracker.js';
import { RecordConverter, where } from './record-converter.js';
import { RetryPolicy } from './retry.js';

type OffsetMap = Map<string, { tp: TopicPartition; offset: number }>;

/** How long the final commit of a stopping task waits for requests in flight. */
const STOP_DRAIN_MS = 5000;

/**
 * Writes records to Elasticsearch asynchronously: put() converts each record to a bulk action and
 * hands it to the BulkProcessor, waiting only when max.buffered.records are unacknowledged;
 * preCommit() returns per partition only what Elasticsearch acknowledged without a gap, so a crash
 * re-delivers everything not yet written, and external versioning makes that re-delivery harmless.
 */
export class ElasticsearchSinkTask implements SinkTask {
  private s!: SinkSettings;
  private ctx!: SinkTaskContext;
  private client!: SinkClient;
  private converter!: RecordConverter;
  private processor!: BulkProcessor;
  private readonly tracker = new OffsetTracker();
  /** Indices (or data streams) this task has checked or created, with their mapping. */
  private readonly ready = new Set<string>();
  /** Aborted by the runtime's stop signal and by stop() (a failed task is stopped without the signal). */
  private readonly abort = new AbortController();

  /** Tests may pass a client standing in for Elasticsearch. */
  constructor(private readonly makeClient: (s: SinkSettings) => SinkClient = (s) => new ElasticsearchSinkClient(s)) {}

  version(): string {
    return VERSION;
  }

  start(config: Record<string, string>, ctx: SinkTaskContext): void {
    this.ctx = ctx;
    this.s = parseSettings(config);
    this.client = this.makeClient(this.s);
    this.converter = new RecordConverter(this.s);
    ctx.signal.addEventListener('abort', () => this.abort.abort(), { once: true });
    this.processor = new BulkProcessor(
      this.client,
      this.s,
      (p, kind, status, reason) => this.rejected(p, kind, status, reason),
      ctx.logger,
      this.abort.signal,
    );
  }

  async put(records: SinkRecord[]): Promise<void> {
    for (const record of records) {
      this.throwIfFailed();
      let action;
      try {
        action = this.converter.toAction(record);
        if (action && !this.ready.has(action.index)) await this.prepareIndex(action.index, record);
      } catch (e) {
        if (!(e instanceof DataError)) throw e;
        await this.invalid(record, e);
        continue;
      }
      if (!action) continue; // skipped by policy (an ignored tombstone): nothing holds its offset back
      await this.waitForRoom();
      const tracked = this.tracker.track(
        record.originalTopic,
        record.originalKafkaPartition,
        record.originalKafkaOffset,
      );
      this.processor.add({ action, record, enqueuedAt: Date.now(), onDone: () => this.tracker.markDone(tracked) });
    }
  }

  async preCommit(offsets: OffsetMap): Promise<OffsetMap> {
    this.throwIfFailed();
    if (this.ctx.signal.aborted) await this.processor.drain(STOP_DRAIN_MS); // final commit: let in-flight writes land
    return this.tracker.committable(offsets);
  }

  close(partitions: TopicPartition[]): void {
    this.tracker.forget(partitions);
  }

  async stop(): Promise<void> {
    const { requests, retries, versionConflicts, rejected } = this.processor?.stats ?? {};
    this.ctx?.logger.info(
      `stopping: ${requests} bulk requests, ${retries} retries, ${versionConflicts} version conflicts (redeliveries), ${rejected} documents refused`,
    );
    this.abort.abort();
    this.processor?.close();
    await this.client?.close();
  }

  private throwIfFailed(): void {
    const f = this.processor.failure;
    if (f) throw f;
  }

  /** Waits while max.buffered.records are unacknowledged (backpressure on the consumer). */
  private async waitForRoom(): Promise<void> {
    let deadline = Date.now() + this.s.flushTimeoutMs;
    while (this.tracker.pending >= this.s.maxBufferedRecords) {
      this.throwIfFailed();
      if (this.abort.signal.aborted)
        throw new ConnectError('Task stopping while waiting for buffer room; unwritten records are delivered again.', {
          code: 'ES_STOPPING',
          retriable: true,
        });
      // An outage is the retry policy's business (errors.retry.timeout); this timeout is for a slow cluster.
      if (this.processor.retrying > 0) deadline = Date.now() + this.s.flushTimeoutMs;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new ConnectError(
          `Elasticsearch did not acknowledge any of ${this.tracker.pending} buffered records for flush.timeout.ms (${this.s.flushTimeoutMs} ms). ` +
            'The cluster is too slow for this load: raise flush.timeout.ms or read.timeout.ms, or lower batch.size / max.in.flight.requests.',
          { code: 'ES_FLUSH_TIMEOUT' },
        );
      }
      await this.processor.changed(Math.min(left, 1000));
    }
  }

  /** Creates the index (with a mapping from the record's schema unless schema.ignore) on first use. */
  private async prepareIndex(index: string, record: SinkRecord): Promise<void> {
    const dataStream = this.s.dataStreamType !== null;
    const useSchema = !dataStream && !this.s.schemaIgnore && !this.s.topicSchemaIgnore.has(record.topic);
    const mapping = useSchema ? () => mappingFor(record.valueSchema) : null;
    const policy = new RetryPolicy(this.s);
    let firstFailureAt = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.ensureIndex(index, dataStream, mapping);
        this.ready.add(index);
        return;
      } catch (e) {
        if (e instanceof NeedsSchemaError) {
          throw new DataError(
            `Cannot infer mapping without schema: record ${where(record)} has no value schema (or is not a struct) and index ${index} has no mapping. Set schema.ignore=true for dynamic mapping, or use a converter that carries schemas (e.g. JsonConverter with schemas.enable=true).`,
            { code: 'ES_NO_SCHEMA' },
          );
        }
        if (!(e instanceof RequestFailure) || !e.retriable) throw e;
        if (attempt === 1) firstFailureAt = Date.now();
        const delay = policy.nextDelay(attempt, firstFailureAt);
        if (delay === null || this.abort.signal.aborted)
          throw new ConnectError(
            `${e.message}; gave up after ${attempt} attempts. Raise errors.retry.timeout to wait longer for Elasticsearch.`,
            { code: 'ES_RETRIES_EXHAUSTED', cause: e },
          );
        if (attempt === 1) this.ctx.logger.warn(`${e.message}; retrying`);
        await sleep(delay, this.abort.signal);
      }
    }
  }

  /** A record that cannot become a document: dropped (drop.invalid.message) or the error handler's. */
  private async invalid(record: SinkRecord, e: DataError): Promise<void> {
    if (this.s.dropInvalidMessage) {
      this.ctx.logger.warn(`Dropping record ${where(record)} (drop.invalid.message=true): ${e.message}`);
      return;
    }
    if (this.ctx.errantRecordReporter) await this.ctx.errantRecordReporter(record, e);
    else throw e;
  }

  /** A document Elasticsearch refused for good, by behavior.on.malformed.documents. */
  private async rejected(p: Pending, kind: 'malformed' | 'other', status: number, reason: string): Promise<void> {
    const record = p.record;
    const what = `Elasticsearch refused the document of record ${where(record)} (index ${p.action.index}, id ${p.action.id ?? '-'}, HTTP ${status}): ${reason}`;
    if (kind === 'malformed' && this.s.malformed !== 'fail') {
      if (this.s.malformed === 'warn') this.ctx.logger.warn(`${what}; skipped (behavior.on.malformed.documents=warn)`);
      else this.ctx.logger.debug(`${what}; skipped (behavior.on.malformed.documents=ignore)`);
      return;
    }
    const hint =
      kind === 'malformed'
        ? ' Fix the mapping or the data, or set behavior.on.malformed.documents=warn (or ignore) to skip such documents.'
        : '';
    const err = new DataError(what + '.' + hint, {
      code: kind === 'malformed' ? 'ES_MALFORMED_DOCUMENT' : 'ES_DOCUMENT_REFUSED',
    });
    if (this.ctx.errantRecordReporter) await this.ctx.errantRecordReporter(record, err);
    else throw err;
  }
}
