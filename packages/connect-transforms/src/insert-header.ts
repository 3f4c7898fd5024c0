import {
  ConfigDef,
  withRecord,
  type ConnectRecord,
  type SchemaAndValue,
  type Transformation,
} from '@tributary/connect-api';
import { nonEmptyString, parseConfig } from './util/config.js';
import { parseLiteral } from './util/java-values.js';

const CONFIG = new ConfigDef()
  .define({
    name: 'header',
    type: 'STRING',
    importance: 'HIGH',
    validator: nonEmptyString,
    documentation: 'The name of the header.',
  })
  .define({
    name: 'value.literal',
    type: 'STRING',
    importance: 'HIGH',
    validator: nonEmptyString,
    documentation: 'The literal value that is to be set as the header value on all records.',
  });

/** Kafka's `InsertHeader`: adds a header whose value is the literal, typed as Kafka's `Values.parseString` reads it. */
export class InsertHeader implements Transformation {
  private header = '';
  private literal: SchemaAndValue = { schema: null, value: null };

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    const c = parseConfig(CONFIG, props);
    this.header = c.string('header');
    this.literal = parseLiteral(c.string('value.literal'));
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    const header = { key: this.header, schema: this.literal.schema, value: this.literal.value };
    return withRecord(record, { headers: [...record.headers, header] });
  }
}
