import {
  ConfigDef,
  SchemaBuilder,
  Schemas,
  Struct,
  schemaField,
  withRecord,
  type ConnectRecord,
  type Header,
  type Schema,
  type Transformation,
} from '@tributary/connect-api';
import { parseConfig, REPLACE_NULL_WITH_DEFAULT } from '../util/config.js';
import { copyMap, isMapValue, mapGet, mapSet, type MapValue } from '../util/requirements.js';
import { SchemaCache } from '../util/schema-cache.js';
import { copySchemaBasics, fieldValue } from '../util/schema-util.js';
import { FieldReference } from './field-reference.js';

const DELETED = '__deleted';

const CONFIG = new ConfigDef()
  .define({
    name: 'drop.tombstones',
    type: 'BOOLEAN',
    default: true,
    importance: 'LOW',
    documentation:
      'Debezium by default generates a tombstone record to enable Kafka compaction after a delete record was generated. This record is usually filtered out to avoid duplicates as a delete record is converted to a tombstone record, too. (Deprecated: use delete.tombstone.handling.mode.)',
  })
  .define({
    name: 'delete.handling.mode',
    type: 'STRING',
    default: 'drop',
    importance: 'MEDIUM',
    validValues: ['drop', 'rewrite', 'none'],
    documentation:
      'How to handle delete records. Options are: none - records are passed, drop - records are removed (the default), rewrite - __deleted field is added to records. (Deprecated: use delete.tombstone.handling.mode.)',
  })
  .define({
    name: 'delete.tombstone.handling.mode',
    type: 'STRING',
    default: null,
    importance: 'MEDIUM',
    validValues: ['drop', 'tombstone', 'rewrite', 'rewrite-with-tombstone', 'delete-to-tombstone'],
    documentation:
      'How to handle delete records and tombstones: drop (both removed), tombstone (deletes become null-valued records, tombstones dropped), rewrite (deletes become the before row with __deleted=true, every other record gets __deleted=false, tombstones dropped), rewrite-with-tombstone (as rewrite, tombstones kept), delete-to-tombstone (deletes become tombstones). Overrides the two deprecated keys when set.',
  })
  .define({
    name: 'add.fields',
    type: 'LIST',
    default: '',
    importance: 'LOW',
    documentation:
      'Adds these fields of the change event to the simplified record, e.g. op,table,lsn,source.ts_ms; name:alias renames.',
  })
  .define({
    name: 'add.fields.prefix',
    type: 'STRING',
    default: '__',
    importance: 'LOW',
    documentation: 'Prefix of the fields added by add.fields.',
  })
  .define({
    name: 'add.headers',
    type: 'LIST',
    default: '',
    importance: 'LOW',
    documentation: 'Adds these fields of the change event as headers of the simplified record.',
  })
  .define({
    name: 'add.headers.prefix',
    type: 'STRING',
    default: '__',
    importance: 'LOW',
    documentation: 'Prefix of the headers added by add.headers.',
  })
  .define({
    name: 'route.by.field',
    type: 'STRING',
    default: '',
    importance: 'LOW',
    documentation: "A field of the row (after, or before for deletes) whose value becomes the record's topic.",
  })
  .define(REPLACE_NULL_WITH_DEFAULT);

/** What happens to a delete event: removed, a null value, the before row marked deleted, or a true tombstone. */
type DeleteAction = 'drop' | 'null-value' | 'rewrite' | 'tombstone';

/**
 * Debezium's `ExtractNewRecordState` (formerly `UnwrapFromEnvelope`): replaces a change event
 * {before, after, source, op, ts_ms} with its row state, handling deletes and tombstones per config and
 * optionally copying envelope fields into the row or headers. Records that are not change events
 * (heartbeats, schema changes, truncates, messages) pass through unchanged.
 */
export class ExtractNewRecordState implements Transformation {
  private onDelete: DeleteAction = 'drop';
  private keepTombstones = false;
  private markDeleted = false;
  private fields: FieldReference[] = [];
  private headers: FieldReference[] = [];
  private routeByField = '';
  private replaceNullWithDefault = true;
  private readonly schemas = new SchemaCache();

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    const c = parseConfig(CONFIG, props);
    const mode = c.optionalString('delete.tombstone.handling.mode');
    if (mode !== null) {
      this.onDelete = (
        {
          drop: 'drop',
          tombstone: 'null-value',
          rewrite: 'rewrite',
          'rewrite-with-tombstone': 'rewrite',
          'delete-to-tombstone': 'tombstone',
        } as const
      )[mode as 'drop'];
      this.keepTombstones = mode === 'rewrite-with-tombstone';
    } else {
      const legacy = c.string('delete.handling.mode');
      this.onDelete = legacy === 'none' ? 'null-value' : (legacy as DeleteAction);
      this.keepTombstones = !c.bool('drop.tombstones');
    }
    this.markDeleted = this.onDelete === 'rewrite';
    this.fields = c.list('add.fields').map((f) => new FieldReference(f, c.string('add.fields.prefix')));
    this.headers = c.list('add.headers').map((f) => new FieldReference(f, c.string('add.headers.prefix')));
    this.routeByField = c.string('route.by.field');
    this.replaceNullWithDefault = c.bool('replace.null.with.default');
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    const envelope = record.value;
    if (envelope === null || envelope === undefined) return this.keepTombstones ? record : null;
    if (!isEnvelope(envelope)) return record;
    const op = get(envelope, 'op');
    if (op !== 'c' && op !== 'u' && op !== 'r' && op !== 'd') return record;
    const isDelete = op === 'd';
    if (isDelete && this.onDelete === 'drop') return null;
    if (isDelete && this.onDelete === 'tombstone')
      return this.withHeaders(withRecord(record, { valueSchema: null, value: null }), envelope);
    const row = get(envelope, isDelete ? 'before' : 'after');
    const rowSchema =
      envelope instanceof Struct ? (schemaField(envelope.schema, isDelete ? 'before' : 'after')?.schema ?? null) : null;
    if (isDelete && this.onDelete === 'null-value')
      return this.withHeaders(withRecord(record, { valueSchema: rowSchema, value: null }), envelope);

    const deleted = this.markDeleted ? (isDelete ? 'true' : 'false') : null;
    let out: R;
    if (row instanceof Struct && !this.markDeleted && this.fields.length === 0) {
      out = withRecord(record, { valueSchema: rowSchema ?? row.schema, value: row });
    } else if (row instanceof Struct) {
      const schema = this.schemas.get(row.schema, (s) => this.deriveSchema(s, (envelope as Struct).schema));
      out = withRecord(record, { valueSchema: schema, value: this.structRow(row, schema, envelope, deleted) });
    } else if (isMapValue(row)) {
      out = withRecord(record, { valueSchema: null, value: this.mapRow(row, envelope, deleted) });
    } else {
      out = withRecord(record, { valueSchema: rowSchema, value: row ?? null });
    }
    if (this.routeByField !== '') {
      const topic = get(out.value, this.routeByField);
      if (topic !== null && topic !== undefined) out = withRecord(out, { topic: String(topic) });
    }
    return this.withHeaders(out, envelope);
  }

  private deriveSchema(row: Schema, envelope: Schema): Schema {
    const b = copySchemaBasics(row, SchemaBuilder.struct());
    for (const f of row.fields!) b.field(f.name, f.schema);
    if (this.markDeleted) b.field(DELETED, Schemas.OPTIONAL_STRING);
    for (const ref of this.fields) b.field(ref.newName, ref.schemaIn(envelope));
    if (row.optional) b.optional();
    return b.build();
  }

  private structRow(row: Struct, schema: Schema, envelope: unknown, deleted: string | null): Struct {
    const out = new Struct(schema);
    for (const f of row.schema.fields!) out.put(f.name, fieldValue(row, f.name, this.replaceNullWithDefault));
    if (deleted !== null) out.put(DELETED, deleted);
    for (const ref of this.fields) out.put(ref.newName, ref.valueIn(envelope));
    return out;
  }

  private mapRow(row: MapValue, envelope: unknown, deleted: string | null): MapValue {
    const out = copyMap(row);
    if (deleted !== null) mapSet(out, DELETED, deleted);
    for (const ref of this.fields) mapSet(out, ref.newName, ref.valueIn(envelope));
    return out;
  }

  private withHeaders<R extends ConnectRecord>(record: R, envelope: unknown): R {
    if (this.headers.length === 0) return record;
    const added: Header[] = this.headers.map((ref) => ({
      key: ref.newName,
      schema: envelope instanceof Struct ? ref.schemaIn(envelope.schema) : null,
      value: ref.valueIn(envelope),
    }));
    return withRecord(record, { headers: [...record.headers, ...added] });
  }
}

function get(container: unknown, name: string): unknown {
  if (container instanceof Struct) return schemaField(container.schema, name) ? container.get(name) : null;
  if (isMapValue(container)) return mapGet(container, name) ?? null;
  return null;
}

/** A Debezium change event: a Struct or map with `op` and a `before` or `after`. */
function isEnvelope(v: unknown): boolean {
  if (v instanceof Struct) {
    const s = v.schema;
    return (
      schemaField(s, 'op') !== undefined &&
      (schemaField(s, 'after') !== undefined || schemaField(s, 'before') !== undefined)
    );
  }
  if (!isMapValue(v)) return false;
  return mapGet(v, 'op') !== undefined && (mapGet(v, 'after') !== undefined || mapGet(v, 'before') !== undefined);
}
