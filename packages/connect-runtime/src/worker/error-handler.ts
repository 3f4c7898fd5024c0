import type { Logger } from '@tributary/connect-api';
import { isRetriable } from '@tributary/connect-api';
import type { LogHeader, Producer } from '../log/log.js';
import { errorHandlingConfig } from '../config/connector-config.js';
import { RetryPolicy, systemClock, type Clock } from './retry-policy.js';

/** The pipeline stages errors are attributed to, named as Kafka Connect names them. */
export type Stage =
  | 'KEY_CONVERTER'
  | 'VALUE_CONVERTER'
  | 'HEADER_CONVERTER'
  | 'TRANSFORMATION'
  | 'TASK_PUT'
  | 'TASK_POLL'
  | 'KAFKA_PRODUCE'
  | 'KAFKA_CONSUME';

export interface ErrorContext {
  stage: Stage;
  /** Where the record came from in the log (sinks), if known. */
  topic?: string;
  partition?: number;
  offset?: number;
  /** The original bytes, for the dead-letter queue. */
  key?: Uint8Array | null;
  value?: Uint8Array | null;
  headers?: readonly LogHeader[];
  /** A printable form of the record for error logs. */
  describe?: () => unknown;
}

export interface ErrorHandlerOptions {
  connector: string;
  taskId: number;
  config: Readonly<Record<string, string>>;
  logger: Logger;
  /** Needed only when a DLQ topic is configured. Owned by the handler: {@link ErrorHandler.close} closes it. */
  producer?: Producer;
  /** For tests; the system clock otherwise. */
  clock?: Clock;
}

const enc = new TextEncoder();

/**
 * `errors.*` of one task: the retry policy (`errors.retry.*`, see RetryPolicy), `errors.tolerance`,
 * `errors.log.*` and the dead-letter queue, all from the connector config parsed by its declaration.
 * A record-level failure in a tolerated stage (converters, transforms) is skipped with `all` and
 * fails the task with `none`; a skipped record is logged and, when a DLQ topic is set, written there
 * with its original bytes.
 */
export class ErrorHandler {
  readonly toleranceAll: boolean;
  /** How the task's runner retries what fails for now (log, put, converter preparation). */
  readonly retry: RetryPolicy;
  private readonly logEnabled: boolean;
  private readonly logMessages: boolean;
  private readonly dlqTopic: string;
  private readonly contextHeaders: boolean;
  private signal: AbortSignal | undefined;
  private closed: Promise<void> | null = null;
  /** Records skipped so far; shown in metrics. */
  skipped = 0;

  /** Throws a ConfigError when an `errors.*` value does not parse. */
  constructor(private readonly opts: ErrorHandlerOptions) {
    const c = errorHandlingConfig(opts.config);
    this.retry = new RetryPolicy(c, opts.clock ?? systemClock);
    this.toleranceAll = c.toleranceAll;
    this.logEnabled = c.logEnable;
    this.logMessages = c.logIncludeMessages;
    this.dlqTopic = c.dlqTopic;
    this.contextHeaders = c.dlqContextHeaders;
  }

  /** The task's stop signal: a dead-letter write waiting for the log gives up when it aborts. */
  stopOn(signal: AbortSignal): void {
    this.signal = signal;
  }

  /** Closes the DLQ producer, once; later calls return the same promise. */
  close(): Promise<void> {
    this.closed ??= this.opts.producer?.close() ?? Promise.resolve();
    return this.closed;
  }

  /** Whether sink tasks get an errant-record reporter: as in Kafka Connect, only with a DLQ or error logging. */
  get hasReporter(): boolean {
    return this.dlqTopic !== '' || this.logEnabled;
  }

  /**
   * Handles a record-level failure. Resolves when the record is safely skipped (and dead-lettered);
   * rejects with the original error when it must fail the task.
   */
  async handle(err: unknown, ctx: ErrorContext): Promise<void> {
    const tolerated = this.toleranceAll && (isToleratedStage(ctx.stage) || isRetriable(err));
    if (this.logEnabled || !tolerated) {
      const detail: Record<string, unknown> = {
        err,
        stage: ctx.stage,
        connector: this.opts.connector,
        task: this.opts.taskId,
      };
      if (this.logMessages)
        Object.assign(detail, {
          topic: ctx.topic,
          partition: ctx.partition,
          offset: ctx.offset,
          record: ctx.describe?.(),
        });
      this.opts.logger.error(
        detail,
        `Error encountered in task ${this.opts.connector}-${this.opts.taskId} at stage ${ctx.stage}`,
      );
    }
    if (!tolerated) throw err;
    this.skipped++;
    // A record the log itself refused would be refused again on the DLQ topic.
    if (this.dlqTopic && ctx.stage !== 'KAFKA_PRODUCE') await this.deadLetter(err, ctx);
  }

  private async deadLetter(err: unknown, ctx: ErrorContext): Promise<void> {
    const headers: LogHeader[] = [...(ctx.headers ?? [])];
    if (this.contextHeaders) {
      const e = err instanceof Error ? err : new Error(String(err));
      const put = (k: string, v: unknown) =>
        headers.push({ key: `__connect.errors.${k}`, value: v === undefined ? null : enc.encode(String(v)) });
      put('topic', ctx.topic);
      put('partition', ctx.partition);
      put('offset', ctx.offset);
      put('connector.name', this.opts.connector);
      put('task.id', this.opts.taskId);
      put('stage', ctx.stage);
      put('class.name', ctx.stage);
      put('exception.class.name', e.name);
      put('exception.message', e.message);
      put('exception.stacktrace', e.stack ?? e.message);
    }
    const record = [{ topic: this.dlqTopic, key: ctx.key ?? null, value: ctx.value ?? null, headers }];
    await this.retry.untilSuccess(() => this.opts.producer!.send(record), {
      signal: this.signal,
      onRetry: (e, _n, ms) =>
        this.opts.logger.warn(
          { err: e },
          `task ${this.opts.connector}-${this.opts.taskId}: dead letter queue unavailable; retrying in ${ms} ms`,
        ),
    });
  }
}

/**
 * Stages whose failures `errors.tolerance=all` skips, whatever the error. TASK_PUT arrives only
 * through the sink's errant-record reporter, TASK_POLL only through source records marked `errant`,
 * KAFKA_PRODUCE only for a batch the log refused for good (as Connect's `producerSendFailed`).
 */
function isToleratedStage(stage: Stage): boolean {
  return (
    stage === 'KEY_CONVERTER' ||
    stage === 'VALUE_CONVERTER' ||
    stage === 'HEADER_CONVERTER' ||
    stage === 'TRANSFORMATION' ||
    stage === 'TASK_PUT' ||
    stage === 'TASK_POLL' ||
    stage === 'KAFKA_PRODUCE'
  );
}
