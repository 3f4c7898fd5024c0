import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { SchemaBuilder, TimestampType, type Schema } from '@tributary/connect-api';
import { dateParser } from './date-formats.js';
import { csvParseOptions, type CsvOptions } from './csv-reader.js';
import { keySchemaFor, schemaToJson } from './schema-json.js';

export interface GenerateOptions {
  file: string;
  keyFields: string[];
  /** The first row holds column names (otherwise columns are named column01, column02, …). */
  header: boolean;
  separator: number;
  /** Rows looked at to infer types; the file is streamed and never read further. */
  sampleRows: number;
  /** Every field an optional STRING, as the Java connector's generator does. */
  allStrings: boolean;
  keyName: string;
  valueName: string;
}

type Guess = 'INT64' | 'FLOAT64' | 'BOOLEAN' | 'TIMESTAMP' | 'STRING';

/** The connector's default parser.timestamp.date.formats, so an inferred Timestamp parses with defaults. */
const DEFAULT_DATES = dateParser(["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd' 'HH:mm:ss"]);

interface ColumnStats {
  name: string;
  guess: Guess | null;
  sawEmpty: boolean;
}

const INT = /^[+-]?\d{1,18}$/;
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function widen(g: Guess | null, cell: string): Guess {
  const t: Guess = INT.test(cell)
    ? 'INT64'
    : FLOAT.test(cell)
      ? 'FLOAT64'
      : /^(true|false)$/i.test(cell)
        ? 'BOOLEAN'
        : DEFAULT_DATES.parse(cell) !== undefined
          ? 'TIMESTAMP'
          : 'STRING';
  if (g === null || g === t) return t;
  if ((g === 'INT64' && t === 'FLOAT64') || (g === 'FLOAT64' && t === 'INT64')) return 'FLOAT64';
  return 'STRING';
}

/**
 * Infers key.schema and value.schema from the first rows of a CSV file (streamed). Unlike the Java
 * plugin, which makes every field a STRING, columns get INT64, FLOAT64, BOOLEAN or Timestamp (in the
 * default parser.timestamp.date.formats) when every sampled
 * value fits; a column with an empty value is optional. Key fields are required copies of value fields.
 */
export async function generateCsvSchemas(
  o: GenerateOptions,
): Promise<{ keySchema: Schema | null; valueSchema: Schema }> {
  const csv: CsvOptions = {
    separator: o.separator,
    quote: 34,
    escape: null,
    skipLines: 0,
    firstRowAsHeader: o.header,
    nullFieldIndicator: 'NEITHER',
    caseSensitiveFieldNames: false,
    encoding: 'utf8',
  };
  const source = createReadStream(o.file);
  const parser = source.pipe(parse(csvParseOptions(csv)));
  let columns: ColumnStats[] | null = null;
  let rows = 0;
  try {
    for await (const r of parser as AsyncIterable<{ record: string[] }>) {
      const cells = r.record;
      if (!columns) {
        columns = cells.map((c, i) => ({
          name: o.header ? c.trim() : `column${String(i + 1).padStart(2, '0')}`,
          guess: null,
          sawEmpty: false,
        }));
        if (o.header) continue;
      }
      cells.forEach((cell, i) => {
        const col = columns![i];
        if (!col) return;
        if (cell === '') col.sawEmpty = true;
        else col.guess = widen(col.guess, cell);
      });
      if (++rows >= o.sampleRows) break;
    }
  } finally {
    source.destroy();
  }
  if (!columns) throw new Error(`${o.file} is empty: there is no row to take the columns from`);
  const keySet = new Set(o.keyFields);
  const b = SchemaBuilder.struct().name(o.valueName);
  for (const c of columns) {
    const type = o.allStrings ? 'STRING' : (c.guess ?? 'STRING');
    const f = type === 'TIMESTAMP' ? TimestampType.builder() : new SchemaBuilder(type);
    if ((c.sawEmpty || o.allStrings) && !keySet.has(c.name)) f.optional();
    b.field(c.name, f.build());
  }
  const valueSchema = b.build();
  const keySchema = o.keyFields.length > 0 ? keySchemaFor(valueSchema, o.keyFields, o.keyName) : null;
  return { keySchema, valueSchema };
}

/** The two config lines, as properties (`key=value`) or as a JSON object to merge into a connector config. */
export function formatSchemas(
  s: { keySchema: Schema | null; valueSchema: Schema },
  format: 'properties' | 'json',
): string {
  const entries: Array<[string, string]> = [];
  if (s.keySchema) entries.push(['key.schema', JSON.stringify(schemaToJson(s.keySchema))]);
  entries.push(['value.schema', JSON.stringify(schemaToJson(s.valueSchema))]);
  if (format === 'json') return JSON.stringify(Object.fromEntries(entries), null, 2);
  return entries.map(([k, v]) => `${k}=${v}`).join('\n');
}
