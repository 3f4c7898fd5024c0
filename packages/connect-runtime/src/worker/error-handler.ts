import type { Logger } from '@tributary/connect-api';
import { isRetriable } from '@tributary/connect-api';
import type { LogHeader, Producer } from '../log/log.js';

/** The pipeline stages errors are attributed to, named as Kafka Connect names them. */
export type Stage = 'KEY_CONVERTER' | 'VALUE_CONVERTER' | 'HEADER_CONVERTER' | 'TRANSFORMATION' | 'TASK_PUT' | 'TASK_POLL' | 'KAFKA_PRODUCE' | 'KAFKA_CONSUME';

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
  /** Needed only when a DLQ topic is configured. */
  producer?: Producer;
}

const enc = new TextEncoder();

/**
 * `errors.tolerance`, `errors.log.*` and the dead-letter queue. A record-level failure in a tolerated
 * stage (converters, transforms) is skipped with `all` and fails the task with `none`; a skipped
 * record is logged and, when a DLQ topic is set, written there with its original bytes.
 */
export class ErrorHandler {
  readonly toleranceAll: boolean;
  private readonly logEnabled: boolean;
  private readonly logMessages: boolean;
  private readonly dlqTopic: string;
  private readonly contextHeaders: boolean;
  /** Records skipped so far; shown in metrics. */
  skipped = 0;

  constructor(private readonly opts: ErrorHandlerOptions) {
    const c = opts.config;
    this.toleranceAll = (c['errors.tolerance'] ?? 'none').toLowerCase() === 'all';
    this.logEnabled = c['errors.log.enable'] === 'true';
    this.logMessages = c['errors.log.include.messages'] === 'true';
    this.dlqTopic = c['errors.deadletterqueue.topic.name'] ?? '';
    this.contextHeaders = c['errors.deadletterqueue.context.headers.enable'] === 'true';
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
    const tolerated = this.toleranceAll && (isRecordStage(ctx.stage) || isRetriable(err));
    if (this.logEnabled || !tolerated) {
      const detail: Record<string, unknown> = { err, stage: ctx.stage, connector: this.opts.connector, task: this.opts.taskId };
      if (this.logMessages) Object.assign(detail, { topic: ctx.topic, partition: ctx.partition, offset: ctx.offset, record: ctx.describe?.() });
      this.opts.logger.error(detail, `Error encountered in task ${this.opts.connector}-${this.opts.taskId} at stage ${ctx.stage}`);
    }
    if (!tolerated) throw err;
    this.skipped++;
    if (this.dlqTopic) await this.deadLetter(err, ctx);
  }

  private async deadLetter(err: unknown, ctx: ErrorContext): Promise<void> {
    const headers: LogHeader[] = [...(ctx.headers ?? [])];
    if (this.contextHeaders) {
      const e = err instanceof Error ? err : new Error(String(err));
      const put = (k: string, v: unknown) => headers.push({ key: `__connect.errors.${k}`, value: v === undefined ? null : enc.encode(String(v)) });
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
    await this.opts.producer!.send([{ topic: this.dlqTopic, key: ctx.key ?? null, value: ctx.value ?? null, headers }]);
  }
}

/**
 * Stages whose failures `errors.tolerance=all` skips. TASK_PUT arrives only through the sink's
 * errant-record reporter and TASK_POLL only through source records marked `errant`.
 */
function isRecordStage(stage: Stage): boolean {
  return stage === 'KEY_CONVERTER' || stage === 'VALUE_CONVERTER' || stage === 'HEADER_CONVERTER' || stage === 'TRANSFORMATION' ||
    stage === 'TASK_PUT' || stage === 'TASK_POLL';
}
