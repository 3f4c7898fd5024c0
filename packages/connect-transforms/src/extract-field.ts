import { ConfigDef, DataError, type ConnectRecord, type Transformation } from '@tributary/connect-api';
import { parseConfig, REPLACE_NULL_WITH_DEFAULT } from './util/config.js';
import { FIELD_SYNTAX_VERSION_KEY, FieldPath, type FieldSyntaxVersion } from './util/field-path.js';
import { operandSchema, operandValue, withOperand, type Operand } from './util/operand.js';
import { requireMapOrNull, requireStructOrNull } from './util/requirements.js';

const PURPOSE = 'field extraction';

const CONFIG = new ConfigDef()
  .define({ name: 'field', type: 'STRING', importance: 'MEDIUM', documentation: 'Field name to extract.' })
  .define(FIELD_SYNTAX_VERSION_KEY)
  .define(REPLACE_NULL_WITH_DEFAULT);

/** Kafka's `ExtractField`: replaces the key or value with one of its fields (nested paths with V2). */
export class ExtractField implements Transformation {
  private path = new FieldPath('');
  private replaceNullWithDefault = true;

  constructor(private readonly operand: Operand) {}

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    const c = parseConfig(CONFIG, props);
    this.path = new FieldPath(c.string('field'), c.string('field.syntax.version').toUpperCase() as FieldSyntaxVersion);
    this.replaceNullWithDefault = c.bool('replace.null.with.default');
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    const schema = operandSchema(record, this.operand);
    const value = operandValue(record, this.operand);
    if (schema === null) {
      const map = requireMapOrNull(value, PURPOSE);
      return withOperand(record, this.operand, null, map === null ? null : this.path.valueFrom(map));
    }
    const struct = requireStructOrNull(value, PURPOSE);
    const field = this.path.fieldFrom(schema);
    if (!field) throw new DataError(`Unknown field: ${this.path.text}`);
    return withOperand(
      record,
      this.operand,
      field.schema,
      struct === null ? null : this.path.valueFrom(struct, this.replaceNullWithDefault),
    );
  }
}
