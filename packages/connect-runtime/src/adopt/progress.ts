import type { OffsetsBody } from './cluster.js';

/**
 * Whether a connector was moving records when it was stopped: `moving` when its offsets changed between a read
 * before the stop and the settled read after it (the tasks committed records since the last flush), `idle` when
 * they did not, `unknown` when this run did not stop it (a rerun after a kill finds it STOPPED already).
 */
export type Activity = 'moving' | 'idle' | 'unknown';

/** One entry per partition, keys sorted, so two reads of the same offsets compare equal in any order. */
function canonical(body: OffsetsBody): string[] {
  const sorted = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
        )
      : v;
  return body.offsets.map((e) => JSON.stringify([sorted(e.partition), sorted(e.offset)])).sort();
}

/** True when `later` holds an offset `earlier` does not: records were committed in between. */
export function advanced(earlier: OffsetsBody, later: OffsetsBody): boolean {
  const before = new Set(canonical(earlier));
  return canonical(later).some((e) => !before.has(e));
}

/** What the read before the stop and the settled read after it say about the connector. */
export function activityOf(beforeStop: OffsetsBody | null, settled: OffsetsBody): Activity {
  if (!beforeStop) return 'unknown';
  return advanced(beforeStop, settled) ? 'moving' : 'idle';
}

/**
 * The verdict on the target once its wait is over: a connector that was moving must have committed new offsets
 * there (else the move is rolled back: it runs but delivers nothing); an idle one is not expected to.
 */
export function progressVerdict(activity: Activity, advancedInTarget: boolean): 'ok' | 'idle' | 'stalled' {
  if (advancedInTarget) return 'ok';
  return activity === 'moving' ? 'stalled' : 'idle';
}
