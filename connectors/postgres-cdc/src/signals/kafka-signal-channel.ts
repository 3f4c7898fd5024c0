import { Consumer, type MessagesStream } from '@platformatic/kafka';
import { sleep, type SourceTaskContext } from '@tributary/connect-api';
import type { SignalConfig } from './signal-config.js';
import type { Signal } from './signal.js';

/**
 * Debezium's Kafka signal channel: JSON `{"type", "data"}` values on `signal.kafka.topic`, keyed by
 * `topic.prefix` (other keys belong to other connectors and are skipped); the record offset is the signal id.
 * The consumer group (`signal.kafka.groupId`) commits what was handed over, and a new group starts at the
 * earliest record, so a signal sent before the connector first started is not missed.
 */
export class KafkaSignalChannel {
  private consumer: Consumer | null = null;
  private stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | null = null;
  private stopped = false;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly cfg: SignalConfig,
    private readonly prefix: string,
    private readonly ctx: SourceTaskContext,
    private readonly receive: (s: Signal) => void,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      try {
        this.consumer = new Consumer({
          clientId: `${this.ctx.id}-signals`,
          groupId: this.cfg.kafkaGroup,
          bootstrapBrokers: this.cfg.kafkaServers!.split(',').map((s) => s.trim()),
        });
        this.stream = await this.consumer.consume({
          topics: [this.cfg.kafkaTopic!],
          mode: 'committed',
          fallbackMode: 'earliest',
          autocommit: 1000,
          maxWaitTime: 500,
        });
        attempt = 0;
        for await (const m of this.stream) {
          if (this.stopped) break;
          this.onMessage(m.key, m.value, m.offset);
        }
      } catch (e) {
        if (this.stopped) return;
        const wait = Math.min(30_000, 500 * 2 ** Math.min(attempt++, 6));
        this.ctx.logger.warn(
          `${this.ctx.id}: signal topic ${this.cfg.kafkaTopic}: ${(e as Error).message}; retrying in ${wait} ms`,
        );
        await this.closeClient();
        await sleep(wait, this.ctx.signal).catch(() => {});
      }
    }
  }

  private onMessage(key: Buffer | null | undefined, value: Buffer | null | undefined, offset: bigint): void {
    if (key?.toString('utf8') !== this.prefix) return;
    const id = String(offset);
    let v: { type?: unknown; data?: unknown };
    try {
      v = JSON.parse(value?.toString('utf8') ?? 'null') as typeof v;
      if (typeof v !== 'object' || v === null || typeof v.type !== 'string') throw new Error('no "type"');
    } catch (e) {
      this.ctx.logger.warn(`${this.ctx.id}: signal ${id} on ${this.cfg.kafkaTopic} skipped: ${(e as Error).message}`);
      return;
    }
    const data =
      v.data === undefined || v.data === null ? null : typeof v.data === 'string' ? v.data : JSON.stringify(v.data);
    try {
      this.receive({ id, type: v.type, data, channel: 'kafka' });
    } catch {
      // Rejected: already logged and notified.
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.closeClient();
    await Promise.race([this.loop?.catch(() => {}), sleep(2000)]);
  }

  private async closeClient(): Promise<void> {
    const stream = this.stream,
      consumer = this.consumer;
    this.stream = null;
    this.consumer = null;
    await stream?.close().catch(() => {});
    await consumer?.close(true).catch(() => {});
  }
}
