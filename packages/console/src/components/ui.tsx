import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { BytesView, State } from '../api.js';

/** Runs `fn` now and every `ms` while the component is shown; returns its latest result or error. */
export function usePoll<T>(
  fn: () => Promise<T>,
  ms: number,
  deps: unknown[] = [],
): { data: T | null; error: string | null; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    const run = () =>
      fn().then(
        (d) => {
          if (live) {
            setData(d);
            setError(null);
          }
        },
        (e: Error) => {
          if (live) setError(e.message);
        },
      );
    run();
    const t = ms > 0 ? setInterval(run, ms) : undefined;
    return () => {
      live = false;
      if (t) clearInterval(t);
    };
  }, [...deps, tick]);
  return { data, error, reload: () => setTick((n) => n + 1) };
}

export function StateBadge({ state }: { state: State | string }) {
  return <span class={`badge state-${state.toLowerCase()}`}>{state}</span>;
}

/** A small line chart of the last values; the label says what the last value is. */
export function Sparkline({ values, label, unit = '' }: { values: number[]; label: string; unit?: string }) {
  const w = 120;
  const h = 28;
  const last = values.length ? values[values.length - 1]! : null;
  const max = Math.max(1, ...values);
  // One value is drawn as a flat line, so a chart never looks empty once there is a figure.
  const drawn = values.length === 1 ? [values[0]!, values[0]!] : values;
  const points = drawn
    .map((v, i) => `${(i / Math.max(1, drawn.length - 1)) * w},${h - (v / max) * (h - 2) - 1}`)
    .join(' ');
  const text = last === null ? '–' : `${format(last)}${unit}`;
  return (
    <span class="spark" role="img" aria-label={`${label}: ${text}`}>
      <svg width={w} height={h} viewBox={`0 0 ${w} ${h}`} aria-hidden="true">
        <polyline points={points} />
      </svg>
      <span class="spark-value">{text}</span>
    </span>
  );
}

export function format(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** A key, value or header as the server sent it: text, or hex for binary, with the size when cut. */
export function Bytes({ view }: { view: BytesView | null }) {
  if (view === null) return <span class="muted">null</span>;
  const cut = view.truncated ? <span class="muted"> … ({view.size.toLocaleString()} bytes in all)</span> : null;
  if (view.hex !== undefined)
    return (
      <code class="hex" title="binary, shown as hex">
        0x{view.hex}
        {cut}
      </code>
    );
  return (
    <code>
      {view.text}
      {cut}
    </code>
  );
}

export function Notice({ kind, children }: { kind: 'error' | 'ok' | 'info'; children: ComponentChildren }) {
  return (
    <div class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** A modal question; resolves true when the user confirms. */
let openDialog: ((q: { message: string; action: string; resolve: (ok: boolean) => void }) => void) | null = null;

export function ask(message: string, action = 'Confirm'): Promise<boolean> {
  return new Promise((resolve) =>
    openDialog ? openDialog({ message, action, resolve }) : resolve(window.confirm(message)),
  );
}

export function ConfirmDialog() {
  const ref = useRef<HTMLDialogElement>(null);
  const [q, setQ] = useState<{ message: string; action: string; resolve: (ok: boolean) => void } | null>(null);
  useEffect(() => {
    openDialog = (next) => {
      setQ(next);
    };
    return () => {
      openDialog = null;
    };
  }, []);
  useEffect(() => {
    if (q && ref.current && !ref.current.open) ref.current.showModal();
  }, [q]);
  const close = (ok: boolean) => {
    q?.resolve(ok);
    ref.current?.close();
    setQ(null);
  };
  return (
    <dialog ref={ref} aria-labelledby="confirm-text" onCancel={() => close(false)}>
      <p id="confirm-text">{q?.message}</p>
      <div class="row">
        <button type="button" onClick={() => close(false)}>
          Cancel
        </button>
        <button type="button" class="danger" onClick={() => close(true)}>
          {q?.action}
        </button>
      </div>
    </dialog>
  );
}

export function when(ms: number | string): string {
  return new Date(ms).toLocaleString();
}
