import type { ConnectRecord, Schema } from '@tributary/connect-api';

/** Which half of a record a `$Key` or `$Value` transform works on. */
export type Operand = 'key' | 'value';

export function operandSchema(record: ConnectRecord, operand: Operand): Schema | null {
  return (operand === 'key' ? record.keySchema : record.valueSchema) ?? null;
}

export function operandValue(record: ConnectRecord, operand: Operand): unknown {
  return operand === 'key' ? record.key : record.value;
}

/** A copy of `record` with the operand's schema and value replaced; everything else (offsets, headers) kept. */
export function withOperand<R extends ConnectRecord>(
  record: R,
  operand: Operand,
  schema: Schema | null,
  value: unknown,
): R {
  const out = copyRecord(record);
  if (operand === 'key') {
    out.keySchema = schema;
    out.key = value;
  } else {
    out.valueSchema = schema;
    out.value = value;
  }
  return out;
}

/**
 * A shallow copy of a record to change in place. This is `withRecord` of the SDK without its second
 * spread: V8 clones a one-spread literal through a fast path, then plain stores replace the fields
 * (`{ ...record, ...changes }` copied each property generically and cost ~10% of a transform chain).
 */
export function copyRecord<R extends ConnectRecord>(record: R): { -readonly [K in keyof R]: R[K] } {
  return { ...record };
}
