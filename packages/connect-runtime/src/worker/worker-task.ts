import type { Logger } from '@tributary/connect-api';
import type { TargetState } from '../storage/config-store.js';
import { traceOf, type State, type StatusListener } from './status.js';

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
 */
export abstract class WorkerTask {
  protected readonly abort = new AbortController();
  private paused = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private currentState: State = 'UNASSIGNED';

  constructor(protected readonly deps: WorkerTaskDeps, initialState: TargetState) {
    this.paused = initialState === 'PAUSED';
  }

  get id(): string { return `${this.deps.connector}-${this.deps.taskId}`; }
  get state(): State { return this.currentState; }
  get signal(): AbortSignal { return this.abort.signal; }
  protected get logger(): Logger { return this.deps.logger; }
  protected get isPaused(): boolean { return this.paused; }

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
    if (!this.loop) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), this.deps.shutdownTimeoutMs); });
    const outcome = await Promise.race([this.loop.then(() => 'done' as const), timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') this.logger.warn(`task ${this.id} did not stop within ${this.deps.shutdownTimeoutMs} ms; abandoning it`);
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
    if (!failed) this.currentState = 'UNASSIGNED';
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
    this.deps.status.onTask(this.deps.connector, this.deps.taskId, { state, workerId: this.deps.workerId, ...(trace ? { trace } : {}) });
  }

  /** Creates and starts the plugin task. */
  protected abstract initialize(): Promise<void>;
  /** One poll-and-send (source) or poll-and-put (sink) cycle. */
  protected abstract iteration(): Promise<void>;
  /** Final flush and commit, then the plugin's stop(). `failed` skips what a failure made unsafe. */
  protected abstract close(failed: boolean): Promise<void>;
  protected onTargetState(_paused: boolean): void {}
}
