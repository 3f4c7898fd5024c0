import { reverse } from 'node:dns/promises';

const LOOKUP_TIMEOUT_MS = 2000;

/**
 * Reverse DNS for the `hostname` field, cached per address. A failed or slow lookup caches null, so
 * a sender without a PTR record costs one lookup per cache period, not one per message.
 */
export class ReverseDns {
  private readonly cache = new Map<string, { name: string | null; expires: number }>();

  constructor(private readonly ttlMs: number) {}

  /** Resolves every address of `ips` not cached yet; then {@link get} answers from the cache. */
  async resolveAll(ips: Iterable<string>): Promise<void> {
    const now = Date.now();
    const todo = [...new Set(ips)].filter((ip) => (this.cache.get(ip)?.expires ?? 0) <= now);
    await Promise.all(
      todo.map(async (ip) => {
        const name = await Promise.race([
          reverse(ip).then(
            (names) => names[0] ?? null,
            () => null,
          ),
          new Promise<null>((r) => setTimeout(() => r(null), LOOKUP_TIMEOUT_MS).unref()),
        ]);
        this.cache.set(ip, { name, expires: now + this.ttlMs });
      }),
    );
  }

  get(ip: string): string | null {
    return this.cache.get(ip)?.name ?? null;
  }
}
