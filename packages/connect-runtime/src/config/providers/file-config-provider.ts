import { readFile } from 'node:fs/promises';
import { ConfigError } from '@tributary/connect-api';
import { AllowedPaths } from './allowed-paths.js';
import type { ConfigProvider } from './config-provider.js';
import { parseProperties } from './properties.js';

/**
 * Kafka's `FileConfigProvider`: `${file:/etc/secrets/db.properties:password}` is the value of
 * `password` in that properties file. `allowed.paths` limits which files may be read.
 */
export class FileConfigProvider implements ConfigProvider {
  private allowed = new AllowedPaths(undefined);

  configure(params: Record<string, string>): void {
    this.allowed = new AllowedPaths(params['allowed.paths']);
  }

  async get(path: string, keys: ReadonlySet<string>): Promise<Map<string, string>> {
    if (path === '') throw new ConfigError('FileConfigProvider needs a file path: ${file:<path>:<key>}');
    const file = this.allowed.check(path);
    if (file === null) throw new ConfigError(`FileConfigProvider may not read ${path}: it is not under allowed.paths`);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new ConfigError(
        `FileConfigProvider could not read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
    const all = parseProperties(text);
    const out = new Map<string, string>();
    for (const k of keys) if (all.has(k)) out.set(k, all.get(k)!);
    return out;
  }
}
