/** The embedded log: segment files in a local directory, for one worker process. See embedded-log.ts. */
export { openEmbeddedLog } from './embedded-log.js';
export type { EmbeddedLogOptions } from './options.js';
export { murmur2, partitionForKey, toPositive } from './murmur2.js';
