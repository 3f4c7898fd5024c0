import type { Schema } from '@tributary/connect-api';

/**
 * Derived schemas, one per input schema object. Kafka keeps an LRU of 16; schemas here are immutable
 * objects, so a WeakMap holds each derivation exactly as long as its input schema lives.
 */
export class SchemaCache {
  private readonly cache = new WeakMap<Schema, Schema>();

  get(input: Schema, derive: (input: Schema) => Schema): Schema {
    let out = this.cache.get(input);
    if (out === undefined) {
      out = derive(input);
      this.cache.set(input, out);
    }
    return out;
  }
}
