import { useState } from 'preact/hooks';
import { api, enc, get } from '../api.js';
import { Notice, ask, usePoll } from '../components/ui.js';

interface Offsets {
  offsets: Array<{ partition: Record<string, unknown>; offset: Record<string, unknown> | null }>;
}

/** KIP-875: offsets are shown always, and can be edited or reset while the connector is STOPPED. */
export function OffsetsPanel({ name, stopped }: { name: string; stopped: boolean }) {
  const path = `/connectors/${enc(name)}/offsets`;
  const offsets = usePoll(() => get<Offsets>(path), 5000, [name, stopped]);
  const [draft, setDraft] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const run = async (question: string, method: string, body?: unknown) => {
    if (!(await ask(question, 'Yes'))) return;
    try {
      const r = await api<{ message?: string }>(method, path, body);
      setNotice({ kind: 'ok', text: r?.message ?? 'Done.' });
      setDraft(null);
      offsets.reload();
    } catch (e) {
      setNotice({ kind: 'error', text: (e as Error).message });
    }
  };
  const save = () => {
    let body: unknown;
    try {
      body = JSON.parse(draft ?? '');
    } catch (e) {
      setNotice({ kind: 'error', text: `Not JSON: ${(e as Error).message}` });
      return;
    }
    void run(`Write these offsets for ${name}? It resumes from them when started.`, 'PATCH', body);
  };
  return (
    <>
      <h2>Offsets</h2>
      {offsets.error && <Notice kind="error">{offsets.error}</Notice>}
      {draft === null ? (
        <pre class="offsets" aria-label="Offsets">
          {offsets.data ? JSON.stringify(offsets.data, null, 2) : '…'}
        </pre>
      ) : (
        <>
          <label for="offsets-edit">Offsets to write (JSON, as PATCH {`/connectors/${name}/offsets`} takes)</label>
          <textarea
            id="offsets-edit"
            rows={10}
            value={draft}
            onInput={(e) => setDraft((e.target as HTMLTextAreaElement).value)}
          />
        </>
      )}
      {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}
      <div class="row">
        {!stopped && <p class="muted small">Stop the connector to edit or reset its offsets.</p>}
        {stopped && draft === null && (
          <button type="button" onClick={() => setDraft(JSON.stringify(offsets.data ?? { offsets: [] }, null, 2))}>
            Edit offsets
          </button>
        )}
        {stopped && draft !== null && (
          <button type="button" onClick={save}>
            Write offsets
          </button>
        )}
        {stopped && draft !== null && (
          <button type="button" onClick={() => setDraft(null)}>
            Cancel
          </button>
        )}
        {stopped && (
          <button
            type="button"
            class="danger"
            onClick={() => run(`Reset all offsets of ${name}? It starts from the beginning.`, 'DELETE')}
          >
            Reset offsets
          </button>
        )}
      </div>
    </>
  );
}
