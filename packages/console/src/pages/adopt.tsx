import { useState } from 'preact/hooks';
import { ApiError } from '../api.js';
import { Notice, ask } from '../components/ui.js';

type Direction = 'adopt' | 'handback';

/** One connector's row, as POST /tributary/adopt answers (the CLI's --json result). */
interface MoveResult {
  name: string;
  outcome: 'moved' | 'already moved' | 'planned' | 'skipped' | 'failed';
  detail: string;
  activity?: 'moving' | 'idle' | 'unknown';
  inspection?: {
    type: string;
    connectorClass: string;
    plugin: { class: string; version?: string } | null;
    unsupported: string[];
    errors: string[];
    changes: string[];
  };
}

/**
 * Runs a move on the worker and reads its answer line by line (application/x-ndjson): steps and results come
 * while connectors move, which takes seconds each. A refusal (unreachable URL, a move already running) is an
 * ordinary error answer.
 */
async function runMove(
  direction: Direction,
  body: Record<string, unknown>,
  on: { step: (s: string) => void; result: (r: MoveResult) => void },
): Promise<MoveResult[]> {
  const res = await fetch(`/tributary/${direction}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok || !res.body) {
    const text = await res.text();
    let message = `${res.status} ${res.statusText}`;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {
      // not JSON: the status line says it
    }
    throw new ApiError(res.status, message, text);
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let results: MoveResult[] | null = null;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += value;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffer.slice(0, nl)) as {
        step?: string;
        result?: MoveResult;
        results?: MoveResult[];
        error?: string;
      };
      buffer = buffer.slice(nl + 1);
      if (line.step !== undefined) on.step(line.step);
      if (line.result) on.result(line.result);
      if (line.results) results = line.results;
      if (line.error !== undefined) throw new Error(line.error);
    }
  }
  if (!results) throw new Error('The worker ended the answer before the move finished: see its log');
  return results;
}

/**
 * Adopt connectors from a Kafka Connect cluster into this one, or hand them back: the dry run's table (class,
 * plugin found, unsupported keys, changes), a pick of connectors, then each step and the outcome. The worker
 * runs the move (the browser cannot reach another host's Connect), as `tributary adopt` does.
 */
export function AdoptPage() {
  const [direction, setDirection] = useState<Direction>('adopt');
  const [url, setUrl] = useState('');
  const [keep, setKeep] = useState(false);
  const [plan, setPlan] = useState<MoveResult[] | null>(null);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [steps, setSteps] = useState<string[]>([]);
  const [results, setResults] = useState<MoveResult[]>([]);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const other = direction === 'adopt' ? 'from' : 'to';
  const onKeep = (e: Event) => setKeep((e.target as HTMLInputElement).checked);

  const go = async (body: Record<string, unknown>, dryRun: boolean) => {
    setError(null);
    setRunning(true);
    setSteps([]);
    setResults([]);
    try {
      const got = await runMove(
        direction,
        { [other]: url.trim(), ...body, dry_run: dryRun, keep },
        { step: (s) => setSteps((all) => [...all, s]), result: (r) => setResults((all) => [...all, r]) },
      );
      if (dryRun) {
        setPlan(got);
        setPicked(new Set(got.filter((r) => r.outcome === 'planned').map((r) => r.name)));
        setResults([]);
      }
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setRunning(false);
    }
  };
  const move = async () => {
    const names = [...picked];
    const verb = direction === 'adopt' ? 'Move' : 'Hand back';
    if (!(await ask(`${verb} ${names.join(', ')}? Each is stopped in one cluster and started in the other.`, verb)))
      return;
    await go({ connectors: names }, false);
    setPlan(null);
  };
  const toggle = (name: string) =>
    setPicked((s) => {
      const next = new Set(s);
      if (next.has(name)) next.delete(name);
      else next.add(name);
      return next;
    });

  return (
    <section>
      <h1 tabIndex={-1}>Adopt from Kafka Connect</h1>
      <p class="muted">
        Connectors move one at a time with their offsets: stopped in one cluster, created STOPPED in the other, offsets
        written, resumed, checked (RUNNING, and records moving if they were), then deleted where they were.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void go({ all: true }, true);
        }}
      >
        <div class="row" role="radiogroup" aria-label="Direction">
          <label>
            <input
              type="radio"
              name="direction"
              checked={direction === 'adopt'}
              onChange={() => (setDirection('adopt'), setPlan(null))}
            />{' '}
            Adopt into this cluster
          </label>
          <label>
            <input
              type="radio"
              name="direction"
              checked={direction === 'handback'}
              onChange={() => (setDirection('handback'), setPlan(null))}
            />{' '}
            Hand back to Kafka Connect
          </label>
        </div>
        <div class="field">
          <label for="adopt-url">Kafka Connect REST URL</label>
          <div class="field-input">
            <input
              id="adopt-url"
              type="url"
              required
              placeholder="http://connect:8083"
              value={url}
              onInput={(e) => setUrl((e.target as HTMLInputElement).value)}
            />
          </div>
        </div>
        <div class="row">
          <label>
            <input type="checkbox" checked={keep} onChange={onKeep} /> Keep each moved connector STOPPED where it was
            (instead of deleting it)
          </label>
        </div>
        <div class="row">
          <button type="submit" disabled={running}>
            Dry run
          </button>
        </div>
      </form>
      {error && <Notice kind="error">{error}</Notice>}
      {plan && (
        <>
          <h2>Plan</h2>
          <div class="table-wrap">
            <table aria-label="Dry run">
              <thead>
                <tr>
                  <th scope="col">Move</th>
                  <th scope="col">Connector</th>
                  <th scope="col">Type</th>
                  <th scope="col">Class</th>
                  <th scope="col">Plugin</th>
                  <th scope="col">Unsupported keys</th>
                  <th scope="col">Changes</th>
                  <th scope="col">Plan</th>
                </tr>
              </thead>
              <tbody>
                {plan.map((r) => (
                  <tr key={r.name}>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Move ${r.name}`}
                        disabled={r.outcome !== 'planned'}
                        checked={picked.has(r.name)}
                        onChange={() => toggle(r.name)}
                      />
                    </td>
                    <td>{r.name}</td>
                    <td>{r.inspection?.type}</td>
                    <td>
                      <code>{r.inspection?.connectorClass}</code>
                    </td>
                    <td>
                      {r.inspection ? (r.inspection.plugin ? `yes ${r.inspection.plugin.version ?? ''}` : 'NO') : ''}
                    </td>
                    <td>{r.inspection?.unsupported.join(', ')}</td>
                    <td>
                      {[
                        ...(r.inspection?.changes ?? []),
                        ...(r.inspection?.errors ?? []).map((e) => `rejected: ${e}`),
                      ].map((c) => (
                        <div key={c}>{c}</div>
                      ))}
                    </td>
                    <td>
                      {r.outcome}: {r.detail}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div class="row">
            <button type="button" class="danger" disabled={running || picked.size === 0} onClick={() => void move()}>
              {direction === 'adopt' ? 'Move selected' : 'Hand back selected'}
            </button>
          </div>
        </>
      )}
      {steps.length > 0 && (
        <>
          <h2>Steps</h2>
          <ol class="small" aria-label="Steps" aria-live="polite">
            {steps.map((s, i) => (
              <li key={i}>{s}</li>
            ))}
          </ol>
        </>
      )}
      {results.length > 0 && (
        <>
          <h2>Outcome</h2>
          <div class="table-wrap">
            <table aria-label="Outcome">
              <thead>
                <tr>
                  <th scope="col">Connector</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Records</th>
                  <th scope="col">Detail</th>
                </tr>
              </thead>
              <tbody>
                {results.map((r) => (
                  <tr key={r.name} class={r.outcome === 'failed' ? 'failed' : undefined}>
                    <td>{r.name}</td>
                    <td>{r.outcome}</td>
                    <td>{r.activity ?? ''}</td>
                    <td>{r.detail}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {running && <Notice kind="info">Working… (each connector takes a few seconds)</Notice>}
    </section>
  );
}
