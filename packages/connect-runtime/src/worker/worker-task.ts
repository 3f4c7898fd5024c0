import type { Logger } from '@tributary/connect-api';
import type { TargetState } from '../storage/config-store.js';
import { traceOf, type State, type StatusListener } from './status.js';
import { taskLabel } from './task-id.js';

export interface WorkerTaskDeps {
  readonly connector: string;
  readonly taskId: number;
  readonly workerId: string;
  readonly logger: Logger;
  readonly status: StatusListener;
  readonly shutdownTimeoutMs: number;
}

/**
 * The one task-runner template for sources and sinks: start, loop until stopped, pause and resume,
 * fail with a trace, stop within a time limit. Subclasses fill in what one iteration does.
 *
 * Stopping aborts `signal` first, so a poll or put in flight can return early, then waits for the
 * loop to finish its final commit; a task that does not finish in `shutdownTimeoutMs` is abandoned
 * (its uncommitted records are delivered again after a restart).
 *
 * The runner owns the log clients it is given or creates (producer, consumer, the error handler's DLQ
 * producer) and closes each exactly once, through {@link closeClients}: after the final commit and
 * the plugin's stop() — whether the task stopped, failed or never started — or at once when a
 * stopping task is abandoned after `shutdownTimeoutMs`.
 */
export abstract class WorkerTask {
  protected readonly abort = new AbortController();
  private paused = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private currentState: State = 'UNASSIGNED';
  private clientsClosed: Promise<void> | null = null;

  constructor(
    protected readonly deps: WorkerTaskDeps,
    initialState: TargetState,
  ) {
    this.paused = initialState === 'PAUSED';
  }

  /** The task as Connect prints it (`name-n`), for logs and messages. */
  get id(): string {
    return taskLabel({ connector: this.deps.connector, task: this.deps.taskId });
  }
  get state(): State {
    return this.currentState;
  }
  get signal(): AbortSignal {
    return this.abort.signal;
  }
  protected get logger(): Logger {
    return this.deps.logger;
  }
  protected get isPaused(): boolean {
    return this.paused;
  }

  /** Starts the task; resolves once the loop is running (start errors mark it FAILED, not throw). */
  start(): void {
    this.loop = this.run();
  }

  setTargetState(target: TargetState): void {
    const pause = target === 'PAUSED';
    if (pause === this.paused) return;
    this.paused = pause;
    if (this.currentState === 'RUNNING' || this.currentState === 'PAUSED') this.report(pause ? 'PAUSED' : 'RUNNING');
    this.onTargetState(pause);
    this.wake?.();
  }

  /** Stops the task and resolves when it has stopped (or the shutdown timeout passed). */
  async stop(): Promise<void> {
    this.abort.abort();
    this.wake?.();
    if (!this.loop) return this.closeClientsOnce();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), this.deps.shutdownTimeoutMs);
    });
    const outcome = await Promise.race([this.loop.then(() => 'done' as const), timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.logger.warn(`task ${this.id} did not stop within ${this.deps.shutdownTimeoutMs} ms; abandoning it`);
      await this.closeClientsOnce();
    }
  }

  private async run(): Promise<void> {
    let failed = false;
    try {
      await this.initialize();
      this.report(this.paused ? 'PAUSED' : 'RUNNING');
      while (!this.abort.signal.aborted) {
        if (this.paused) {
          await this.whilePaused();
          continue;
        }
        await this.iteration();
      }
    } catch (err) {
      failed = true;
      if (!this.abort.signal.aborted) this.fail(err);
    }
    try {
      await this.close(failed);
    } catch (err) {
      this.logger.error({ err }, `task ${this.id} failed while stopping`);
    }
    await this.closeClientsOnce();
    if (!failed) this.currentState = 'UNASSIGNED';
  }

  private closeClientsOnce(): Promise<void> {
    this.clientsClosed ??= this.closeClients().catch((err) =>
      this.logger.error({ err }, `task ${this.id}: closing its log clients failed`),
    );
    return this.clientsClosed;
  }

  /** Waits for resume or stop; sink runners keep their group membership alive meanwhile. */
  protected async whilePaused(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      setTimeout(resolve, 1000);
    });
    this.wake = null;
  }

  protected fail(err: unknown): void {
    this.logger.error({ err }, `task ${this.id} failed`);
    this.report('FAILED', traceOf(err));
  }

  private report(state: State, trace?: string): void {
    this.currentState = state;
    this.deps.status.onTask(this.deps.connector, this.deps.taskId, {
      state,
      workerId: this.deps.workerId,
      ...(trace ? { trace } : {}),
    });
  }

  /** Creates and starts the plugin task. */
  protected abstract initialize(): Promise<void>;
  /** One poll-and-send (source) or poll-and-put (sink) cycle. */
  protected abstract iteration(): Promise<void>;
  /** Final flush and commit, then the plugin's stop(). `failed` skips what a failure made unsafe. */
  protected abstract close(failed: boolean): Promise<void>;
  /** Closes every log client the runner owns; called once (see the class doc). */
  protected abstract closeClients(): Promise<void>;
  protected onTargetState(_paused: boolean): void {}
}

/** Runs every close, even after one failed; rejects with the first failure. */
export async function closeAll(closes: Array<() => Promise<void> | undefined>): Promise<void> {
  const results = await Promise.allSettled(closes.map(async (c) => c()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
