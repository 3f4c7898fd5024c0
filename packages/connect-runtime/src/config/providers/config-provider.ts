/**
 * Kafka's `ConfigProvider`: a named source of configuration values that connector configs refer to
 * as `${provider:path:key}` (or `${provider:key}`), so secrets stay out of the stored configs.
 */
export interface ConfigProvider {
  /** Called once with the worker's `config.providers.<name>.param.*` keys (prefix removed). */
  configure(params: Record<string, string>): void;
  /**
   * The values of `keys` at `path` (what `path` means is the provider's: a file, a directory, nothing).
   * Keys it does not have are left out of the result; a path it may not or cannot read throws a
   * ConfigError that names the path, never a value.
   */
  get(path: string, keys: ReadonlySet<string>): Promise<Map<string, string>>;
  close?(): void;
}
