/**
 * The conformance kit for plugin authors: fake task contexts, an in-memory offset store, and suites that
 * check a connector against the contracts the runtime relies on. Call one in a test file:
 *
 * ```ts
 * import { sourceTaskSuite } from '@tributary/connect-api/testing';
 * sourceTaskSuite('acme', { connector: () => new AcmeSourceConnector(), setup: () => ({ config: {...} }) });
 * ```
 *
 * The suites register `node:test` cases; run them with `node --test`.
 */
export * from './contexts.js';
export { ContractError, checkRequiredKeys } from './contract.js';
export * from './source-suite.js';
export * from './sink-suite.js';
export { sleep } from '../sleep.js';
