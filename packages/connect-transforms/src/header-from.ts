import {
  ConfigDef,
  ConfigError,
  schemaField,
  SchemaBuilder,
  Struct,
  type ConnectRecord,
  type Header,
  type Schema,
  type Transformation,
} from '@tributary/connect-api';
import { nonEmptyList, parseConfig, REPLACE_NULL_WITH_DEFAULT } from './util/config.js';
import { operandSchema, operandValue, withOperand, type Operand } from './util/operand.js';
import { copyMap, mapDelete, mapGet, requireMap, requireStruct } from './util/requirements.js';
import { SchemaCache } from './util/schema-cache.js';
import { copySchemaBasics, fieldValue } from './util/schema-util.js';

const CONFIG = new ConfigDef()
  .define({
    name: 'fields',
    type: 'LIST',
    importance: 'HIGH',
    validator: nonEmptyList,
    documentation: 'Field names in the record whose values are to be copied or moved to headers.',
  })
  .define({
    name: 'headers',
    type: 'LIST',
    importance: 'HIGH',
    validator: nonEmptyList,
    documentation: 'Header names, in the same order as the field names listed in the fields configuration property.',
  })
  .define({
    name: 'operation',
    type: 'STRING',
    importance: 'HIGH',
    validValues: ['move', 'copy'],
    documentation:
      'Either <code>move</code> if the fields are to be moved to the headers (removed from the key/value), or <code>copy</code> if the fields are to be copied to the headers (retained in the key/value).',
  })
  .define(REPLACE_NULL_WITH_DEFAULT);

/** Kafka's `HeaderFrom`: copies or moves fields of the key or value into headers. */
export class HeaderFrom implements Transformation {
  private fields: string[] = [];
  private headers: string[] = [];
  private move = false;
  private replaceNullWithDefault = true;
  private readonly schemas = new SchemaCache();

  constructor(private readonly operand: Operand) {}

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    const c = parseConfig(CONFIG, props);
    this.fields = c.list('fields');
    this.headers = c.list('headers');
    if (this.fields.length !== this.headers.length) {
      throw new ConfigError([
        {
          key: 'fields',
          message: `Invalid value ${this.fields.join(',')} for configuration fields: 'fields' config must have the same number of elements as 'headers' config.`,
        },
      ]);
    }
    this.move = c.string('operation') === 'move';
    this.replaceNullWithDefault = c.bool('replace.null.with.default');
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    const purpose = `header ${this.move ? 'move' : 'copy'}`;
    const schema = operandSchema(record, this.operand);
    const value = operandValue(record, this.operand);
    const headers: Header[] = [...record.headers];
    if (schema === null) {
      const map = requireMap(value, purpose);
      const updated = this.move ? copyMap(map) : map;
      this.fields.forEach((f, i) => {
        if (this.move) mapDelete(updated, f);
        headers.push({ key: this.headers[i]!, schema: null, value: mapGet(map, f) ?? null });
      });
      return { ...withOperand(record, this.operand, null, updated), headers };
    }
    const struct = requireStruct(value, purpose);
    let updatedSchema = schema;
    let updated = struct;
    if (this.move) {
      updatedSchema = this.schemas.get(schema, (s) => this.movedSchema(s));
      updated = new Struct(updatedSchema);
      for (const f of updatedSchema.fields!)
        updated.put(f.name, fieldValue(struct, f.name, this.replaceNullWithDefault));
    }
    this.fields.forEach((f, i) => {
      const field = schemaField(struct.schema, f);
      headers.push({
        key: this.headers[i]!,
        schema: schemaField(schema, f)?.schema ?? null,
        value: field ? fieldValue(struct, f, this.replaceNullWithDefault) : null,
      });
    });
    return { ...withOperand(record, this.operand, updatedSchema, updated), headers };
  }

  private movedSchema(schema: Schema): Schema {
    const b = copySchemaBasics(schema, SchemaBuilder.struct());
    for (const f of schema.fields!) if (!this.fields.includes(f.name)) b.field(f.name, f.schema);
    return b.build();
  }
}
