import { DataError } from './errors.js';
import { schemaField, type Schema } from './schema.js';

/**
 * A value of a STRUCT schema, as Kafka's `Struct`. Fields are addressed by name; `validate()` checks
 * every required field is set and every value fits its schema's type.
 */
export class Struct {
  readonly schema: Schema;
  private readonly values: unknown[];

  constructor(schema: Schema) {
    if (schema.type !== 'STRUCT') throw new DataError(`Not a struct schema: ${schema.type}`);
    this.schema = schema;
    this.values = new Array(schema.fields!.length).fill(undefined);
  }

  /** The value of field `name`, or its schema default when unset. */
  get(name: string): unknown {
    const f = this.lookup(name);
    const v = this.values[f.index];
    return v === undefined ? f.schema.defaultValue ?? null : v;
  }

  /** The raw value, without falling back to the default. */
  getWithoutDefault(name: string): unknown {
    const v = this.values[this.lookup(name).index];
    return v === undefined ? null : v;
  }

  put(name: string, value: unknown): this {
    const f = this.lookup(name);
    validateValue(f.schema, value, name);
    this.values[f.index] = value;
    return this;
  }

  /** Throws a DataError naming the first field whose value is missing or of the wrong type. */
  validate(): void {
    for (const f of this.schema.fields!) validateValue(f.schema, this.get(f.name), f.name);
  }

  /** A plain object view (nested structs converted too), for logs and schemaless writers. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of this.schema.fields!) {
      const v = this.get(f.name);
      out[f.name] = v instanceof Struct ? v.toJSON() : v;
    }
    return out;
  }

  equals(other: unknown): boolean {
    return other instanceof Struct && other.schema === this.schema && deepEqual(this.toJSON(), other.toJSON());
  }

  private lookup(name: string) {
    const f = schemaField(this.schema, name);
    if (!f) throw new DataError(`${name} is not a valid field name`);
    return f;
  }
}

/** Checks `value` against `schema`; throws a DataError that names `path`. */
export function validateValue(schema: Schema, value: unknown, path = 'value'): void {
  if (value === null || value === undefined) {
    if (schema.optional || schema.defaultValue !== undefined) return;
    throw new DataError(`Invalid value: null used for required field: "${path}", schema type: ${schema.type}`);
  }
  const ok = (() => {
    if (schema.name && value instanceof Date) return true; // logical Date/Time/Timestamp
    switch (schema.type) {
      case 'INT8': case 'INT16': case 'INT32': case 'FLOAT32': case 'FLOAT64':
        return typeof value === 'number';
      case 'INT64': return typeof value === 'number' || typeof value === 'bigint';
      case 'BOOLEAN': return typeof value === 'boolean';
      case 'STRING': return typeof value === 'string';
      case 'BYTES': return value instanceof Uint8Array || (schema.name !== undefined && typeof value === 'string');
      case 'ARRAY': return Array.isArray(value);
      case 'MAP': return value instanceof Map || (typeof value === 'object' && !Array.isArray(value));
      case 'STRUCT': return value instanceof Struct;
    }
  })();
  if (!ok) throw new DataError(`Invalid Java object for schema type ${schema.type}: ${typeof value} for field: "${path}"`);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as never)[k], (b as never)[k]));
}
