/** Config providers (`config.providers`) and the `${provider:path:key}` resolution they serve. */
export { createConfigResolver, hasPlaceholder, redactResolved, type ConfigResolver } from './config-resolver.js';
export type { ConfigProvider } from './config-provider.js';
export { FileConfigProvider } from './file-config-provider.js';
export { EnvVarConfigProvider } from './env-config-provider.js';
export { DirectoryConfigProvider } from './directory-config-provider.js';
export { parseProperties } from './properties.js';
