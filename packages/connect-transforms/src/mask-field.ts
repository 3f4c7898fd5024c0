import {
  ConfigDef,
  DataError,
  Decimal,
  Struct,
  type ConnectRecord,
  type Schema,
  type Transformation,
} from '@tributary/connect-api';
import { nonEmptyList, nonEmptyString, parseConfig, REPLACE_NULL_WITH_DEFAULT } from './util/config.js';
import { operandSchema, operandValue, withOperand, type Operand } from './util/operand.js';
import { className, copyMap, mapGet, mapSet, requireMap, requireStruct } from './util/requirements.js';
import { fieldValue } from './util/schema-util.js';

const PURPOSE = 'mask fields';

const CONFIG = new ConfigDef()
  .define({
    name: 'fields',
    type: 'LIST',
    importance: 'HIGH',
    validator: nonEmptyList,
    documentation: 'Names of fields to mask.',
  })
  .define({
    name: 'replacement',
    type: 'STRING',
    default: null,
    importance: 'LOW',
    validator: nonEmptyString,
    documentation:
      "Custom value replacement, that will be applied to all 'fields' values (numeric or non-empty string values only).",
  })
  .define(REPLACE_NULL_WITH_DEFAULT);

/** The kind of a value for masking: from its schema when there is one, else from the value itself. */
type Kind = 'int' | 'long' | 'float' | 'boolean' | 'string' | 'decimal' | 'date' | 'array' | 'map' | 'other';

function kindOf(schema: Schema | null, v: unknown): Kind {
  if (schema) {
    if (schema.name === Decimal.LOGICAL_NAME) return 'decimal';
    if (v instanceof Date) return 'date';
    switch (schema.type) {
      case 'INT8':
      case 'INT16':
      case 'INT32':
        return 'int';
      case 'INT64':
        return 'long';
      case 'FLOAT32':
      case 'FLOAT64':
        return 'float';
      case 'BOOLEAN':
        return 'boolean';
      case 'STRING':
        return 'string';
      case 'ARRAY':
        return 'array';
      case 'MAP':
        return 'map';
      default:
        return 'other';
    }
  }
  if (typeof v === 'number') return Number.isInteger(v) ? 'long' : 'float';
  if (typeof v === 'bigint') return 'long';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  if (v instanceof Date) return 'date';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Map || (typeof v === 'object' && v !== null && !(v instanceof Struct) && !(v instanceof Uint8Array)))
    return 'map';
  return 'other';
}

/**
 * Kafka's `MaskField`: replaces the named fields with the type's "zero" (0, false, "", epoch, empty
 * collection) or with `replacement` (numbers and strings only).
 */
export class MaskField implements Transformation {
  private fields = new Set<string>();
  private replacement: string | null = null;
  private replaceNullWithDefault = true;

  constructor(private readonly operand: Operand) {}

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    const c = parseConfig(CONFIG, props);
    this.fields = new Set(c.list('fields'));
    this.replacement = c.optionalString('replacement');
    this.replaceNullWithDefault = c.bool('replace.null.with.default');
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    const value = operandValue(record, this.operand);
    if (value === null || value === undefined) return record;
    const schema = operandSchema(record, this.operand);
    if (schema === null) {
      const map = requireMap(value, PURPOSE);
      const updated = copyMap(map);
      for (const f of this.fields) mapSet(updated, f, this.masked(null, mapGet(map, f) ?? null));
      return withOperand(record, this.operand, null, updated);
    }
    const struct = requireStruct(value, PURPOSE);
    const updated = new Struct(struct.schema);
    for (const f of struct.schema.fields!) {
      const v = fieldValue(struct, f.name, this.replaceNullWithDefault);
      updated.put(f.name, this.fields.has(f.name) ? this.masked(f.schema, v) : v);
    }
    return withOperand(record, this.operand, struct.schema, updated);
  }

  private masked(schema: Schema | null, v: unknown): unknown {
    if (v === null || v === undefined) return null;
    const kind = kindOf(schema, v);
    return this.replacement === null ? zero(kind, v) : this.replaced(kind, v);
  }

  private replaced(kind: Kind, v: unknown): unknown {
    const r = this.replacement!;
    switch (kind) {
      case 'string':
        return r;
      case 'int':
      case 'long':
      case 'float':
      case 'decimal': {
        const n = Number(r.trim());
        const ok =
          r.trim() !== '' && !Number.isNaN(n) && (kind === 'float' || kind === 'decimal' || Number.isInteger(n));
        if (!ok) throw new DataError(`Unable to convert ${r} (string) to number`);
        if (kind === 'decimal') return r.trim();
        return kind === 'long' && typeof v === 'bigint' ? BigInt(r.trim()) : n;
      }
      default:
        throw new DataError(`Cannot mask value of type ${className(v)} with custom replacement.`);
    }
  }
}

function zero(kind: Kind, v: unknown): unknown {
  switch (kind) {
    case 'int':
    case 'float':
      return 0;
    case 'long':
      return typeof v === 'bigint' ? 0n : 0;
    case 'boolean':
      return false;
    case 'string':
      return '';
    case 'decimal':
      return '0';
    case 'date':
      return new Date(0);
    case 'array':
      return [];
    case 'map':
      return v instanceof Map ? new Map() : {};
    default:
      throw new DataError(`Cannot mask value of type: ${className(v)}`);
  }
}
