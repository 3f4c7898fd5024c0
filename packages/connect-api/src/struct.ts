import { DataError } from './errors.js';
import type { Field, Schema } from './schema.js';

/**
 * A value of a STRUCT schema, as Kafka's `Struct`. Fields are addressed by name; `validate()` checks
 * every required field is set and every value fits its schema's type.
 */
export class Struct {
  readonly schema: Schema;
  private readonly values: unknown[];
  /** Field by name, shared by every Struct of the schema (O(1) instead of a scan); fetched on first use. */
  private byName: ReadonlyMap<string, Field> | undefined;

  constructor(schema: Schema) {
    if (schema.type !== 'STRUCT') throw new DataError(`Not a struct schema: ${schema.type}`);
    this.schema = schema;
    // A loop, not fill(): fill() costs several times more for the small arrays structs use.
    const n = schema.fields!.length;
    const values = new Array<unknown>(n);
    for (let i = 0; i < n; i++) values[i] = undefined;
    this.values = values;
  }

  /** The value of field `name`, or its schema default when unset. */
  get(name: string): unknown {
    const f = this.lookup(name);
    const v = this.values[f.index];
    return v === undefined ? (f.schema.defaultValue ?? null) : v;
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

  /**
   * Fast path of {@link put} for a value that already fits the field's schema: one read from another
   * Struct's field with the very same schema object (a transform copying fields into a derived
   * Struct). The type is not checked again; a null for a required field without default still throws.
   * Anything else must go through put().
   */
  putTrusted(name: string, value: unknown): this {
    const f = this.lookup(name);
    if ((value === null || value === undefined) && !f.schema.optional && f.schema.defaultValue === undefined) {
      validateValue(f.schema, value, name);
    }
    this.values[f.index] = value;
    return this;
  }

  /**
   * Fast path of {@link get} / {@link getWithoutDefault} by field position (`schema.fields[index]`),
   * for code that walks every field: no name lookup.
   */
  getAt(index: number, withDefault = true): unknown {
    const v = this.values[index];
    if (v !== undefined) return v;
    return withDefault ? (this.schema.fields![index]!.schema.defaultValue ?? null) : null;
  }

  /** {@link putTrusted} by field position, with the same contract. */
  putTrustedAt(index: number, value: unknown): this {
    if (value === null || value === undefined) {
      const f = this.schema.fields![index]!;
      if (!f.schema.optional && f.schema.defaultValue === undefined) validateValue(f.schema, value, f.name);
    }
    this.values[index] = value;
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

  private lookup(name: string): Field {
    const f = (this.byName ??= fieldsByName(this.schema)).get(name);
    if (!f) throw new DataError(`${name} is not a valid field name`);
    return f;
  }
}

const fieldMaps = new WeakMap<Schema, ReadonlyMap<string, Field>>();

/** The name → field index of a STRUCT schema, built once per schema object (schemas are immutable). */
function fieldsByName(schema: Schema): ReadonlyMap<string, Field> {
  let m = fieldMaps.get(schema);
  if (m === undefined) {
    m = new Map(schema.fields!.map((f) => [f.name, f]));
    fieldMaps.set(schema, m);
  }
  return m;
}

/** Checks `value` against `schema`; throws a DataError that names `path`. */
export function validateValue(schema: Schema, value: unknown, path = 'value'): void {
  if (value === null || value === undefined) {
    if (schema.optional || schema.defaultValue !== undefined) return;
    throw new DataError(`Invalid value: null used for required field: "${path}", schema type: ${schema.type}`);
  }
  if (!fits(schema, value))
    throw new DataError(`Invalid Java object for schema type ${schema.type}: ${typeof value} for field: "${path}"`);
}

/** Whether a non-null value has the JS type of the schema (a plain function: this runs per put). */
function fits(schema: Schema, value: unknown): boolean {
  switch (schema.type) {
    case 'INT8':
    case 'INT16':
    case 'INT32':
    case 'FLOAT32':
    case 'FLOAT64':
      if (typeof value === 'number') return true;
      break;
    case 'INT64':
      if (typeof value === 'number' || typeof value === 'bigint') return true;
      break;
    case 'BOOLEAN':
      if (typeof value === 'boolean') return true;
      break;
    case 'STRING':
      if (typeof value === 'string') return true;
      break;
    case 'BYTES':
      if (value instanceof Uint8Array || (schema.name !== undefined && typeof value === 'string')) return true;
      break;
    case 'ARRAY':
      if (Array.isArray(value)) return true;
      break;
    case 'MAP':
      if (value instanceof Map || (typeof value === 'object' && !Array.isArray(value))) return true;
      break;
    case 'STRUCT':
      if (value instanceof Struct) return true;
      break;
  }
  return !!schema.name && value instanceof Date; // logical Date/Time/Timestamp
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a),
    kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as never)[k], (b as never)[k]));
}
