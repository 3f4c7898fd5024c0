import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '@tributary/connect-api';
import { AllowedPaths } from './allowed-paths.js';
import type { ConfigProvider } from './config-provider.js';

/**
 * Kafka's `DirectoryConfigProvider`: `${dir:/run/secrets:db-password}` is the content of the file
 * `db-password` in that directory (Docker and Kubernetes mount secrets this way). Only regular
 * files directly in the directory; the content is used as is (no trimming), as in Kafka.
 */
export class DirectoryConfigProvider implements ConfigProvider {
  private allowed = new AllowedPaths(undefined);

  configure(params: Record<string, string>): void {
    this.allowed = new AllowedPaths(params['allowed.paths']);
  }

  async get(path: string, keys: ReadonlySet<string>): Promise<Map<string, string>> {
    if (path === '') throw new ConfigError('DirectoryConfigProvider needs a directory: ${dir:<directory>:<file name>}');
    const dir = this.allowed.check(path);
    if (dir === null)
      throw new ConfigError(`DirectoryConfigProvider may not read ${path}: it is not under allowed.paths`);
    const out = new Map<string, string>();
    for (const k of keys) {
      if (k.includes('/') || k.includes('\\') || k === '..' || k === '.') continue; // a file name, never a path
      const file = join(dir, k);
      const st = await stat(file).catch(() => null);
      if (!st?.isFile()) continue;
      out.set(k, await readFile(file, 'utf8'));
    }
    return out;
  }
}
