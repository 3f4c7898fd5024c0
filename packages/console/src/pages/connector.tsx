import { useEffect, useState } from 'preact/hooks';
import { api, enc, get, type ConfigKeyInfo, type ConnectorStatus, type MetricsReply } from '../api.js';
import { ConfigForm, errorList } from '../components/config-form.js';
import { Notice, StateBadge, ask, usePoll, when } from '../components/ui.js';
import { OffsetsPanel } from './offsets.js';

interface Restarts {
  connector: { restarts: number; nextRestartAt: number | null; history: Array<{ at: number; reason: string }> };
  tasks: Array<{
    id: number;
    restarts: number;
    nextRestartAt: number | null;
    history: Array<{ at: number; reason: string }>;
  }>;
}

export function ConnectorPage({ name }: { name: string }) {
  const base = `/connectors/${enc(name)}`;
  const status = usePoll(() => get<ConnectorStatus>(`${base}/status`), 2000, [name]);
  const restarts = usePoll(() => get<Restarts>(`/tributary/connectors/${enc(name)}/restarts`), 5000, [name]);
  const topics = usePoll(() => get<Record<string, { topics: string[] }>>(`${base}/topics`), 5000, [name]);
  const metrics = usePoll(() => get<MetricsReply>('/tributary/metrics'), 5000);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);

  const act = async (question: string, method: string, path: string, done: string) => {
    if (!(await ask(question, 'Yes, do it'))) return;
    try {
      await api(method, path);
      setNotice({ kind: 'ok', text: done });
      status.reload();
      if (method === 'DELETE' && path === base) location.hash = '#/';
    } catch (e) {
      setNotice({ kind: 'error', text: (e as Error).message });
    }
  };

  const s = status.data;
  const state = s?.connector.state;
  const activeTopics = topics.data?.[name]?.topics ?? [];
  const latency = (metrics.data?.tasks ?? []).filter((t) => t.connector === name);
  return (
    <section>
      <h1 tabIndex={-1}>{name}</h1>
      {status.error && <Notice kind="error">{status.error}</Notice>}
      {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}
      {s && (
        <>
          <p>
            {s.type} connector · <StateBadge state={s.connector.state} /> on {s.connector.worker_id}
            {s.connector.restarts ? ` · ${s.connector.restarts} auto-restarts` : ''}
            {s.connector.next_restart_at ? ` · next restart ${when(s.connector.next_restart_at)}` : ''}
          </p>
          {s.connector.trace && (
            <details open>
              <summary>Connector failure</summary>
              <pre class="trace">{s.connector.trace}</pre>
            </details>
          )}
          {restarts.data && restarts.data.connector.history.length > 0 && (
            <details>
              <summary>Connector restart history ({restarts.data.connector.history.length})</summary>
              <ul>
                {restarts.data.connector.history.map((h) => (
                  <li key={h.at}>
                    {when(h.at)}: {h.reason}
                  </li>
                ))}
              </ul>
            </details>
          )}
          <div class="row actions" role="group" aria-label="Actions">
            {state === 'PAUSED' || state === 'STOPPED' ? (
              <button type="button" onClick={() => act(`Resume ${name}?`, 'PUT', `${base}/resume`, 'Resumed.')}>
                Resume
              </button>
            ) : (
              <button type="button" onClick={() => act(`Pause ${name}?`, 'PUT', `${base}/pause`, 'Paused.')}>
                Pause
              </button>
            )}
            <button
              type="button"
              disabled={state === 'STOPPED'}
              onClick={() =>
                act(`Stop ${name}? Its tasks shut down; offsets can then be edited.`, 'PUT', `${base}/stop`, 'Stopped.')
              }
            >
              Stop
            </button>
            <button
              type="button"
              onClick={() =>
                act(
                  `Restart ${name} and all its tasks?`,
                  'POST',
                  `${base}/restart?includeTasks=true&onlyFailed=false`,
                  'Restarting.',
                )
              }
            >
              Restart
            </button>
            <button
              type="button"
              disabled={!s.tasks.some((t) => t.state === 'FAILED')}
              onClick={() =>
                act(
                  `Restart the failed tasks of ${name}?`,
                  'POST',
                  `${base}/restart?includeTasks=true&onlyFailed=true`,
                  'Restarting the failed tasks.',
                )
              }
            >
              Restart failed tasks
            </button>
            <button
              type="button"
              class="danger"
              onClick={() =>
                act(`Delete ${name}? Its config is removed; its topics and offsets stay.`, 'DELETE', base, 'Deleted.')
              }
            >
              Delete
            </button>
          </div>

          <h2>Tasks</h2>
          {s.tasks.length === 0 && <p class="muted">No tasks{state === 'STOPPED' ? ' while stopped' : ''}.</p>}
          <ul class="tasks">
            {s.tasks.map((t) => {
              const r = restarts.data?.tasks.find((x) => x.id === t.id);
              const lat = latency.find((x) => x.task === t.id);
              return (
                <li key={t.id}>
                  <strong>Task {t.id}</strong> <StateBadge state={t.state} /> on {t.worker_id}
                  {t.restarts ? ` · ${t.restarts} auto-restarts` : ''}
                  {t.next_restart_at ? ` · next restart ${when(t.next_restart_at)}` : ''}
                  {lat && (
                    <span class="muted small">
                      {' '}
                      ·{' '}
                      {Object.entries(lat.latency)
                        .map(([stage, l]) => `${stage} p50 ${l.p50_ms ?? '–'} ms, p99 ${l.p99_ms ?? '–'} ms`)
                        .join('; ')}
                    </span>
                  )}
                  {t.state === 'FAILED' && (
                    <button
                      type="button"
                      class="small"
                      onClick={() =>
                        act(
                          `Restart task ${t.id}?`,
                          'POST',
                          `${base}/tasks/${t.id}/restart`,
                          `Task ${t.id} restarting.`,
                        )
                      }
                    >
                      Restart task
                    </button>
                  )}
                  {t.trace && (
                    <details open={t.state === 'FAILED'}>
                      <summary>Trace</summary>
                      <pre class="trace">{t.trace}</pre>
                    </details>
                  )}
                  {r && r.history.length > 0 && (
                    <details>
                      <summary>Restart history ({r.history.length})</summary>
                      <ul>
                        {r.history.map((h) => (
                          <li key={h.at}>
                            {when(h.at)}: {h.reason}
                          </li>
                        ))}
                      </ul>
                    </details>
                  )}
                </li>
              );
            })}
          </ul>

          <h2>Active topics</h2>
          <p>
            {activeTopics.length === 0 ? (
              <span class="muted">none yet</span>
            ) : (
              activeTopics.map((t) => (
                <a key={t} class="chip" href={`#/tap/${encodeURIComponent(t)}`}>
                  {t}
                </a>
              ))
            )}
          </p>

          <OffsetsPanel name={name} stopped={state === 'STOPPED'} />
          <ConfigPanel name={name} />
        </>
      )}
    </section>
  );
}

function ConfigPanel({ name }: { name: string }) {
  const [values, setValues] = useState<Record<string, string> | null>(null);
  const [defs, setDefs] = useState<ConfigKeyInfo[]>([]);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const plugin = values?.['connector.class'];
  useEffect(() => {
    get<Record<string, string>>(`/connectors/${enc(name)}/config`).then(setValues, (e: Error) =>
      setNotice({ kind: 'error', text: e.message }),
    );
  }, [name]);
  useEffect(() => {
    if (plugin) get<ConfigKeyInfo[]>(`/connector-plugins/${enc(plugin)}/config`).then(setDefs, () => setDefs([]));
  }, [plugin]);
  if (!values || !plugin) return null;
  const problems = errorList(errors);
  const save = async () => {
    if (!(await ask(`Save the config of ${name}? Its tasks restart with it.`, 'Save'))) return;
    try {
      await api('PUT', `/connectors/${enc(name)}/config`, values);
      setNotice({ kind: 'ok', text: 'Saved.' });
    } catch (e) {
      setNotice({ kind: 'error', text: (e as Error).message });
    }
  };
  return (
    <>
      <h2>Config</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <ConfigForm
          plugin={plugin}
          defs={defs}
          values={values}
          onChange={setValues}
          onValidated={setErrors}
          locked={['name', 'connector.class']}
        />
        {problems.length > 0 && (
          <Notice kind="error">
            Cannot save: {problems.length} key{problems.length > 1 ? 's are' : ' is'} not valid.
            <ul>
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </Notice>
        )}
        {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}
        <button type="submit" disabled={problems.length > 0}>
          Save config
        </button>
      </form>
    </>
  );
}
