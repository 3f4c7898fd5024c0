import { useEffect, useRef, useState } from 'preact/hooks';
import { enc, type RecordView } from '../api.js';
import { Bytes, Notice, when } from '../components/ui.js';

/** The browser keeps at most this many records; older ones are dropped as new ones come. */
const KEEP = 500;

function text(r: RecordView): string {
  return [
    r.key?.text ?? r.key?.hex ?? '',
    r.value?.text ?? r.value?.hex ?? '',
    ...r.headers.map((h) => `${h.key}=${h.value?.text ?? ''}`),
  ].join(' ');
}

/** The records of a topic as they arrive, streamed by the worker (Server-Sent Events). */
export function TapPage({ topic: initial }: { topic: string }) {
  const [topic, setTopic] = useState(initial);
  const [fromBeginning, setFromBeginning] = useState(false);
  const [running, setRunning] = useState(initial !== '');
  const [paused, setPaused] = useState(false);
  const [filter, setFilter] = useState('');
  const [records, setRecords] = useState<RecordView[]>([]);
  const [skipped, setSkipped] = useState(0);
  const [held, setHeld] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const pausedRef = useRef(false);
  pausedRef.current = paused;

  useEffect(() => {
    if (!running || !topic) return;
    setRecords([]);
    setSkipped(0);
    setError(null);
    const es = new EventSource(`/tributary/topics/${enc(topic)}/tap${fromBeginning ? '?from=beginning' : ''}`);
    let buffer: RecordView[] = [];
    es.addEventListener('record', (e) => buffer.push(JSON.parse((e as MessageEvent).data) as RecordView));
    es.addEventListener('skipped', (e) =>
      setSkipped((n) => n + (JSON.parse((e as MessageEvent).data) as { count: number }).count),
    );
    es.addEventListener('failure', (e) =>
      setError((JSON.parse((e as MessageEvent).data) as { message: string }).message),
    );
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) setError('The stream closed.');
    };
    // Render at most 4 times a second, whatever the rate.
    const flush = setInterval(() => {
      if (buffer.length === 0) return;
      const batch = buffer;
      buffer = [];
      if (pausedRef.current) {
        setHeld((n) => n + batch.length);
        return;
      }
      setRecords((prev) => [...batch.reverse(), ...prev].slice(0, KEEP));
    }, 250);
    return () => {
      es.close();
      clearInterval(flush);
    };
  }, [running, topic, fromBeginning]);

  const shown = filter ? records.filter((r) => text(r).toLowerCase().includes(filter.toLowerCase())) : records;
  return (
    <section>
      <h1 tabIndex={-1}>Live tap</h1>
      <form
        class="row filters"
        onSubmit={(e) => {
          e.preventDefault();
          setRunning(true);
          location.hash = `#/tap/${encodeURIComponent(topic)}`;
        }}
      >
        <label>
          Topic{' '}
          <input
            value={topic}
            required
            onInput={(e) => {
              setTopic((e.target as HTMLInputElement).value);
              setRunning(false);
            }}
          />
        </label>
        <label>
          <input
            type="checkbox"
            checked={fromBeginning}
            onChange={(e) => setFromBeginning((e.target as HTMLInputElement).checked)}
          />{' '}
          from the beginning
        </label>
        {!running ? (
          <button type="submit">Start</button>
        ) : (
          <button type="button" onClick={() => setRunning(false)}>
            Stop
          </button>
        )}
        <button
          type="button"
          disabled={!running}
          aria-pressed={paused}
          onClick={() => {
            setPaused(!paused);
            setHeld(0);
          }}
        >
          {paused ? 'Resume' : 'Pause'}
        </button>
        <label>
          Filter <input type="search" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
        </label>
      </form>
      {error && <Notice kind="error">{error}</Notice>}
      <p class="muted small" role="status">
        {running ? `${records.length} records shown (newest first, at most ${KEEP})` : 'Not running.'}
        {skipped > 0 ? ` · ${skipped} skipped by the server to keep up` : ''}
        {paused && held > 0 ? ` · ${held} arrived while paused (not shown)` : ''}
      </p>
      <div class="table-wrap">
        <table class="records cards">
          <thead>
            <tr>
              <th scope="col">Partition</th>
              <th scope="col">Offset</th>
              <th scope="col">Time</th>
              <th scope="col">Key</th>
              <th scope="col">Value</th>
              <th scope="col">Headers</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={`${r.partition}/${r.offset}`}>
                <td data-label="Partition">{r.partition}</td>
                <td data-label="Offset">{r.offset}</td>
                <td class="small" data-label="Time">
                  {when(r.timestamp)}
                </td>
                <td data-label="Key">
                  <Bytes view={r.key} />
                </td>
                <td class="value" data-label="Value">
                  <Bytes view={r.value} />
                </td>
                <td data-label="Headers">
                  {r.headers.map((h) => (
                    <div key={h.key} class="small">
                      {h.key}: <Bytes view={h.value} />
                    </div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
