import { useState } from 'preact/hooks';
import { ApiError, api, enc, get, type RecordView } from '../api.js';
import { Bytes, Notice, ask, usePoll, when } from '../components/ui.js';

interface DlqEntry extends RecordView {
  error: Record<string, string | null>;
  redriven: Array<{ at: number; to: string }>;
}

interface Report {
  sent: number;
  not_sent: Array<{ partition: number; offset: number; reason: string }>;
  ledger_error?: string;
}

/** A connector's dead letter queue: records with their error headers decoded, and re-drive. */
export function DlqPage({ name }: { name: string }) {
  const list = usePoll(
    () => get<Record<string, { info: { config: Record<string, string> } }>>('/connectors?expand=info'),
    0,
  );
  const withDlq = Object.entries(list.data ?? {})
    .filter(([, e]) => e.info.config['errors.deadletterqueue.topic.name'])
    .map(([n]) => n)
    .sort();
  return (
    <section>
      <h1 tabIndex={-1}>Dead letters</h1>
      <div class="row filters">
        <label>
          Connector{' '}
          <select
            value={name}
            onChange={(e) => {
              location.hash = `#/dlq/${encodeURIComponent((e.target as HTMLSelectElement).value)}`;
            }}
          >
            <option value="">Choose…</option>
            {withDlq.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </div>
      {list.data && withDlq.length === 0 && (
        <p class="muted">No connector has errors.deadletterqueue.topic.name set.</p>
      )}
      {name && <DlqTable name={name} />}
    </section>
  );
}

function DlqTable({ name }: { name: string }) {
  const dlq = usePoll(
    () => get<{ topic: string; records: DlqEntry[] }>(`/tributary/connectors/${enc(name)}/dlq?limit=1000`),
    0,
    [name],
  );
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [toTopic, setToTopic] = useState('');
  const records = dlq.data?.records ?? [];
  const keyOf = (r: { partition: number; offset: number }) => `${r.partition}/${r.offset}`;
  const toggle = (k: string) => {
    const next = new Set(selected);
    if (next.has(k)) next.delete(k);
    else next.add(k);
    setSelected(next);
  };
  const redrive = async (all: boolean) => {
    const chosen = all ? records : records.filter((r) => selected.has(keyOf(r)));
    const where = toTopic.trim() ? `to ${toTopic.trim()}` : 'back to the topic each failed on';
    if (!(await ask(`Send ${chosen.length} record${chosen.length === 1 ? '' : 's'} ${where}?`, 'Re-drive'))) return;
    const body = {
      ...(all ? {} : { records: chosen.map((r) => ({ partition: r.partition, offset: r.offset })) }),
      ...(toTopic.trim() ? { topic: toTopic.trim() } : {}),
    };
    setError(null);
    try {
      setReport(await api<Report>('POST', `/tributary/connectors/${enc(name)}/dlq/redrive`, body));
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        const again = ((e.body as { already_redriven?: unknown[] }).already_redriven ?? []).length;
        if (await ask(`${again} of these were re-driven before. Send them again?`, 'Re-drive again')) {
          try {
            setReport(
              await api<Report>('POST', `/tributary/connectors/${enc(name)}/dlq/redrive`, { ...body, force: true }),
            );
          } catch (e2) {
            setError((e2 as Error).message);
          }
        }
      } else setError((e as Error).message);
    }
    setSelected(new Set());
    dlq.reload();
  };
  return (
    <>
      {dlq.error && <Notice kind="error">{dlq.error}</Notice>}
      {error && <Notice kind="error">{error}</Notice>}
      {report && (
        <Notice kind={report.not_sent.length ? 'error' : 'ok'}>
          Re-driven: {report.sent} sent{report.not_sent.length ? `, ${report.not_sent.length} not sent` : ''}.
          {report.not_sent.length > 0 && (
            <ul>
              {report.not_sent.slice(0, 20).map((n) => (
                <li key={keyOf(n)}>
                  {keyOf(n)}: {n.reason}
                </li>
              ))}
            </ul>
          )}
          {report.ledger_error && <p>{report.ledger_error}</p>}
        </Notice>
      )}
      <p>
        {dlq.data
          ? `${records.length} records in ${dlq.data.topic}, ${records.filter((r) => r.redriven.length).length} re-driven`
          : 'Loading…'}
      </p>
      <div class="row">
        <button type="button" disabled={selected.size === 0} onClick={() => redrive(false)}>
          Re-drive selected ({selected.size})
        </button>
        <button type="button" disabled={records.length === 0} onClick={() => redrive(true)}>
          Re-drive all
        </button>
        <button type="button" onClick={() => dlq.reload()}>
          Refresh
        </button>
        <label>
          To topic{' '}
          <input
            value={toTopic}
            placeholder="the original topic"
            onInput={(e) => setToTopic((e.target as HTMLInputElement).value)}
          />
        </label>
      </div>
      <div class="table-wrap">
        <table class="records cards">
          <thead>
            <tr>
              <th scope="col">
                <span class="sr-only">Select</span>
              </th>
              <th scope="col">Partition/offset</th>
              <th scope="col">Error</th>
              <th scope="col">Original</th>
              <th scope="col">Value</th>
              <th scope="col">Re-driven</th>
            </tr>
          </thead>
          <tbody>
            {records.map((r) => {
              const k = keyOf(r);
              const e = r.error;
              return (
                <tr key={k}>
                  <td data-label="Select">
                    <input
                      type="checkbox"
                      aria-label={`Select ${k}`}
                      checked={selected.has(k)}
                      onChange={() => toggle(k)}
                    />
                  </td>
                  <td data-label="Partition/offset">
                    {k}
                    <div class="small muted">{when(r.timestamp)}</div>
                  </td>
                  <td data-label="Error" class="wide">
                    <div>
                      <strong>{e['stage'] ?? '?'}</strong> {e['exception.class.name'] ?? ''}
                    </div>
                    <div class="small">
                      {e['exception.message'] ?? <span class="muted">no __connect.errors.* headers</span>}
                    </div>
                    {e['exception.stacktrace'] && (
                      <details>
                        <summary>Stack trace</summary>
                        <pre class="trace">{e['exception.stacktrace']}</pre>
                      </details>
                    )}
                  </td>
                  <td class="small" data-label="Original">
                    {e['topic'] ? `${e['topic']}/${e['partition']}/${e['offset']}` : '–'}
                    <div class="muted">{e['connector.name'] ? `${e['connector.name']} task ${e['task.id']}` : ''}</div>
                  </td>
                  <td class="value" data-label="Value">
                    <Bytes view={r.value} />
                  </td>
                  <td class="small" data-label="Re-driven">
                    {r.redriven.length ? (
                      r.redriven.map((x) => (
                        <div key={x.at}>
                          {when(x.at)} → {x.to}
                        </div>
                      ))
                    ) : (
                      <span class="muted">no</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
