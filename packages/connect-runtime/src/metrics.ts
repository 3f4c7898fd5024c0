import type { TaskMetricsRecorder } from '@tributary/connect-api';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Where a record's latency is measured to (see TaskMetrics.latency). */
export type LatencyStage = 'ack' | 'put' | 'commit';

/** Observations a batch adds at most to a latency histogram (an even sample of its records). */
export const LATENCY_SAMPLES_PER_BATCH = 16;

/** Seconds: from a millisecond for a local hop to an hour for a replay of old records. */
const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

/** The worker's Prometheus metrics, served at GET /metrics. */
export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly polledTotal = new Counter({
    name: 'tributary_task_records_polled_total',
    help: 'Records a task received (source: from poll(); sink: from the log)',
    labelNames: ['connector', 'task'],
    registers: [this.registry],
  });
  private readonly writtenTotal = new Counter({
    name: 'tributary_task_records_written_total',
    help: 'Records a task delivered (source: acknowledged by the log; sink: put() returned)',
    labelNames: ['connector', 'task'],
    registers: [this.registry],
  });
  /** Record latency by stage, from the record's timestamp (or, for sources without one, its poll time). */
  readonly latency: Record<LatencyStage, Histogram> = {
    ack: new Histogram({
      name: 'tributary_source_record_latency_seconds',
      help: "Source: from the record's source timestamp (or poll time) to the log's acknowledgement",
      labelNames: ['connector', 'task'],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    }),
    put: new Histogram({
      name: 'tributary_sink_record_put_latency_seconds',
      help: "Sink: from the record's timestamp to put() returning",
      labelNames: ['connector', 'task'],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    }),
    commit: new Histogram({
      name: 'tributary_sink_record_commit_latency_seconds',
      help: 'Sink: from the timestamp of the last record of a partition to the commit of its offset',
      labelNames: ['connector', 'task'],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    }),
  };
  private readonly redeliveredTotal = new Counter({
    name: 'tributary_task_records_redelivered_total',
    help:
      'Source, at least once: records written again after a restart because a previous run wrote them after its last ' +
      'offset flush (every run since the offsets were reset)',
    labelNames: ['connector', 'task'],
    registers: [this.registry],
  });
  /** What tributary_task_records_redelivered_total holds, by `connector/task`. */
  private readonly redeliveredSeen = new Map<string, number>();
  private readonly autoRestarts = new Counter({
    name: 'tributary_auto_restarts_total',
    help: 'Restarts made by auto-restart (auto.restart.*); task is empty for the connector itself',
    labelNames: ['connector', 'task'],
    registers: [this.registry],
  });
  private readonly nextRestart = new Gauge({
    name: 'tributary_auto_restart_next_timestamp_seconds',
    help: 'When the next auto-restart is due (Unix time); absent when none is planned',
    labelNames: ['connector', 'task'],
    registers: [this.registry],
  });
  readonly taskState = new Gauge({
    name: 'tributary_task_running',
    help: '1 when the task is RUNNING',
    labelNames: ['connector', 'task'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'tributary_' });
  }

  /** The latest value of each gauge a task published through `ctx.metrics`, by `connector/task`. */
  private readonly gauges = new Map<string, Record<string, number>>();

  /** What task `connector`/`task` reported through its gauges, if it reported any. */
  taskGauges(connector: string, task: number): Readonly<Record<string, number>> | undefined {
    return this.gauges.get(`${connector}/${task}`);
  }

  autoRestarted(connector: string, task: number | null): void {
    this.autoRestarts.inc({ connector, task: task === null ? '' : String(task) });
  }

  nextAutoRestart(connector: string, task: number | null, at: number | null): void {
    const labels = { connector, task: task === null ? '' : String(task) };
    if (at === null) this.nextRestart.remove(labels);
    else this.nextRestart.set(labels, at / 1000);
  }

  forTask(connector: string, task: number): TaskMetrics {
    const labels = { connector, task: String(task) };
    const key = `${connector}/${task}`;
    this.gauges.delete(key); // a restarted task starts afresh
    const polled = this.polledTotal.labels(labels);
    const written = this.writtenTotal.labels(labels);
    const redelivered = this.redeliveredTotal.labels(labels);
    const hist = {
      ack: this.latency.ack.labels(labels),
      put: this.latency.put.labels(labels),
      commit: this.latency.commit.labels(labels),
    };
    return {
      polled: (n) => polled.inc(n),
      written: (n) => written.inc(n),
      redelivered: (total) => {
        // The total comes from the offset store (it survives the process): the counter catches up to it.
        const now = this.redeliveredSeen.get(key) ?? 0;
        if (total > now) redelivered.inc(total - now);
        this.redeliveredSeen.set(key, Math.max(now, total));
        // The status shows the count once there is one: until then a task's status is Kafka Connect's shape.
        if (total === 0) return;
        let values = this.gauges.get(key);
        if (!values) this.gauges.set(key, (values = {}));
        values.records_redelivered = total;
      },
      latency: (stage, items, timeOf) => {
        const h = hist[stage];
        const now = Date.now();
        // prom-client takes about a microsecond per observation: a batch contributes an even sample of its records.
        const step = Math.max(1, items.length / LATENCY_SAMPLES_PER_BATCH);
        for (let i = 0; i < items.length; i += step) h.observe(Math.max(0, now - timeOf(items[Math.floor(i)]!)) / 1000);
      },
      gauge: (name, help) => {
        const metric = `tributary_task_${name.replace(/[^a-zA-Z0-9_]/g, '_')}`;
        const g =
          (this.registry.getSingleMetric(metric) as Gauge | undefined) ??
          new Gauge({ name: metric, help, labelNames: ['connector', 'task'], registers: [this.registry] });
        const child = g.labels(labels);
        let values = this.gauges.get(key);
        if (!values) this.gauges.set(key, (values = {}));
        const mine = values;
        return (v) => {
          child.set(v);
          mine[name] = v;
        };
      },
    };
  }
}

export interface TaskMetrics extends TaskMetricsRecorder {
  polled(n: number): void;
  written(n: number): void;
  /** Source, at least once: the records sent again after restarts so far (also in the task's status). */
  redelivered(total: number): void;
  /**
   * The time from each item's timestamp (`timeOf`, ms since the epoch) to now: one observation per item,
   * or an even sample of LATENCY_SAMPLES_PER_BATCH of them for a bigger batch.
   */
  latency<T>(stage: LatencyStage, items: readonly T[], timeOf: (item: T) => number): void;
}

/** One task's figures for the console: record counters and latency histograms (cumulative). */
export interface TaskSnapshot {
  connector: string;
  task: number;
  polled: number;
  written: number;
  latency: Partial<Record<LatencyStage, { count: number; buckets: number[] }>>;
}

/** The upper bounds (seconds) of the latency buckets, in the order of TaskSnapshot's bucket counts. */
export const latencyBuckets: readonly number[] = LATENCY_BUCKETS;

/** Counters and latency histograms of every task that has reported, read from the registry. */
export async function taskSnapshots(m: WorkerMetrics): Promise<TaskSnapshot[]> {
  const out = new Map<string, TaskSnapshot>();
  const at = (labels: Record<string, string | number | undefined>) => {
    const key = `${labels.connector}/${labels.task}`;
    let s = out.get(key);
    if (!s)
      out.set(
        key,
        (s = { connector: String(labels.connector), task: Number(labels.task), polled: 0, written: 0, latency: {} }),
      );
    return s;
  };
  const counters = await m.registry.getMetricsAsJSON();
  for (const metric of counters) {
    if (metric.name === 'tributary_task_records_polled_total')
      for (const v of metric.values) at(v.labels).polled = v.value;
    if (metric.name === 'tributary_task_records_written_total')
      for (const v of metric.values) at(v.labels).written = v.value;
  }
  for (const [stage, h] of Object.entries(m.latency) as Array<[LatencyStage, Histogram]>) {
    const data = await h.get();
    for (const v of data.values) {
      if (v.metricName !== `${data.name}_bucket`) continue;
      const e = (at(v.labels).latency[stage] ??= { count: 0, buckets: [] });
      if (v.labels.le === '+Inf') e.count = v.value;
      else e.buckets.push(v.value); // cumulative, in bucket order
    }
  }
  return [...out.values()].sort((a, b) => a.connector.localeCompare(b.connector) || a.task - b.task);
}

/**
 * The q-quantile (0..1) of a histogram given as cumulative bucket counts over `latencyBuckets`, by
 * linear interpolation inside the bucket (as Prometheus's histogram_quantile); null when empty.
 */
export function quantile(cumulative: readonly number[], total: number, q: number): number | null {
  if (total <= 0) return null;
  const rank = q * total;
  for (let i = 0; i < cumulative.length; i++) {
    if (cumulative[i]! >= rank) {
      const lo = i === 0 ? 0 : LATENCY_BUCKETS[i - 1]!;
      const below = i === 0 ? 0 : cumulative[i - 1]!;
      const inBucket = cumulative[i]! - below;
      return inBucket === 0 ? lo : lo + (LATENCY_BUCKETS[i]! - lo) * ((rank - below) / inBucket);
    }
  }
  return LATENCY_BUCKETS[LATENCY_BUCKETS.length - 1]!;
}
