import { SchemaBuilder, Struct, schemaField, type Schema } from '@tributary/connect-api';
import { copySchemaBasics } from '../util/schema-util.js';
import { isMapValue, mapGet } from '../util/requirements.js';

const TOP_LEVEL = new Set(['op', 'ts_ms', 'ts_us', 'ts_ns']);
const TRANSACTION = new Set(['id', 'total_order', 'data_collection_order']);

/**
 * One entry of Debezium's `add.fields`/`add.headers`: `op`, `table`, `source.ts_ms`, optionally
 * `name:alias`. Bare names are looked up where Debezium looks: the envelope's own op/ts fields, the
 * transaction block's ids, else the `source` block. The output name is the prefix plus the alias, or
 * the path with dots as underscores (`__source_ts_ms`).
 */
export class FieldReference {
  readonly struct: string | null;
  readonly field: string;
  readonly newName: string;

  constructor(spec: string, prefix: string) {
    const [path, alias] = spec.split(':').map((s) => s.trim()) as [string, string | undefined];
    const dot = path.indexOf('.');
    if (dot >= 0) {
      this.struct = path.slice(0, dot);
      this.field = path.slice(dot + 1);
    } else {
      this.struct = TOP_LEVEL.has(path) ? null : TRANSACTION.has(path) ? 'transaction' : 'source';
      this.field = path;
    }
    this.newName = prefix + (alias ?? path.replaceAll('.', '_'));
  }

  /** The field's schema in the envelope schema, made optional (deletes and snapshots may lack it). */
  schemaIn(envelope: Schema): Schema {
    const holder = this.struct === null ? envelope : schemaField(envelope, this.struct)?.schema;
    const field = holder?.type === 'STRUCT' ? schemaField(holder, this.field) : undefined;
    if (!field) return SchemaBuilder.string().optional().build();
    const b = copySchemaBasics(field.schema);
    if (field.schema.type === 'STRUCT') for (const f of field.schema.fields!) b.field(f.name, f.schema);
    return b.optional().build();
  }

  /** The value in an envelope Struct or map, or null. */
  valueIn(envelope: unknown): unknown {
    const holder = this.struct === null ? envelope : get(envelope, this.struct);
    return get(holder, this.field);
  }
}

function get(container: unknown, name: string): unknown {
  if (container instanceof Struct) return schemaField(container.schema, name) ? container.get(name) : null;
  if (isMapValue(container)) return mapGet(container, name) ?? null;
  return null;
}
