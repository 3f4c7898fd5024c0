import { sleep } from '@tributary/connect-api';
import type { Cluster, ConnectorStatus, OffsetsBody, PluginInfo } from './cluster.js';
import { inspect, type Inspection } from './inspect.js';
import { offsetTranslation, type Direction, type OffsetTranslation } from './offset-translation.js';
import { activityOf, advanced, progressVerdict, type Activity } from './progress.js';

export interface MoveOptions {
  readonly direction: Direction;
  readonly dryRun: boolean;
  /** Leave the connector STOPPED in the source cluster instead of deleting it. */
  readonly keep: boolean;
  /** How long the source may take to stop, and the target to report RUNNING. */
  readonly timeoutMs: number;
  /** How long the target must stay RUNNING (no task FAILED) before the move counts as done. */
  readonly verifyMs: number;
  /** How long a source connector's offsets must stay unchanged after it reports STOPPED (see settledOffsets). */
  readonly settleMs: number;
  /**
   * How long a connector that was moving records before the stop may take to commit new offsets in the target
   * (longer than the target's offset.flush.interval.ms, 60 s by default in Kafka Connect).
   */
  readonly progressMs: number;
  /** Progress lines (one per step, printed before the step's request). */
  readonly say: (line: string) => void;
}

export type Outcome = 'moved' | 'already moved' | 'planned' | 'skipped' | 'failed';

export interface MoveResult {
  readonly name: string;
  readonly outcome: Outcome;
  readonly detail: string;
  readonly inspection?: Inspection;
  /** Whether it was moving records before the stop (see progress.ts); set once the move got that far. */
  readonly activity?: Activity;
}

class MoveError extends Error {}

const isStopped = (s: ConnectorStatus | null) => s?.connector.state === 'STOPPED';

/**
 * Moves connector `name` from `from` to `to` with Kafka Connect's REST API alone. Every run starts from what
 * the two clusters report, not from a journal, so a run killed at any step is finished by the next one:
 *
 *   source only, not STOPPED        fresh: inspect, read its offsets twice, stop it, copy offsets, create
 *                                   STOPPED in the target, resume, verify (RUNNING; records moving if they were)
 *   source STOPPED, target STOPPED  killed after the create: offsets again, resume the target
 *   source STOPPED, target running  killed after the resume: verify, delete (or keep) the source's copy
 *   source running, target STOPPED  a failed attempt's leftover: deleted from the target, then as fresh
 *   target only                     already moved
 *
 * A source found STOPPED with no target copy is taken as a move interrupted after the stop (whether it was
 * moving records is then unknown, and only RUNNING is verified). On a failure
 * before the target runs it, the connector is resumed in the source and the target's copy deleted.
 */
export async function moveConnector(
  name: string,
  from: Cluster,
  to: Cluster,
  plugins: PluginInfo[],
  o: MoveOptions,
): Promise<MoveResult> {
  const say = (line: string) => o.say(`${name}: ${line}`);
  const [config, status, targetStatus] = await Promise.all([from.config(name), from.status(name), to.status(name)]);
  if (!config) {
    if (targetStatus) return { name, outcome: 'already moved', detail: `runs in ${to.url}` };
    return { name, outcome: 'failed', detail: `no connector ${name} in ${from.url} or ${to.url}` };
  }
  const type = status?.type ?? 'unknown';
  const inspection = await inspect(name, config, type, to, plugins, o.direction);
  let activity: Activity | undefined;
  const result = (outcome: Outcome, detail: string): MoveResult => ({ name, outcome, detail, inspection, activity });
  if (!inspection.plugin) return result('skipped', `${to.url} has no plugin for ${inspection.connectorClass}`);

  if (targetStatus && !isStopped(status)) {
    if (!isStopped(targetStatus))
      return result('failed', `runs in both clusters (${status?.connector.state}, ${targetStatus.connector.state})`);
    if (o.dryRun) return result('planned', `a STOPPED copy in ${to.url} would be replaced`);
    say(`deleting the STOPPED copy a failed attempt left in ${to.url}`);
    await to.remove(name);
    await waitFor(
      () => to.status(name),
      (s) => s === null,
      o.timeoutMs,
      `still in ${to.url}`,
    );
    return moveConnector(name, from, to, plugins, o);
  }
  if (o.dryRun) {
    if (inspection.errors.length > 0) return result('skipped', `${to.url} rejects the config`);
    return result('planned', targetStatus ? 'would finish an interrupted move' : 'would move');
  }
  if (inspection.errors.length > 0)
    return result('skipped', `${to.url} rejects the config: ${inspection.errors.join('; ')}`);

  const wasStopped = isStopped(status);
  let started = Date.now();
  let gap = '';
  let progress = 'RUNNING (not resumed by this run)';
  const targetRan = !!targetStatus && !isStopped(targetStatus);
  try {
    // Offsets while it runs, `settleMs` apart: if they or the settled ones after the stop differ, records were
    // moving, and must move in the target too.
    const whileRunning: OffsetsBody[] = [];
    if (!targetStatus) {
      if (!wasStopped) {
        whileRunning.push(await from.offsets(name));
        await sleep(o.settleMs);
        whileRunning.push(await from.offsets(name));
        say(`stopping in ${from.url}`);
        started = Date.now();
        await from.stop(name);
      }
      await waitFor(() => from.status(name), isStopped, o.timeoutMs, `did not stop in ${from.url}`);
      say(`creating STOPPED in ${to.url}`);
      await to.createStopped(name, config);
    }
    let targetBase: OffsetsBody | null = null;
    if (!targetStatus || isStopped(targetStatus)) {
      // A sink's offsets are its consumer group's, shared by both clusters: read for the progress check only.
      const read = await settledOffsets(from, name, o);
      activity = activityOf(whileRunning, read);
      if (type !== 'sink') {
        const offsets = offsetTranslation(inspection.plugin.class, o.direction).translate(read);
        if (offsets.offsets.length > 0) {
          say(`writing ${offsets.offsets.length} source offset(s) in ${to.url}`);
          await to.alterOffsets(name, offsets);
        }
      }
      // As the target reports them (its own format), so that only its tasks' commits count as progress.
      targetBase = await to.offsets(name);
      say(`resuming in ${to.url}`);
      await to.resume(name);
    }
    say(`verifying in ${to.url}`);
    const runningAt = await verifyRunning(to, name, o);
    if (targetBase) progress = await verifyProgress(to, name, targetBase, activity ?? 'unknown', o, runningAt);
    // From the stop to RUNNING in the target (when this run made both): how long the connector ran nowhere.
    if (!wasStopped && !targetStatus) gap = ` (RUNNING ${((runningAt - started) / 1000).toFixed(1)} s after the stop)`;
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    const back = type === 'sink' ? null : offsetTranslation(inspection.plugin.class, reverse(o.direction));
    return result('failed', await rollBack(name, from, to, { targetRan, reason, say, back, o }));
  }
  if (o.keep) return result('moved', `runs in ${to.url}${gap}, ${progress}; kept STOPPED in ${from.url}`);
  say(`deleting from ${from.url}`);
  await from.remove(name);
  return result('moved', `runs in ${to.url}${gap}, ${progress}`);
}

const reverse = (d: Direction): Direction => (d === 'adopt' ? 'handback' : 'adopt');

/**
 * Puts the connector back where it ran: the target's copy deleted, the source's resumed. A source connector
 * the target ran for a while takes the target's offsets back with it (`back` translates them), so what the
 * target produced is not produced again.
 */
async function rollBack(
  name: string,
  from: Cluster,
  to: Cluster,
  r: {
    targetRan: boolean;
    reason: string;
    say: (line: string) => void;
    back: OffsetTranslation | null;
    o: MoveOptions;
  },
): Promise<string> {
  const { targetRan, reason, say, back, o } = r;
  try {
    if (targetRan) return `${reason}; it stays in ${to.url} and STOPPED in ${from.url} (run again to finish)`;
    say(`failed (${reason}); resuming in ${from.url}`);
    if (back && (await to.status(name))) {
      await to.stop(name);
      await waitFor(() => to.status(name), isStopped, o.timeoutMs, `did not stop in ${to.url}`);
      const offsets = back.translate(await settledOffsets(to, name, o));
      if (offsets.offsets.length > 0) await from.alterOffsets(name, offsets);
    }
    await to.remove(name);
    await from.resume(name);
    return `${reason}; nothing moved, it runs in ${from.url} again`;
  } catch (e) {
    return (
      `${reason}; then ${(e as Error).message} while putting it back: it is STOPPED in ${from.url}. ` +
      `Run the same command again to finish the move, or PUT ${from.url}/connectors/${name}/resume to keep it there`
    );
  }
}

/**
 * The offsets of a STOPPED source connector once they stop changing. Both Kafka Connect and Tributary report
 * STOPPED as soon as the target state is written, while the tasks are still stopping and committing their last
 * offsets; read then, the offsets can lag what was produced (the target would produce it again). So the offsets
 * are read until two reads `settleMs` apart agree.
 */
async function settledOffsets(from: Cluster, name: string, o: MoveOptions): Promise<OffsetsBody> {
  const until = Date.now() + o.timeoutMs;
  let last = JSON.stringify(await from.offsets(name));
  for (;;) {
    await sleep(o.settleMs);
    const now = await from.offsets(name);
    if (JSON.stringify(now) === last) return now;
    if (Date.now() > until) throw new MoveError(`offsets in ${from.url} still changing after ${o.timeoutMs} ms`);
    last = JSON.stringify(now);
  }
}

/**
 * Records moving in the target: its offsets advance past `base` (what it reported before the resume). A connector
 * that was moving before the stop gets `progressMs` for that, and fails the move if they do not (it runs but
 * delivers nothing); an idle one is reported idle. Returns the line for the result.
 */
async function verifyProgress(
  to: Cluster,
  name: string,
  base: OffsetsBody,
  activity: Activity,
  o: MoveOptions,
  runningAt: number,
): Promise<string> {
  const until = Date.now() + (activity === 'moving' ? o.progressMs : 0);
  for (;;) {
    const verdict = progressVerdict(activity, advanced(base, await to.offsets(name)));
    if (verdict === 'ok')
      return `records moving (offsets advanced within ${((Date.now() - runningAt) / 1000).toFixed(1)} s of RUNNING)`;
    if (Date.now() >= until) {
      if (verdict !== 'idle') {
        throw new MoveError(
          `no records moving in ${to.url}: its offsets did not advance within ${o.progressMs} ms, ` +
            'while they did in the source before the stop',
        );
      }
      return activity === 'idle'
        ? 'idle (its offsets did not change while it ran or at the stop: none expected)'
        : 'RUNNING (whether it moved records before is unknown: it was stopped before this run)';
    }
    await sleep(500);
  }
}

async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms: number, what: string): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > until) throw new MoveError(`${what} within ${ms} ms`);
    await sleep(250);
  }
}

/** The connector and all its tasks RUNNING, and still so (no task FAILED) `verifyMs` later. */
/** Returns when the target was first seen RUNNING (ms since the epoch). */
async function verifyRunning(to: Cluster, name: string, o: MoveOptions): Promise<number> {
  const running = (s: ConnectorStatus | null) =>
    s !== null && s.connector.state === 'RUNNING' && s.tasks.length > 0 && s.tasks.every((t) => t.state === 'RUNNING');
  const failed = (s: ConnectorStatus | null) =>
    s?.connector.state === 'FAILED'
      ? (s.connector.trace ?? 'connector FAILED')
      : s?.tasks.some((t) => t.state === 'FAILED')
        ? (s.tasks.find((t) => t.state === 'FAILED')?.trace ?? 'task FAILED')
        : undefined;
  const check = async () => {
    const s = await to.status(name);
    const trace = failed(s);
    if (trace !== undefined) throw new MoveError(`FAILED in ${to.url}: ${trace.split('\n')[0]}`);
    return s;
  };
  await waitFor(check, running, o.timeoutMs, `not RUNNING in ${to.url}`);
  const runningAt = Date.now();
  await sleep(o.verifyMs);
  const s = await check();
  if (!running(s)) throw new MoveError(`not RUNNING in ${to.url} after ${o.verifyMs} ms: ${s?.connector.state}`);
  return runningAt;
}
