import { withRecord, type ConnectRecord, type Schema } from '@tributary/connect-api';

/** Which half of a record a `$Key` or `$Value` transform works on. */
export type Operand = 'key' | 'value';

export function operandSchema(record: ConnectRecord, operand: Operand): Schema | null {
  return (operand === 'key' ? record.keySchema : record.valueSchema) ?? null;
}

export function operandValue(record: ConnectRecord, operand: Operand): unknown {
  return operand === 'key' ? record.key : record.value;
}

/** A copy of `record` with the operand's schema and value replaced; everything else (offsets, headers) kept. */
export function withOperand<R extends ConnectRecord>(record: R, operand: Operand, schema: Schema | null, value: unknown): R {
  return operand === 'key' ? withRecord(record, { keySchema: schema, key: value }) : withRecord(record, { valueSchema: schema, value });
}
