/**
 * Resolves after `ms`, or at once (without throwing) when `signal` aborts: the wait a task uses between
 * polls or retries, given `ctx.signal` so that `stop()` is never held up by it.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
