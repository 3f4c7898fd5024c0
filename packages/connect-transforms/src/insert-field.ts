import {
  ConfigDef,
  SchemaBuilder,
  Schemas,
  Struct,
  TimestampType,
  type ConnectRecord,
  type Schema,
  type Transformation,
} from '@tributary/connect-api';
import { parseConfig, REPLACE_NULL_WITH_DEFAULT } from './util/config.js';
import { operandSchema, operandValue, withOperand, type Operand } from './util/operand.js';
import { copyMap, mapSet, requireMap, requireSinkRecord, requireStruct } from './util/requirements.js';
import { SchemaCache } from './util/schema-cache.js';
import { copySchemaBasics } from './util/schema-util.js';

const PURPOSE = 'field insertion';
const OPTIONALITY_DOC =
  'Suffix with <code>!</code> to make this a required field, or <code>?</code> to keep it optional (the default).';

const CONFIG = new ConfigDef()
  .define({
    name: 'topic.field',
    type: 'STRING',
    default: null,
    importance: 'MEDIUM',
    documentation: `Field name for Kafka topic. ${OPTIONALITY_DOC}`,
  })
  .define({
    name: 'partition.field',
    type: 'STRING',
    default: null,
    importance: 'MEDIUM',
    documentation: `Field name for Kafka partition. ${OPTIONALITY_DOC}`,
  })
  .define({
    name: 'offset.field',
    type: 'STRING',
    default: null,
    importance: 'MEDIUM',
    documentation: `Field name for Kafka offset - only applicable to sink connectors.<br/>${OPTIONALITY_DOC}`,
  })
  .define({
    name: 'timestamp.field',
    type: 'STRING',
    default: null,
    importance: 'MEDIUM',
    documentation: `Field name for record timestamp. ${OPTIONALITY_DOC}`,
  })
  .define({
    name: 'static.field',
    type: 'STRING',
    default: null,
    importance: 'MEDIUM',
    documentation: `Field name for static data field. ${OPTIONALITY_DOC}`,
  })
  .define({
    name: 'static.value',
    type: 'STRING',
    default: null,
    importance: 'MEDIUM',
    documentation: 'Static field value, if field name configured.',
  })
  .define(REPLACE_NULL_WITH_DEFAULT);

interface InsertionSpec {
  name: string;
  optional: boolean;
}

/** `name`, `name?` (optional, the default) or `name!` (required), as Kafka's `InsertionSpec.parse`. */
function spec(text: string | null): InsertionSpec | null {
  if (text === null || text === '') return null;
  if (text.endsWith('?')) return { name: text.slice(0, -1), optional: true };
  if (text.endsWith('!')) return { name: text.slice(0, -1), optional: false };
  return { name: text, optional: true };
}

/**
 * Kafka's `InsertField`: adds the record's topic, partition, offset (sink records), timestamp and/or a
 * static string to the key or value, as Struct fields (derived schema) or map entries. Tombstones pass.
 */
export class InsertField implements Transformation {
  private topic: InsertionSpec | null = null;
  private partition: InsertionSpec | null = null;
  private offset: InsertionSpec | null = null;
  private timestamp: InsertionSpec | null = null;
  private staticField: InsertionSpec | null = null;
  private staticValue: string | null = null;
  private replaceNullWithDefault = true;
  private readonly schemas = new SchemaCache();

  constructor(private readonly operand: Operand) {}

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    const c = parseConfig(CONFIG, props);
    this.topic = spec(c.optionalString('topic.field'));
    this.partition = spec(c.optionalString('partition.field'));
    this.offset = spec(c.optionalString('offset.field'));
    this.timestamp = spec(c.optionalString('timestamp.field'));
    this.staticField = spec(c.optionalString('static.field'));
    this.staticValue = c.optionalString('static.value');
    this.replaceNullWithDefault = c.bool('replace.null.with.default');
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    const value = operandValue(record, this.operand);
    if (value === null || value === undefined) return record;
    const schema = operandSchema(record, this.operand);
    return schema === null ? this.applySchemaless(record, value) : this.applyWithSchema(record, value);
  }

  private applySchemaless<R extends ConnectRecord>(record: R, value: unknown): R {
    const updated = copyMap(requireMap(value, PURPOSE));
    if (this.topic) mapSet(updated, this.topic.name, record.topic);
    if (this.partition && record.kafkaPartition != null) mapSet(updated, this.partition.name, record.kafkaPartition);
    if (this.offset) mapSet(updated, this.offset.name, requireSinkRecord(record, PURPOSE).kafkaOffset);
    if (this.timestamp && record.timestamp != null) mapSet(updated, this.timestamp.name, record.timestamp);
    if (this.staticField && this.staticValue !== null) mapSet(updated, this.staticField.name, this.staticValue);
    return withOperand(record, this.operand, null, updated);
  }

  private applyWithSchema<R extends ConnectRecord>(record: R, value: unknown): R {
    const struct = requireStruct(value, PURPOSE);
    const updatedSchema = this.schemas.get(struct.schema, (s) => this.deriveSchema(s));
    const updated = new Struct(updatedSchema);
    // The derived schema reuses each original field's schema object, so its (already checked) value is trusted.
    const n = struct.schema.fields!.length;
    for (let i = 0; i < n; i++) updated.putTrustedAt(i, struct.getAt(i, this.replaceNullWithDefault));
    if (this.topic) updated.put(this.topic.name, record.topic);
    if (this.partition && record.kafkaPartition != null) updated.put(this.partition.name, record.kafkaPartition);
    if (this.offset) updated.put(this.offset.name, requireSinkRecord(record, PURPOSE).kafkaOffset);
    if (this.timestamp && record.timestamp != null) updated.put(this.timestamp.name, new Date(record.timestamp));
    if (this.staticField && this.staticValue !== null) updated.put(this.staticField.name, this.staticValue);
    return withOperand(record, this.operand, updatedSchema, updated);
  }

  private deriveSchema(schema: Schema): Schema {
    const b = copySchemaBasics(schema, SchemaBuilder.struct());
    for (const f of schema.fields!) b.field(f.name, f.schema);
    if (this.topic) b.field(this.topic.name, this.topic.optional ? Schemas.OPTIONAL_STRING : Schemas.STRING);
    if (this.partition) b.field(this.partition.name, this.partition.optional ? Schemas.OPTIONAL_INT32 : Schemas.INT32);
    if (this.offset) b.field(this.offset.name, this.offset.optional ? Schemas.OPTIONAL_INT64 : Schemas.INT64);
    if (this.timestamp)
      b.field(this.timestamp.name, this.timestamp.optional ? OPTIONAL_TIMESTAMP : TimestampType.SCHEMA);
    if (this.staticField)
      b.field(this.staticField.name, this.staticField.optional ? Schemas.OPTIONAL_STRING : Schemas.STRING);
    return b.build();
  }
}

const OPTIONAL_TIMESTAMP = TimestampType.builder().optional().build();
