import {
  ConfigDef,
  ConfigError,
  Struct,
  type ConnectRecord,
  type Schema,
  type Transformation,
} from '@tributary/connect-api';
import { parseConfig, REPLACE_NULL_WITH_DEFAULT } from './util/config.js';
import { operandSchema, operandValue, withOperand, type Operand } from './util/operand.js';
import { requireSchema } from './util/requirements.js';
import { SchemaCache } from './util/schema-cache.js';
import { fieldValue } from './util/schema-util.js';

const CONFIG = new ConfigDef()
  .define({
    name: 'schema.name',
    type: 'STRING',
    default: null,
    importance: 'HIGH',
    documentation: 'Schema name to set.',
  })
  .define({
    name: 'schema.version',
    type: 'INT',
    default: null,
    importance: 'HIGH',
    documentation: 'Schema version to set.',
  })
  .define(REPLACE_NULL_WITH_DEFAULT);

/** Kafka's `SetSchemaMetadata`: sets the name and/or version of the key or value schema (Structs re-bound to it). */
export class SetSchemaMetadata implements Transformation {
  private name: string | null = null;
  private version: number | null = null;
  private replaceNullWithDefault = true;
  private readonly schemas = new SchemaCache();

  constructor(private readonly operand: Operand) {}

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    const c = parseConfig(CONFIG, props);
    this.name = c.optionalString('schema.name');
    this.version = (c.get('schema.version') as number | null) ?? null;
    this.replaceNullWithDefault = c.bool('replace.null.with.default');
    if (this.name === null && this.version === null)
      throw new ConfigError('Neither schema name nor version configured');
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    const schema = requireSchema(operandSchema(record, this.operand), 'updating schema metadata');
    const updated = this.schemas.get(
      schema,
      (s) =>
        Object.freeze({
          ...s,
          name: this.name ?? s.name,
          version: this.version ?? s.version,
        }) as Schema,
    );
    const value = operandValue(record, this.operand);
    if (!(value instanceof Struct)) return withOperand(record, this.operand, updated, value);
    const out = new Struct(updated);
    for (const f of updated.fields!) out.put(f.name, fieldValue(value, f.name, this.replaceNullWithDefault));
    return withOperand(record, this.operand, updated, out);
  }
}
