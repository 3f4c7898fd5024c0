import { ConfigError } from '@tributary/connect-api';
import type { ConfigProvider } from './config-provider.js';

/**
 * Kafka's `EnvVarConfigProvider`: `${env:DB_PASSWORD}` is that environment variable of the worker.
 * `allowlist.pattern` (a regular expression matched against the whole name) limits which variables
 * can be read; by default all can.
 */
export class EnvVarConfigProvider implements ConfigProvider {
  private allow: RegExp | null = null;

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  configure(params: Record<string, string>): void {
    const pattern = params['allowlist.pattern'];
    try {
      this.allow = pattern ? new RegExp(`^(?:${pattern})$`) : null;
    } catch {
      throw new ConfigError([{ key: 'allowlist.pattern', message: `not a valid regular expression: ${pattern}` }]);
    }
  }

  async get(path: string, keys: ReadonlySet<string>): Promise<Map<string, string>> {
    if (path !== '')
      throw new ConfigError(`EnvVarConfigProvider takes no path: write \${env:VARIABLE}, not \${env:${path}:…}`);
    const out = new Map<string, string>();
    for (const k of keys) {
      if (this.allow && !this.allow.test(k)) continue;
      const v = this.env[k];
      if (v !== undefined) out.set(k, v);
    }
    return out;
  }
}
