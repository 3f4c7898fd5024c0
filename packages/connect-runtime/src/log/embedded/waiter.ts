/**
 * A wake-up flag for one waiting `poll()`: producers, the group coordinator, `close()` and abort
 * signals call {@link Waiter.wake}. A wake that comes while the poll is still fetching (not yet
 * waiting) is remembered, so the poll does not sleep past records that arrived meanwhile.
 */
const MAX_TIMER_MS = 2_147_483_647;

export class Waiter {
  private pending = false;
  private release: (() => void) | null = null;

  /** Forgets earlier wakes; call before looking for work. */
  arm(): void {
    this.pending = false;
  }

  wake(): void {
    this.pending = true;
    const r = this.release;
    this.release = null;
    r?.();
  }

  /** Resolves on the next wake (or at once if one came since `arm()`), on timeout or on abort. */
  wait(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.pending || timeoutMs <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        if (this.release === done) this.release = null;
        resolve();
      };
      // setTimeout treats delays beyond 2^31-1 ms as 1 ms; poll(Infinity) must not spin.
      const timer = setTimeout(done, Math.min(timeoutMs, MAX_TIMER_MS));
      signal?.addEventListener('abort', done, { once: true });
      this.release = done;
    });
  }
}
