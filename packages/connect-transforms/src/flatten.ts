import {
  ConfigDef,
  DataError,
  SchemaBuilder,
  Struct,
  type ConnectRecord,
  type Schema,
  type Transformation,
} from '@tributary/connect-api';
import { parseConfig } from './util/config.js';
import { operandSchema, operandValue, withOperand, type Operand } from './util/operand.js';
import {
  className,
  isMapValue,
  mapEntries,
  mapSet,
  requireMapOrNull,
  requireStructOrNull,
  type MapValue,
} from './util/requirements.js';
import { SchemaCache } from './util/schema-cache.js';
import { copySchemaBasics } from './util/schema-util.js';

const PURPOSE = 'flattening';

const CONFIG = new ConfigDef().define({
  name: 'delimiter',
  type: 'STRING',
  default: '.',
  importance: 'MEDIUM',
  documentation:
    'Delimiter to insert between field names from the input record when generating field names for the output record',
});

/**
 * Kafka's `Flatten`: nested Structs (or maps) become top-level fields named by joining the path with
 * `delimiter`. Arrays and, with schemas, maps are kept as values. Nested fields become optional when a
 * parent is, and inherit defaults from a parent's default.
 */
export class Flatten implements Transformation {
  private delimiter = '.';
  private readonly schemas = new SchemaCache();

  constructor(private readonly operand: Operand) {}

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    this.delimiter = parseConfig(CONFIG, props).string('delimiter');
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    const schema = operandSchema(record, this.operand);
    const value = operandValue(record, this.operand);
    if (schema === null) {
      const map = requireMapOrNull(value, PURPOSE);
      if (map === null) return withOperand(record, this.operand, null, null);
      const out: MapValue = map instanceof Map ? new Map() : {};
      this.flattenMap(map, '', out);
      return withOperand(record, this.operand, null, out);
    }
    const struct = requireStructOrNull(value, PURPOSE);
    const updatedSchema = this.schemas.get(schema, (s) => {
      const b = copySchemaBasics(s, SchemaBuilder.struct());
      this.flattenSchema(s, '', b, s.optional, s.defaultValue instanceof Struct ? s.defaultValue : null);
      return b.build();
    });
    if (struct === null) return withOperand(record, this.operand, updatedSchema, null);
    const out = new Struct(updatedSchema);
    this.flattenStruct(struct, '', out);
    return withOperand(record, this.operand, updatedSchema, out);
  }

  private name(prefix: string, field: string): string {
    return prefix === '' ? field : prefix + this.delimiter + field;
  }

  private flattenMap(map: MapValue, prefix: string, out: MapValue): void {
    for (const [k, v] of mapEntries(map)) {
      const name = this.name(prefix, k);
      if (v instanceof Struct) {
        throw new DataError(
          `Flatten transformation does not support ${className(v)} for record without schemas (for field ${name}).`,
        );
      }
      if (isMapValue(v)) this.flattenMap(v, name, out);
      else mapSet(out, name, v);
    }
  }

  private flattenSchema(
    schema: Schema,
    prefix: string,
    b: SchemaBuilder,
    optional: boolean,
    parentDefault: Struct | null,
  ): void {
    for (const f of schema.fields!) {
      const name = this.name(prefix, f.name);
      const fieldOptional = optional || f.schema.optional;
      const fieldDefault = f.schema.defaultValue ?? parentDefault?.get(f.name) ?? null;
      if (f.schema.type === 'STRUCT') {
        this.flattenSchema(f.schema, name, b, fieldOptional, fieldDefault instanceof Struct ? fieldDefault : null);
        continue;
      }
      const fb = copySchemaBasics(f.schema);
      if (fieldOptional) fb.optional();
      if (fieldDefault !== null) fb.defaultValue(fieldDefault);
      b.field(name, fb.build());
    }
  }

  private flattenStruct(struct: Struct, prefix: string, out: Struct): void {
    for (const f of struct.schema.fields!) {
      const name = this.name(prefix, f.name);
      const v = struct.get(f.name);
      if (f.schema.type === 'STRUCT') {
        if (v !== null) this.flattenStruct(v as Struct, name, out);
      } else {
        out.put(name, v);
      }
    }
  }
}
