import { useState } from 'preact/hooks';
import { get, type ConnectorStatus, type MetricsReply, type State } from '../api.js';
import { Notice, Sparkline, StateBadge, format, usePoll } from '../components/ui.js';

interface Expanded {
  [name: string]: { status: ConnectorStatus; info: { config: Record<string, string>; type: string } };
}

const STATES: Array<State | ''> = ['', 'RUNNING', 'PAUSED', 'STOPPED', 'FAILED', 'UNASSIGNED', 'RESTARTING'];

/** Per-second rates between consecutive samples of a counter. */
export function rates(metrics: MetricsReply | null, name: string, field: 'in' | 'out' | 'dlq'): number[] {
  const s = metrics?.samples ?? [];
  const out: number[] = [];
  for (let i = 1; i < s.length; i++) {
    const a = s[i - 1]!.connectors[name];
    const b = s[i]!.connectors[name];
    if (!a || !b || a[field] === undefined || b[field] === undefined) continue;
    out.push(Math.max(0, (b[field]! - a[field]!) / ((s[i]!.at - s[i - 1]!.at) / 1000)));
  }
  return out;
}

export function series(metrics: MetricsReply | null, name: string, field: 'lag' | 'dlq'): number[] {
  return (metrics?.samples ?? [])
    .map((s) => s.connectors[name]?.[field])
    .filter((v): v is number => typeof v === 'number');
}

/** The workers that run a connector's tasks, when they are not all on one worker with the connector. */
function workers(s: ConnectorStatus): string | null {
  const ids = [...new Set(s.tasks.map((t) => t.worker_id))];
  return ids.length > 1 || (ids.length === 1 && ids[0] !== s.connector.worker_id) ? `on ${ids.join(', ')}` : null;
}

export function OverviewPage() {
  const list = usePoll(() => get<Expanded>('/connectors?expand=status&expand=info'), 2000);
  const metrics = usePoll(() => get<MetricsReply>('/tributary/metrics'), 5000);
  const [state, setState] = useState<string>('');
  const [filter, setFilter] = useState('');
  const rows = Object.entries(list.data ?? {})
    .filter(
      ([name, e]) =>
        (!state || e.status.connector.state === state || e.status.tasks.some((t) => t.state === state)) &&
        name.toLowerCase().includes(filter.toLowerCase()),
    )
    .sort(([a], [b]) => a.localeCompare(b));
  return (
    <section>
      <h1 tabIndex={-1}>Connectors</h1>
      <div class="row filters">
        <label>
          Name <input type="search" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          State{' '}
          <select value={state} onChange={(e) => setState((e.target as HTMLSelectElement).value)}>
            {STATES.map((s) => (
              <option value={s} key={s}>
                {s || 'any'}
              </option>
            ))}
          </select>
        </label>
        <a class="button" href="#/new">
          New connector
        </a>
      </div>
      {list.error && <Notice kind="error">{list.error}</Notice>}
      {list.data && rows.length === 0 && <p class="muted">No connectors{filter || state ? ' match' : ' yet'}.</p>}
      <div class="table-wrap">
        <table class="cards">
          <caption class="sr-only">Connectors with their state, tasks and live figures</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">State</th>
              <th scope="col">Tasks</th>
              <th scope="col">Records/s in</th>
              <th scope="col">Records/s out</th>
              <th scope="col">Sink lag</th>
              <th scope="col">Errors/s (DLQ)</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([name, e]) => {
              const cls = e.info.config['connector.class'] ?? '';
              return (
                <tr key={name}>
                  <th scope="row">
                    <a href={`#/connectors/${encodeURIComponent(name)}`}>{name}</a>
                    <div class="muted small" title={cls}>
                      {cls.split('.').pop()}
                    </div>
                  </th>
                  <td data-label="Type">{e.status.type}</td>
                  <td data-label="State">
                    <StateBadge state={e.status.connector.state} />
                    <div class="muted small">on {e.status.connector.worker_id}</div>
                    {e.status.connector.restarts ? (
                      <span class="muted small"> {e.status.connector.restarts} restarts</span>
                    ) : null}
                  </td>
                  <td data-label="Tasks">
                    {e.status.tasks.map((t) => (
                      <span key={t.id} class="task-chip" title={`task ${t.id} on ${t.worker_id}`}>
                        <StateBadge state={t.state} />
                        <span class="sr-only">
                          {' '}
                          task {t.id} on {t.worker_id}
                        </span>
                      </span>
                    ))}
                    {workers(e.status) && <div class="muted small">{workers(e.status)}</div>}
                  </td>
                  <td data-label="Records/s in">
                    <Sparkline values={rates(metrics.data, name, 'in')} label={`${name} records per second in`} />
                  </td>
                  <td data-label="Records/s out">
                    <Sparkline values={rates(metrics.data, name, 'out')} label={`${name} records per second out`} />
                  </td>
                  <td data-label="Sink lag">
                    {e.status.type === 'sink' ? (
                      <Sparkline values={series(metrics.data, name, 'lag')} label={`${name} sink lag`} />
                    ) : (
                      <span class="muted">–</span>
                    )}
                  </td>
                  <td data-label="Errors/s (DLQ)">
                    {e.info.config['errors.deadletterqueue.topic.name'] ? (
                      <>
                        <Sparkline
                          values={rates(metrics.data, name, 'dlq')}
                          label={`${name} records dead-lettered per second`}
                        />{' '}
                        <a href={`#/dlq/${encodeURIComponent(name)}`} aria-label={`${name} dead letter queue`}>
                          {format(series(metrics.data, name, 'dlq').at(-1) ?? 0)} in DLQ
                        </a>
                      </>
                    ) : (
                      <span class="muted">–</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
