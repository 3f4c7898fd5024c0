import type { Logger } from '../logging.js';
import type { Consumer, Log, LogRecord } from '../log/log.js';

/**
 * Reads a whole topic from the beginning and keeps following it, as Kafka Connect's `KafkaBasedLog`:
 * the config, offset and status topics are each read this way by every worker. `readToEnd()` resolves
 * once everything written before the call has been applied.
 */
export class TopicReader {
  private consumer: Consumer | null = null;
  private readonly positions = new Map<number, number>();
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly log: Log,
    readonly topic: string,
    private readonly apply: (record: LogRecord) => void,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    // No group: every worker reads every partition from the start, and leaves no group behind.
    this.consumer = this.log.consumer({
      topics: [this.topic],
      autoOffsetReset: 'earliest',
      maxPollRecords: 5000,
      overrides: { 'isolation.level': 'read_committed' },
    });
    await this.consumer.start();
    this.loop = this.run();
    await this.readToEnd();
  }

  /** Waits until every record written to the topic before this call has been applied. */
  async readToEnd(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const ends = await this.endOffsets(deadline);
    // Past transaction markers too (exactly-once tasks write offsets in transactions): ask the consumer.
    const at = (p: number, low: number) =>
      Math.max(this.positions.get(p) ?? low, this.consumer?.position?.({ topic: this.topic, partition: p }) ?? low);
    while (!ends.every((e) => at(e.partition, e.low) >= e.high)) {
      if (Date.now() > deadline) throw new Error(`timed out reading ${this.topic} to its end`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }

  /** End offsets, retried while a just-created topic has no partition leaders yet. */
  private async endOffsets(deadline: number): Promise<Array<{ partition: number; low: number; high: number }>> {
    for (;;) {
      try {
        // The last stable offsets: an open transaction (a task killed mid-transaction) is not waited for.
        return await this.log.admin().partitionOffsets(this.topic, 'read_committed');
      } catch (err) {
        if (Date.now() > deadline) throw err;
        this.logger.debug({ err, topic: this.topic }, 'end offsets not available yet; retrying');
        await new Promise((r) => setTimeout(r, 300));
      }
    }
  }

  /** Offset after the last applied record of partition 0 (the config topic's only partition). */
  get offset(): number {
    return this.positions.get(0) ?? 0;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    await this.consumer?.close();
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      let batch: LogRecord[];
      try {
        batch = await this.consumer!.poll(500, this.abort.signal);
      } catch (err) {
        this.logger.warn({ err, topic: this.topic }, 'reading an internal topic failed; retrying');
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      for (const r of batch) {
        try {
          this.apply(r);
        } catch (err) {
          this.logger.error(
            { err, topic: this.topic, offset: r.offset },
            'skipping an unreadable record in an internal topic',
          );
        }
        this.positions.set(r.partition, r.offset + 1);
      }
      if (batch.length > 0) {
        const w = this.waiters;
        this.waiters = [];
        for (const r of w) r();
      }
    }
  }
}

const dec = new TextDecoder();
const enc = new TextEncoder();

/** Internal topics hold JSON written as JsonConverter with schemas.enable=false writes it. */
export function jsonValue(r: LogRecord): unknown {
  return r.value === null ? null : JSON.parse(dec.decode(r.value));
}
export function keyText(r: LogRecord): string {
  return r.key === null ? '' : dec.decode(r.key);
}
export function jsonBytes(v: unknown): Uint8Array | null {
  return v === null ? null : enc.encode(JSON.stringify(v));
}
export function textBytes(s: string): Uint8Array {
  return enc.encode(s);
}
