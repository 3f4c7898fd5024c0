import type { OffsetsBody } from './cluster.js';

/**
 * Whether a connector was moving records when it was stopped: `moving` when its offsets changed between two reads
 * `settleMs` apart while it ran (a runtime that commits after each batch), or between the last of them and the
 * settled read after the stop (one that commits every offset.flush.interval.ms, and at the stop); `idle` when they
 * never did; `unknown` when this run did not stop it (a rerun after a kill finds it STOPPED already).
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

/** What the reads while it ran (oldest first; none when this run did not stop it) and the settled one say. */
export function activityOf(whileRunning: OffsetsBody[], settled: OffsetsBody): Activity {
  if (whileRunning.length === 0) return 'unknown';
  const reads = [...whileRunning, settled];
  return reads.some((r, i) => i > 0 && advanced(reads[i - 1]!, r)) ? 'moving' : 'idle';
}

/**
 * The verdict on the target once its wait is over: a connector that was moving must have committed new offsets
 * there (else the move is rolled back: it runs but delivers nothing); an idle one is not expected to.
 */
export function progressVerdict(activity: Activity, advancedInTarget: boolean): 'ok' | 'idle' | 'stalled' {
  if (advancedInTarget) return 'ok';
  return activity === 'moving' ? 'stalled' : 'idle';
}
