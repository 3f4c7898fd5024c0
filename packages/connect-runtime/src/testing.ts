/**
 * Test helpers of the runtime, for this repository's own suites (not shipped in the package): the
 * contract every Log implementation passes, run by the embedded log's unit test and, against a real
 * broker, by test/e2e/kafka-log-contract.test.ts.
 */
export { runLogContract, type LogUnderTest } from './log/log-contract.js';
