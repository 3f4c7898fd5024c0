import type { SourcePartition, SourceRecord, SourceTask, SourceTaskContext } from '@tributary/connect-api';
import { parseSyslogConfig, type SyslogConfig, VERSION } from './config.js';
import { ReceiveQueue } from './receive-queue.js';
import { ReverseDns } from './reverse-dns.js';
import { SyslogServer } from './syslog-server.js';
import { toSourceRecord, type RecordOptions } from './syslog-record.js';
import { kernelUdpDrops } from './udp-drops.js';

/**
 * Listens for syslog and hands each message to the worker as a record.
 *
 * Syslog has no replay: the offset (`{session, sequence}` under `{listener, port}`) only tells which
 * message of which task run a record was; a restarted task does not read it back. What was received
 * but not yet in the log when the worker dies is lost; the queue bound limits how much (see README).
 */
export class SyslogSourceTask implements SourceTask {
  private cfg!: SyslogConfig;
  private ctx!: SourceTaskContext;
  private queue!: ReceiveQueue;
  private server!: SyslogServer;
  private dns: ReverseDns | null = null;
  private recordOptions!: RecordOptions;
  private readonly session = Date.now();
  private sequence = 0;
  private statsTimer: NodeJS.Timeout | null = null;
  /** Kernel drop counter when the task started (it counts for the socket's life only, but be safe). */
  private kernelDropsAtStart: number | null = null;
  private lastReported = { kernel: 0, queue: 0, framing: 0 };

  version(): string {
    return VERSION;
  }

  async start(config: Record<string, string>, ctx: SourceTaskContext): Promise<void> {
    this.cfg = parseSyslogConfig(config);
    this.ctx = ctx;
    const dlq = ctx.connectorConfig['errors.deadletterqueue.topic.name'];
    const partition: SourcePartition = { listener: this.cfg.listener, port: this.cfg.port };
    this.recordOptions = {
      topic: this.cfg.topic,
      sourcePartition: partition,
      deadLetterTopic: dlq ? dlq : null,
      connector: ctx.connector,
    };
    if (this.cfg.reverseDns) this.dns = new ReverseDns(this.cfg.reverseDnsCacheMs);
    this.queue = new ReceiveQueue(
      this.cfg.queueMax,
      () => this.server.pause(),
      () => this.server.resume(),
    );
    this.server = new SyslogServer(this.cfg, this.queue, ctx.logger);
    await this.server.start();
    if (this.cfg.listener === 'UDP') this.kernelDropsAtStart = await kernelUdpDrops(this.cfg.port);
    this.statsTimer = setInterval(() => void this.reportStats(false), this.cfg.statsIntervalMs);
    this.statsTimer.unref();
    ctx.logger.info(
      `syslog ${this.cfg.listener} listener on ${this.cfg.address}:${this.cfg.port} → topic ${this.cfg.topic}`,
    );
  }

  async poll(): Promise<SourceRecord[] | null> {
    if (this.queue.size === 0) await this.queue.waitForData(this.cfg.backoffMs, this.ctx.signal);
    const batch = this.queue.take(this.cfg.batchSize);
    if (batch.length === 0) return null;
    if (this.dns) await this.dns.resolveAll(batch.map((r) => r.remoteIp));
    const out: SourceRecord[] = new Array(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i]!;
      out[i] = toSourceRecord(
        r,
        this.dns?.get(r.remoteIp) ?? null,
        { session: this.session, sequence: ++this.sequence },
        this.recordOptions,
      );
    }
    return out;
  }

  async stop(): Promise<void> {
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.statsTimer = null;
    if (!this.server) return;
    await this.reportStats(true).catch(() => undefined);
    const left = this.queue.size;
    await this.server.stop();
    if (left > 0)
      this.ctx.logger.warn(
        `syslog task stopped with ${left} received messages not yet written; syslog cannot replay them`,
      );
  }

  /**
   * Publishes the counters as task metrics (GET /metrics) and logs them: a warning whenever drops or
   * framing errors grew, an info line at stop.
   */
  private async reportStats(final: boolean): Promise<void> {
    const s = this.server.stats();
    let kernel = 0;
    if (this.cfg.listener === 'UDP') {
      const now = await kernelUdpDrops(this.cfg.port);
      if (now !== null) kernel = now - (this.kernelDropsAtStart ?? 0);
    }
    const grew =
      kernel > this.lastReported.kernel ||
      s.udpQueueDrops > this.lastReported.queue ||
      s.framingErrors > this.lastReported.framing;
    const line =
      `syslog ${this.cfg.listener}:${this.cfg.port} stats: received=${s.received} queued=${this.queue.size} ` +
      `connections=${s.connections} connections_total=${s.connectionsTotal} framing_errors=${s.framingErrors}` +
      (this.cfg.listener === 'UDP' ? ` udp_kernel_drops=${kernel} udp_queue_full_drops=${s.udpQueueDrops}` : '');
    if (grew) {
      const advice =
        kernel > this.lastReported.kernel
          ? ' (the kernel dropped datagrams: raise syslog.udp.receive.buffer.bytes and net.core.rmem_max, or use TCP)'
          : s.udpQueueDrops > this.lastReported.queue
            ? ' (the queue was full: the log is not keeping up; raise syslog.queue.max.size or use TCP)'
            : '';
      this.ctx.logger.warn(line + advice);
    } else if (final) {
      this.ctx.logger.info(line);
    }
    this.lastReported = { kernel, queue: s.udpQueueDrops, framing: s.framingErrors };
    this.gauges ??= this.ctx.metrics
      ? {
          kernel: this.ctx.metrics.gauge(
            'syslog_udp_kernel_drops',
            'UDP datagrams the kernel dropped for this listener (from /proc/net/udp)',
          ),
          queue: this.ctx.metrics.gauge(
            'syslog_udp_queue_full_drops',
            'UDP datagrams dropped because the task queue was full',
          ),
          framing: this.ctx.metrics.gauge('syslog_framing_errors', 'TCP frames that could not be read'),
          connections: this.ctx.metrics.gauge('syslog_connections', 'Open TCP/TLS connections'),
        }
      : null;
    this.gauges?.kernel(kernel);
    this.gauges?.queue(s.udpQueueDrops);
    this.gauges?.framing(s.framingErrors);
    this.gauges?.connections(s.connections);
  }

  private gauges: Record<'kernel' | 'queue' | 'framing' | 'connections', (v: number) => void> | null | undefined;

  /** For tests and diagnostics: the counters, with the kernel's UDP drops since start. */
  async stats(): Promise<ReturnType<SyslogServer['stats']> & { udpKernelDrops: number | null; queued: number }> {
    const k = this.cfg.listener === 'UDP' ? await kernelUdpDrops(this.cfg.port) : null;
    return {
      ...this.server.stats(),
      udpKernelDrops: k === null ? null : k - (this.kernelDropsAtStart ?? 0),
      queued: this.queue.size,
    };
  }
}
