import type { TaskMetricsRecorder } from '@tributary/connect-api';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** The worker's Prometheus metrics, served at GET /metrics. */
export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly polledTotal = new Counter({
    name: 'tributary_task_records_polled_total', help: 'Records a task received (source: from poll(); sink: from the log)',
    labelNames: ['connector', 'task'], registers: [this.registry],
  });
  private readonly writtenTotal = new Counter({
    name: 'tributary_task_records_written_total', help: 'Records a task delivered (source: acknowledged by the log; sink: put() returned)',
    labelNames: ['connector', 'task'], registers: [this.registry],
  });
  readonly taskState = new Gauge({
    name: 'tributary_task_running', help: '1 when the task is RUNNING', labelNames: ['connector', 'task'], registers: [this.registry],
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

  forTask(connector: string, task: number): TaskMetrics {
    const labels = { connector, task: String(task) };
    const key = `${connector}/${task}`;
    this.gauges.delete(key); // a restarted task starts afresh
    const polled = this.polledTotal.labels(labels);
    const written = this.writtenTotal.labels(labels);
    return {
      polled: (n) => polled.inc(n),
      written: (n) => written.inc(n),
      gauge: (name, help) => {
        const metric = `tributary_task_${name.replace(/[^a-zA-Z0-9_]/g, '_')}`;
        const g = (this.registry.getSingleMetric(metric) as Gauge | undefined) ??
          new Gauge({ name: metric, help, labelNames: ['connector', 'task'], registers: [this.registry] });
        const child = g.labels(labels);
        let values = this.gauges.get(key);
        if (!values) this.gauges.set(key, (values = {}));
        const mine = values;
        return (v) => { child.set(v); mine[name] = v; };
      },
    };
  }
}

export interface TaskMetrics extends TaskMetricsRecorder {
  polled(n: number): void;
  written(n: number): void;
}
