import { ConfigDef, SchemaBuilder, Struct, type ConnectRecord, type Transformation } from '@tributary/connect-api';
import { parseConfig } from './util/config.js';
import { operandSchema, operandValue, withOperand, type Operand } from './util/operand.js';
import { SchemaCache } from './util/schema-cache.js';

const CONFIG = new ConfigDef().define({
  name: 'field',
  type: 'STRING',
  importance: 'MEDIUM',
  documentation: 'Field name for the single field that will be created in the resulting Struct or Map.',
});

/** Kafka's `HoistField`: wraps the key or value in a Struct (with schema) or a map under one field. */
export class HoistField implements Transformation {
  private field = '';
  private readonly schemas = new SchemaCache();

  constructor(private readonly operand: Operand) {}

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    this.field = parseConfig(CONFIG, props).string('field');
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    const schema = operandSchema(record, this.operand);
    const value = operandValue(record, this.operand);
    if (schema === null) return withOperand(record, this.operand, null, { [this.field]: value });
    const updatedSchema = this.schemas.get(schema, (s) => SchemaBuilder.struct().field(this.field, s).build());
    return withOperand(record, this.operand, updatedSchema, new Struct(updatedSchema).put(this.field, value));
  }
}
