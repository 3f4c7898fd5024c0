import type { Herder } from '../herder/herder.js';
import type { Log } from '../log/log.js';
import { quantile, taskSnapshots, type LatencyStage, type WorkerMetrics } from '../metrics.js';

/** One sample of a connector, as the console charts it. */
export interface ConnectorSample {
  /**
   * Records in (source: polled; sink: read from the log) and out (acknowledged by the log; put), totals of this
   * worker's tasks.
   */
  in: number;
  out: number;
  /** Sink: records in its topics not yet committed by its group. */
  lag?: number;
  /** Records in its dead letter queue topic. */
  dlq?: number;
}

/** One task's counters and latency percentiles, as a worker reports them for the console. */
export interface TaskFigures {
  connector: string;
  task: number;
  worker_id: string;
  polled: number;
  written: number;
  latency: Record<string, { count: number; p50_ms: number | null; p99_ms: number | null }>;
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
  /** The Authorization header of the last request, to ask the other workers of a cluster with it. */
  private authorization: string | undefined;

  constructor(
    private readonly herder: Herder,
    private readonly metrics: WorkerMetrics,
    private readonly log: Log | undefined,
    private readonly workerId: string,
  ) {}

  /** The history so far and the figures of each task of the cluster; starts sampling if idle. */
  async read(authorization?: string): Promise<{ every_ms: number; samples: Sample[]; tasks: TaskFigures[] }> {
    this.lastAsked = Date.now();
    this.authorization = authorization;
    if (!this.timer) {
      await this.sample();
      this.timer = setInterval(() => void this.tick(), EVERY_MS);
      this.timer.unref();
    }
    return { every_ms: EVERY_MS, samples: this.samples, tasks: await this.allTasks() };
  }

  /** The tasks that run on this worker. */
  async localTasks(): Promise<TaskFigures[]> {
    return (await taskSnapshots(this.metrics)).map((t) => ({
      connector: t.connector,
      task: t.task,
      worker_id: this.workerId,
      polled: t.polled,
      written: t.written,
      latency: Object.fromEntries(
        (Object.entries(t.latency) as Array<[LatencyStage, { count: number; buckets: number[] }]>).map(([stage, h]) => [
          stage,
          {
            count: h.count,
            p50_ms: ms(quantile(h.buckets, h.count, 0.5)),
            p99_ms: ms(quantile(h.buckets, h.count, 0.99)),
          },
        ]),
      ),
    }));
  }

  /**
   * In a cluster, every worker counts only its own tasks: this asks the others
   * (`GET /tributary/metrics/tasks`) and keeps, for each task, the figures of the worker that runs it now.
   */
  private async allTasks(): Promise<TaskFigures[]> {
    const local = await this.localTasks();
    const cluster = this.herder.cluster?.();
    if (!cluster) return local;
    const others = cluster.members.filter((m) => m !== cluster.self);
    const remote = await Promise.all(
      others.map(async (url) => {
        try {
          const res = await fetch(`${url}/tributary/metrics/tasks`, {
            headers: this.authorization ? { authorization: this.authorization } : {},
            signal: AbortSignal.timeout(2000),
          });
          return res.ok ? ((await res.json()) as TaskFigures[]) : [];
        } catch {
          return []; // a worker that does not answer now is missing from this sample
        }
      }),
    );
    const runs = new Map<string, string>();
    for (const name of await this.herder.connectors()) {
      const st = await this.herder.connectorStatus(name).catch(() => null);
      for (const t of st?.tasks ?? []) runs.set(`${name}/${t.id}`, t.worker_id);
    }
    // A task that moved leaves its old counters behind on the worker it left: only the current owner's count.
    return [...local, ...remote.flat()].filter(
      (t) => (runs.get(`${t.connector}/${t.task}`) ?? t.worker_id) === t.worker_id,
    );
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
      for (const t of await this.allTasks()) {
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
        if (config.topics && !config['topics.regex'])
          c.lag = await this.lag(
            `connect-${name}`,
            config.topics
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
          );
      }
      for (const name of Object.keys(byConnector))
        if (!(await this.herder.connectors()).includes(name)) delete byConnector[name];
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
      for (const p of await admin.partitionOffsets(topic))
        lag += Math.max(0, p.high - (committed.get(`${topic}/${p.partition}`) ?? p.low));
    }
    return lag;
  }
}

function ms(seconds: number | null): number | null {
  return seconds === null ? null : Math.round(seconds * 10_000) / 10;
}
