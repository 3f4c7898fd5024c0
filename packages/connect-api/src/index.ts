/**
 * The Tributary plugin SDK: contracts for connectors, tasks, transforms and converters, Connect's
 * data model (schemas, structs, records) and the config declaration. It has no runtime dependencies;
 * plugins depend on this package only.
 */
export * from './errors.js';
export * from './schema.js';
export * from './logical.js';
export * from './struct.js';
export * from './records.js';
export * from './config.js';
export * from './logger.js';
export * from './connector.js';
export * from './task.js';
export * from './transform.js';
export * from './converter.js';
export * from './plugin.js';
export * from './sleep.js';
