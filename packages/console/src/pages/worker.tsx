import { useState } from 'preact/hooks';
import { api, enc, get } from '../api.js';
import { Notice, StateBadge, usePoll } from '../components/ui.js';

interface WorkerInfo {
  version: string;
  commit: string;
  kafka_cluster_id: string;
  mode: 'standalone' | 'distributed';
  log: string | null;
  health: { status: string; message: string };
  cluster?: { self: string; leader_url: string | null; is_leader: boolean; members: string[] };
}

const LEVELS = ['OFF', 'FATAL', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE'];

export function WorkerPage() {
  const info = usePoll(() => get<WorkerInfo>('/tributary/worker'), 5000);
  const plugins = usePoll(
    () => get<Array<{ class: string; type: string; version?: string }>>('/connector-plugins?connectorsOnly=false'),
    0,
  );
  const loggers = usePoll(() => get<Record<string, { level: string }>>('/admin/loggers'), 0);
  const [logger, setLogger] = useState('');
  const [level, setLevel] = useState('DEBUG');
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const w = info.data;
  const setLoggerLevel = async (name: string, lvl: string) => {
    try {
      const changed = await api<string[]>('PUT', `/admin/loggers/${enc(name)}`, { level: lvl });
      setNotice({ kind: 'ok', text: `${lvl} for ${changed.join(', ')}` });
      loggers.reload();
    } catch (e) {
      setNotice({ kind: 'error', text: (e as Error).message });
    }
  };
  return (
    <section>
      <h1 tabIndex={-1}>Worker</h1>
      {info.error && <Notice kind="error">{info.error}</Notice>}
      {w && (
        <dl class="facts">
          <dt>Version</dt>
          <dd>
            {w.version} ({w.commit})
          </dd>
          <dt>Mode</dt>
          <dd>
            {w.mode}
            {w.log ? `, ${w.log} log` : ''}
          </dd>
          <dt>Cluster id</dt>
          <dd>{w.kafka_cluster_id}</dd>
          <dt>Health</dt>
          <dd>
            <StateBadge state={w.health.status.toUpperCase()} /> {w.health.message}
          </dd>
          {w.cluster && (
            <>
              <dt>This worker</dt>
              <dd>
                {w.cluster.self}
                {w.cluster.is_leader ? ' (leader)' : ''}
              </dd>
            </>
          )}
          {w.cluster && (
            <>
              <dt>Leader</dt>
              <dd>{w.cluster.leader_url ?? 'none yet'}</dd>
            </>
          )}
          {w.cluster && (
            <>
              <dt>Members</dt>
              <dd>
                <ul>
                  {w.cluster.members.map((m) => (
                    <li key={m}>
                      {m}
                      {m === w.cluster!.leader_url ? ' (leader)' : ''}
                    </li>
                  ))}
                </ul>
              </dd>
            </>
          )}
        </dl>
      )}
      <h2>Log levels</h2>
      {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Logger</th>
              <th scope="col">Level</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(loggers.data ?? {}).map(([name, l]) => (
              <tr key={name}>
                <th scope="row">{name}</th>
                <td>
                  <select
                    aria-label={`Level of ${name}`}
                    value={l.level}
                    onChange={(e) => setLoggerLevel(name, (e.target as HTMLSelectElement).value)}
                  >
                    {LEVELS.map((x) => (
                      <option key={x}>{x}</option>
                    ))}
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form
        class="row filters"
        onSubmit={(e) => {
          e.preventDefault();
          if (logger) void setLoggerLevel(logger, level);
        }}
      >
        <label>
          Logger{' '}
          <input
            value={logger}
            placeholder="connector.NAME"
            onInput={(e) => setLogger((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          Level{' '}
          <select value={level} onChange={(e) => setLevel((e.target as HTMLSelectElement).value)}>
            {LEVELS.map((x) => (
              <option key={x}>{x}</option>
            ))}
          </select>
        </label>
        <button type="submit">Set level</button>
      </form>
      <h2>Plugins</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Class</th>
              <th scope="col">Type</th>
              <th scope="col">Version</th>
            </tr>
          </thead>
          <tbody>
            {(plugins.data ?? []).map((p) => (
              <tr key={p.class + p.type}>
                <td>{p.class}</td>
                <td>{p.type}</td>
                <td>{p.version ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
