import type { Herder } from '../herder/herder.js';
import type { Log } from '../log/log.js';
import { quantile, taskSnapshots, type LatencyStage, type WorkerMetrics } from '../metrics.js';

/** One sample of a connector, as the console charts it. */
export interface ConnectorSample {
  /** Records in (source: polled; sink: read from the log) and out (acknowledged by the log; put), totals of this worker's tasks. */
  in: number;
  out: number;
  /** Sink: records in its topics not yet committed by its group. */
  lag?: number;
  /** Records in its dead letter queue topic. */
  dlq?: number;
}

export interface Sample {
  at: number;
  connectors: Record<string, ConnectorSample>;
}

const KEEP = 120;
const EVERY_MS = 5000;
/** Sampling stops this long after the console last asked, so an unwatched worker does no extra work. */
const IDLE_MS = 60_000;

/**
 * A short history of per-connector figures for the console's live charts: counters of the tasks that run
 * on this worker, sink lag and DLQ size read through the log's admin client. Samples every 5 s while
 * someone watches.
 */
export class ConsoleMetrics {
  private readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastAsked = 0;
  private sampling = false;

  constructor(private readonly herder: Herder, private readonly metrics: WorkerMetrics, private readonly log: Log | undefined) {}

  /** The history so far and the latency percentiles of each local task; starts sampling if idle. */
  async read(): Promise<{ every_ms: number; samples: Sample[]; tasks: Array<Record<string, unknown>> }> {
    this.lastAsked = Date.now();
    if (!this.timer) {
      await this.sample();
      this.timer = setInterval(() => void this.tick(), EVERY_MS);
      this.timer.unref();
    }
    const tasks = (await taskSnapshots(this.metrics)).map((t) => ({
      connector: t.connector, task: t.task, polled: t.polled, written: t.written,
      latency: Object.fromEntries((Object.entries(t.latency) as Array<[LatencyStage, { count: number; buckets: number[] }]>).map(([stage, h]) => [stage, {
        count: h.count, p50_ms: ms(quantile(h.buckets, h.count, 0.5)), p99_ms: ms(quantile(h.buckets, h.count, 0.99)),
      }])),
    }));
    return { every_ms: EVERY_MS, samples: this.samples, tasks };
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async tick(): Promise<void> {
    if (Date.now() - this.lastAsked > IDLE_MS) return this.stop();
    await this.sample();
  }

  private async sample(): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    try {
      const byConnector: Record<string, ConnectorSample> = {};
      for (const t of await taskSnapshots(this.metrics)) {
        const c = (byConnector[t.connector] ??= { in: 0, out: 0 });
        c.in += t.polled;
        c.out += t.written;
      }
      for (const name of await this.herder.connectors()) {
        const c = (byConnector[name] ??= { in: 0, out: 0 });
        const config = await this.herder.connectorConfig(name).catch(() => null);
        if (!config || !this.log) continue;
        const dlq = config['errors.deadletterqueue.topic.name'];
        if (dlq) c.dlq = await this.topicSize(dlq);
        if (config.topics && !config['topics.regex']) c.lag = await this.lag(`connect-${name}`, config.topics.split(',').map((s) => s.trim()).filter(Boolean));
      }
      for (const name of Object.keys(byConnector)) if (!(await this.herder.connectors()).includes(name)) delete byConnector[name];
      this.samples.push({ at: Date.now(), connectors: byConnector });
      if (this.samples.length > KEEP) this.samples.shift();
    } catch {
      // A sample the log cannot give now is skipped; the chart shows a gap.
    } finally {
      this.sampling = false;
    }
  }

  private async topicSize(topic: string): Promise<number | undefined> {
    const admin = this.log!.admin();
    if ((await admin.partitionCount(topic)) === null) return 0;
    return (await admin.partitionOffsets(topic)).reduce((n, p) => n + p.high - p.low, 0);
  }

  private async lag(group: string, topics: string[]): Promise<number | undefined> {
    const admin = this.log!.admin();
    const committed = new Map((await admin.groupOffsets(group)).map((o) => [`${o.topic}/${o.partition}`, o.offset]));
    let lag = 0;
    for (const topic of topics) {
      if ((await admin.partitionCount(topic)) === null) continue;
      for (const p of await admin.partitionOffsets(topic)) lag += Math.max(0, p.high - (committed.get(`${topic}/${p.partition}`) ?? p.low));
    }
    return lag;
  }
}

function ms(seconds: number | null): number | null {
  return seconds === null ? null : Math.round(seconds * 10_000) / 10;
}
