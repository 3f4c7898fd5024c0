import {
  ConfigDef,
  DataError,
  SchemaBuilder,
  schemaField,
  Struct,
  withRecord,
  type ConnectRecord,
  type Schema,
  type Transformation,
} from '@tributary/connect-api';
import { nonEmptyList, parseConfig, REPLACE_NULL_WITH_DEFAULT } from './util/config.js';
import { emptyLike, mapGet, mapSet, requireMap, requireStruct } from './util/requirements.js';
import { SchemaCache } from './util/schema-cache.js';
import { fieldValue } from './util/schema-util.js';

const PURPOSE = 'copying fields from value to key';

const CONFIG = new ConfigDef()
  .define({
    name: 'fields',
    type: 'LIST',
    importance: 'HIGH',
    validator: nonEmptyList,
    documentation: 'Field names on the record value to extract as the record key.',
  })
  .define(REPLACE_NULL_WITH_DEFAULT);

/** Kafka's `ValueToKey`: the record key becomes a Struct (or map) of the named value fields. */
export class ValueToKey implements Transformation {
  private fields: string[] = [];
  private replaceNullWithDefault = true;
  private readonly schemas = new SchemaCache();

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    const c = parseConfig(CONFIG, props);
    this.fields = c.list('fields');
    this.replaceNullWithDefault = c.bool('replace.null.with.default');
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    if (record.valueSchema == null) {
      const value = requireMap(record.value, PURPOSE);
      const key = emptyLike(value);
      for (const f of this.fields) mapSet(key, f, mapGet(value, f) ?? null);
      return withRecord(record, { keySchema: null, key });
    }
    const value = requireStruct(record.value, PURPOSE);
    const keySchema = this.schemas.get(value.schema, (s) => this.deriveSchema(s));
    const key = new Struct(keySchema);
    for (const f of this.fields) key.put(f, fieldValue(value, f, this.replaceNullWithDefault));
    return withRecord(record, { keySchema, key });
  }

  private deriveSchema(valueSchema: Schema): Schema {
    const b = SchemaBuilder.struct();
    for (const f of this.fields) {
      const field = schemaField(valueSchema, f);
      if (!field) throw new DataError(`Field does not exist: ${f}`);
      b.field(f, field.schema);
    }
    return b.build();
  }
}
