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

/**
 * Per derived schema, where each of its fields comes from in the input schema (positions), so a
 * transform can copy values by index. Keyed by the derived schema, which is cached per input schema.
 */
export class SourcePositions {
  private readonly cache = new WeakMap<Schema, readonly number[]>();

  constructor(private readonly compute: (derived: Schema, input: Schema) => number[]) {}

  get(derived: Schema, input: Schema): readonly number[] {
    let out = this.cache.get(derived);
    if (out === undefined) {
      out = this.compute(derived, input);
      this.cache.set(derived, out);
    }
    return out;
  }
}

/** Anything computed once per input schema object (e.g. per-field lookups turned into arrays). */
export class PerSchema<T> {
  private readonly cache = new WeakMap<Schema, T>();

  get(schema: Schema, compute: () => T): T {
    let out = this.cache.get(schema);
    if (out === undefined) {
      out = compute();
      this.cache.set(schema, out);
    }
    return out;
  }
}
