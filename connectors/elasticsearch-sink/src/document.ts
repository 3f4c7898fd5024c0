import type { Schema } from '@tributary/connect-api';
import { JsonWriter, type JsonWriterOptions } from '@tributary/connect-converters';

/**
 * The shared Connect→JSON codec (Kafka's JsonConverter rules, which Confluent's connector also goes
 * through) with the departures an Elasticsearch document needs; the README says why each one:
 * - Date → `yyyy-MM-dd` text: the days-since-epoch number Kafka writes is read by a `date` field as
 *   milliseconds (1970-01-01). Timestamp (epoch ms) and Time (ms of the day) stay as Kafka writes them.
 * - Decimal → a JSON number with every digit (decimal.format=NUMERIC), for the `double` field.
 * - Maps whose keys are not strings (and every map when `compact.map.entries=false`) → an array of
 *   `{"key","value"}` objects, as Confluent's connector writes them, instead of `[key, value]` pairs.
 * - A Date without a schema (made by a transform) → epoch milliseconds, which Kafka would refuse.
 */
const OPTIONS: JsonWriterOptions = {
  decimalNumeric: true,
  replaceNullWithDefault: true,
  dates: 'iso',
  mapArrays: 'entries',
  schemalessDates: 'millis',
};
const COMPACT = new JsonWriter(OPTIONS);
const ENTRIES = new JsonWriter({ ...OPTIONS, stringKeyMapsAsObjects: false });

/** The JSON text of the document for a record value. */
export function documentJson(schema: Schema | null | undefined, value: unknown, compact: boolean): string {
  return (compact ? COMPACT : ENTRIES).write(schema, value);
}
