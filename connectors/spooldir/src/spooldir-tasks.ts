import { ConfigError, SchemaBuilder, Schemas, type ConfigDef, type SourceTaskContext } from '@tributary/connect-api';
import { csvSourceConfigDef, jsonSourceConfigDef, lineSourceConfigDef, toEncoding } from './config.js';
import { CsvRecordReader, type CsvOptions, type StructSchemas } from './csv-reader.js';
import { dateParser, parseTimezone, type DateParser } from './date-formats.js';
import type { InputFile } from './input-directory.js';
import type { RecordReader } from './record-reader.js';
import { keySchemaFor, parseSchemaJson } from './schema-json.js';
import { SpoolDirSourceTask } from './spooldir-source-task.js';
import { JsonRecordReader, LineRecordReader, SchemalessJsonRecordReader } from './text-readers.js';

/**
 * The schemas of a schema-based connector: from key.schema/value.schema, or, with
 * schema.generation.enabled, a function building all-STRING schemas from a file's column names.
 */
export function configuredSchemas(cfg: {
  string(k: string): string;
  bool(k: string): boolean;
  list(k: string): string[];
}): StructSchemas | ((names: string[]) => StructSchemas) {
  const valueText = cfg.string('value.schema').trim();
  const keyText = cfg.string('key.schema').trim();
  if (valueText !== '') {
    const value = parseSchemaJson(valueText);
    const key = keyText === '' ? null : parseSchemaJson(keyText);
    for (const f of key?.fields ?? []) {
      if (!value.fields!.some((v) => v.name === f.name))
        throw new ConfigError([
          {
            key: 'key.schema',
            message: `key field "${f.name}" is not a field of value.schema; key fields are copied from value fields of the same name`,
          },
        ]);
    }
    return { value, key };
  }
  if (!cfg.bool('schema.generation.enabled')) {
    throw new ConfigError([
      {
        key: 'value.schema',
        message:
          'must be set to a STRUCT schema (see `tributary spooldir schema -f <file>`), or set schema.generation.enabled=true',
      },
    ]);
  }
  const keyFields = cfg.list('schema.generation.key.fields');
  return (names) => {
    const b = SchemaBuilder.struct().name(cfg.string('schema.generation.value.name'));
    names.forEach((n, i) => b.field(n || `column${String(i + 1).padStart(2, '0')}`, Schemas.OPTIONAL_STRING));
    const value = b.build();
    return {
      value,
      key: keyFields.length > 0 ? keySchemaFor(value, keyFields, cfg.string('schema.generation.key.name')) : null,
    };
  };
}

function dates(cfg: { list(k: string): string[]; string(k: string): string }): DateParser {
  return dateParser(cfg.list('parser.timestamp.date.formats'), parseTimezone(cfg.string('parser.timestamp.timezone')));
}

export class SpoolDirCsvSourceTask extends SpoolDirSourceTask {
  private schemas!: StructSchemas | ((names: string[]) => StructSchemas);
  private csv!: CsvOptions;
  private dateParser!: DateParser;

  protected configDef(): ConfigDef {
    return csvSourceConfigDef;
  }

  override async start(config: Record<string, string>, ctx: SourceTaskContext): Promise<void> {
    await super.start(config, ctx);
    const c = this.cfg;
    this.schemas = configuredSchemas(c);
    this.dateParser = dates(c);
    this.csv = {
      separator: c.int('csv.separator.char'),
      quote: c.int('csv.quote.char'),
      escape: c.get('csv.escape.char') === null ? null : c.int('csv.escape.char'),
      skipLines: c.int('csv.skip.lines'),
      firstRowAsHeader: c.bool('csv.first.row.as.header'),
      nullFieldIndicator: c.string('csv.null.field.indicator') as CsvOptions['nullFieldIndicator'],
      caseSensitiveFieldNames: c.bool('csv.case.sensitive.field.names'),
      encoding: toEncoding(c.string('csv.file.charset'))!,
    };
  }

  protected openReader(file: InputFile, startAfter: number): RecordReader {
    return new CsvRecordReader(file, this.csv, this.schemas, this.dateParser, startAfter);
  }
}

export class SpoolDirJsonSourceTask extends SpoolDirSourceTask {
  protected override readonly javaOffsetUnit = 'records';
  private schemas!: StructSchemas | ((names: string[]) => StructSchemas);
  private dateParser!: DateParser;

  protected configDef(): ConfigDef {
    return jsonSourceConfigDef;
  }

  override async start(config: Record<string, string>, ctx: SourceTaskContext): Promise<void> {
    await super.start(config, ctx);
    this.schemas = configuredSchemas(this.cfg);
    this.dateParser = dates(this.cfg);
  }

  protected openReader(file: InputFile, startAfter: number): RecordReader {
    const s = this.schemas;
    const schemas = typeof s === 'function' ? (first: Record<string, unknown>) => s(Object.keys(first)) : s;
    return new JsonRecordReader(
      file,
      toEncoding(this.cfg.string('file.charset'))!,
      startAfter,
      schemas,
      this.dateParser,
    );
  }
}

export class SpoolDirLineDelimitedSourceTask extends SpoolDirSourceTask {
  protected configDef(): ConfigDef {
    return lineSourceConfigDef;
  }
  protected openReader(file: InputFile, startAfter: number): RecordReader {
    return new LineRecordReader(file, toEncoding(this.cfg.string('file.charset'))!, startAfter);
  }
}

export class SpoolDirSchemaLessJsonSourceTask extends SpoolDirSourceTask {
  protected override readonly javaOffsetUnit = 'records';
  protected configDef(): ConfigDef {
    return lineSourceConfigDef;
  }
  protected openReader(file: InputFile, startAfter: number): RecordReader {
    return new SchemalessJsonRecordReader(file, toEncoding(this.cfg.string('file.charset'))!, startAfter);
  }
}
