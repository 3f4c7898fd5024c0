import { ConfigDef, Validators, type Validator } from '@tributary/connect-api';
import { parseSchemaJson } from './schema-json.js';

export const VERSION = '0.1.0';

const G_FS = 'Filesystem',
  G_GEN = 'General',
  G_SCHEMA = 'Schema',
  G_CSV = 'CSV',
  G_TS = 'Timestamps';

const regex: Validator = (v, name) => {
  try {
    new RegExp(String(v));
    return undefined;
  } catch (e) {
    return `Invalid value ${String(v)} for configuration ${name}: not a regular expression (${(e as Error).message})`;
  }
};

const structSchema: Validator = (v, name) => {
  if (String(v).trim() === '') return undefined;
  try {
    const s = parseSchemaJson(String(v));
    return s.type === 'STRUCT'
      ? undefined
      : `Invalid value for configuration ${name}: must be a STRUCT schema, not ${s.type}`;
  } catch (e) {
    return `Invalid value for configuration ${name}: ${(e as Error).message}`;
  }
};

const codePoint: Validator = (v, name) =>
  Number(v) < 0 || Number(v) > 0xffff
    ? `Invalid value ${String(v)} for configuration ${name}: a character code such as 44 (,) or 9 (tab)`
    : undefined;

/** Keys every spooldir connector has, as kafka-connect-spooldir's `AbstractSourceConnectorConfig`. */
export const commonConfigDef = new ConfigDef()
  .define({
    name: 'topic',
    type: 'STRING',
    importance: 'HIGH',
    group: G_GEN,
    documentation: 'The Kafka topic to write the data to.',
    validator: Validators.nonEmptyString(),
  })
  .define({
    name: 'input.path',
    type: 'STRING',
    importance: 'HIGH',
    group: G_FS,
    documentation:
      'The directory to read files from. It must exist and be writable (the processing marker and the moves happen there).',
    validator: Validators.nonEmptyString(),
  })
  .define({
    name: 'finished.path',
    type: 'STRING',
    default: '',
    importance: 'HIGH',
    group: G_FS,
    documentation:
      'The directory finished files are moved to (cleanup.policy MOVE or MOVEBYDATE). A file is moved only after every record of it was acknowledged by the log and its offset committed.',
  })
  .define({
    name: 'error.path',
    type: 'STRING',
    importance: 'HIGH',
    group: G_FS,
    documentation:
      'The directory files with a bad record are moved to (halt.on.error=false), with a `<name>.error.txt` sidecar naming the line and the reason.',
    validator: Validators.nonEmptyString(),
  })
  .define({
    name: 'input.file.pattern',
    type: 'STRING',
    importance: 'HIGH',
    group: G_FS,
    documentation: 'Regular expression that the whole file name must match to be read.',
    validator: regex,
  })
  .define({
    name: 'halt.on.error',
    type: 'BOOLEAN',
    default: true,
    importance: 'HIGH',
    group: G_GEN,
    documentation:
      'true: a bad record fails the task, naming file and line (the file stays in input.path). false: the file goes to error.path with a sidecar and the task continues with the next file. With errors.tolerance=all, bad records are dead-lettered/skipped instead and the file continues.',
  })
  .define({
    name: 'batch.size',
    type: 'INT',
    default: 1000,
    importance: 'LOW',
    group: G_GEN,
    documentation: 'The number of records returned by each poll.',
    validator: Validators.atLeast(1),
  })
  .define({
    name: 'empty.poll.wait.ms',
    type: 'LONG',
    default: 500,
    importance: 'LOW',
    group: G_GEN,
    documentation: 'How long to wait before looking at input.path again when there was nothing to read.',
    validator: Validators.atLeast(0),
  })
  .define({
    name: 'file.minimum.age.ms',
    type: 'LONG',
    default: 0,
    importance: 'LOW',
    group: G_FS,
    documentation:
      'A file is read only when its last modification is at least this old, so that files still being written are skipped.',
    validator: Validators.atLeast(0),
  })
  .define({
    name: 'processing.file.extension',
    type: 'STRING',
    default: '.PROCESSING',
    importance: 'LOW',
    group: G_FS,
    documentation:
      'Extension of the marker file `<name><ext>` written beside a file while it is read. Stale markers of this task are removed at start.',
    validator: Validators.nonEmptyString(),
  })
  .define({
    name: 'cleanup.policy',
    type: 'STRING',
    default: 'MOVE',
    importance: 'MEDIUM',
    group: G_FS,
    documentation:
      'What to do with a finished file: MOVE to finished.path, MOVEBYDATE to finished.path/yyyy-MM-dd/ (by mtime), DELETE, or NONE (leave it; it is not read again while its name, size and mtime are unchanged).',
    validator: Validators.inIgnoreCase('MOVE', 'MOVEBYDATE', 'DELETE', 'NONE'),
    validValues: ['MOVE', 'MOVEBYDATE', 'DELETE', 'NONE'],
  })
  .define({
    name: 'files.sort.attributes',
    type: 'LIST',
    default: 'NameAsc',
    importance: 'LOW',
    group: G_FS,
    documentation:
      'The order files are read in: NameAsc, NameDesc, LengthAsc, LengthDesc, LastModifiedAsc, LastModifiedDesc (several, comma-separated, break ties).',
    validator: (v, name) => {
      const bad = (v as string[]).find((x) => !/^(Name|Length|LastModified)(Asc|Desc)$/.test(x));
      return bad ? `Invalid value ${bad} for configuration ${name}` : undefined;
    },
  })
  .define({
    name: 'task.partitioner',
    type: 'STRING',
    default: 'ByName',
    importance: 'LOW',
    group: G_GEN,
    documentation: 'How files are split between tasks: ByName (hash of the file name modulo tasks.max).',
    validator: Validators.in('ByName'),
  })
  .define({
    name: 'timestamp.mode',
    type: 'STRING',
    default: 'PROCESS_TIME',
    importance: 'MEDIUM',
    group: G_TS,
    documentation:
      "The record timestamp: PROCESS_TIME (now), FILE_TIME (the file's mtime) or FIELD (timestamp.field of the value).",
    validator: Validators.in('PROCESS_TIME', 'FILE_TIME', 'FIELD'),
  })
  .define({
    name: 'timestamp.field',
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: G_TS,
    documentation: 'With timestamp.mode=FIELD: a required Timestamp field of the value schema.',
  });

/** Keys of the schema-based connectors (CSV, JSON). */
export const schemaConfigDef = new ConfigDef()
  .define({
    name: 'key.schema',
    type: 'STRING',
    default: '',
    importance: 'HIGH',
    group: G_SCHEMA,
    documentation:
      'The key schema as connect-utils JSON ({"type":"STRUCT","isOptional":false,"fieldSchemas":{…}}). Key fields are copied from value fields of the same name.',
    validator: structSchema,
  })
  .define({
    name: 'value.schema',
    type: 'STRING',
    default: '',
    importance: 'HIGH',
    group: G_SCHEMA,
    documentation:
      'The value schema as connect-utils JSON. Field order sets CSV column positions when there is no header row. Required unless schema.generation.enabled=true.',
    validator: structSchema,
  })
  .define({
    name: 'schema.generation.enabled',
    type: 'BOOLEAN',
    default: false,
    importance: 'MEDIUM',
    group: G_SCHEMA,
    documentation:
      "When no schema is given, build one (every field an optional STRING) from each file's header or first object. `tributary spooldir schema` infers typed schemas instead.",
  })
  .define({
    name: 'schema.generation.key.fields',
    type: 'LIST',
    default: '',
    importance: 'MEDIUM',
    group: G_SCHEMA,
    documentation: 'With schema generation: the fields that make up the key.',
  })
  .define({
    name: 'schema.generation.key.name',
    type: 'STRING',
    default: 'com.github.jcustenborder.kafka.connect.model.Key',
    importance: 'LOW',
    group: G_SCHEMA,
    documentation: 'With schema generation: the name of the key schema.',
  })
  .define({
    name: 'schema.generation.value.name',
    type: 'STRING',
    default: 'com.github.jcustenborder.kafka.connect.model.Value',
    importance: 'LOW',
    group: G_SCHEMA,
    documentation: 'With schema generation: the name of the value schema.',
  })
  .define({
    name: 'parser.timestamp.date.formats',
    type: 'LIST',
    default: "yyyy-MM-dd'T'HH:mm:ss,yyyy-MM-dd' 'HH:mm:ss",
    importance: 'LOW',
    group: G_TS,
    documentation:
      'SimpleDateFormat patterns tried in order for Timestamp, Date and Time fields (y M d H h m s S a Z X). A trailing zone (Z, +01:00) is honoured.',
  })
  .define({
    name: 'parser.timestamp.timezone',
    type: 'STRING',
    default: 'UTC',
    importance: 'LOW',
    group: G_TS,
    documentation: 'The zone of timestamps without one: UTC or a fixed offset such as +02:00.',
  });

/** CSV keys, as kafka-connect-spooldir's `SpoolDirCsvSourceConnectorConfig`. */
export const csvConfigDef = new ConfigDef()
  .define({
    name: 'csv.first.row.as.header',
    type: 'BOOLEAN',
    default: false,
    importance: 'MEDIUM',
    group: G_CSV,
    documentation: 'The first row (after csv.skip.lines) holds the column names; columns then map to fields by name.',
  })
  .define({
    name: 'csv.separator.char',
    type: 'INT',
    default: 44,
    importance: 'LOW',
    group: G_CSV,
    documentation: 'The separator as a character code: 44 is a comma, 9 a tab (TSV), 59 a semicolon. 0 means a comma.',
    validator: codePoint,
  })
  .define({
    name: 'csv.quote.char',
    type: 'INT',
    default: 34,
    importance: 'LOW',
    group: G_CSV,
    documentation: 'The quote as a character code (34 is ").',
    validator: codePoint,
  })
  .define({
    name: 'csv.escape.char',
    type: 'INT',
    default: null,
    importance: 'LOW',
    group: G_CSV,
    documentation:
      'Unset (the default): RFC 4180, as Excel, Python\'s csv module and PostgreSQL COPY write it; a quote inside a quoted field is written twice (""). Set to a character code (92 is a backslash, kafka-connect-spooldir\'s default) to read files that escape instead: inside quoted fields it makes the next character literal (\\" is a quote, \\\\ a backslash) and is dropped before any other character; a doubled quote still reads as one quote, as in OpenCSV.',
    validator: codePoint,
  })
  .define({
    name: 'csv.skip.lines',
    type: 'INT',
    default: 0,
    importance: 'LOW',
    group: G_CSV,
    documentation: 'Lines to skip at the top of each file, before the header.',
    validator: Validators.atLeast(0),
  })
  .define({
    name: 'csv.null.field.indicator',
    type: 'STRING',
    default: 'NEITHER',
    importance: 'LOW',
    group: G_CSV,
    documentation:
      'Which empty fields are null: EMPTY_SEPARATORS (,,), EMPTY_QUOTES (,"",), BOTH or NEITHER. Empty values of non-STRING optional fields are always null.',
    validator: Validators.in('NEITHER', 'EMPTY_SEPARATORS', 'EMPTY_QUOTES', 'BOTH'),
  })
  .define({
    name: 'csv.case.sensitive.field.names',
    type: 'BOOLEAN',
    default: false,
    importance: 'LOW',
    group: G_CSV,
    documentation: 'Whether header names must match field names case for case.',
  })
  .define({
    name: 'csv.file.charset',
    type: 'STRING',
    default: 'UTF-8',
    importance: 'LOW',
    group: G_CSV,
    documentation: 'The character set of the files (UTF-8, latin1, utf16le).',
    validator: charset,
  });

/** Keys of the line-delimited and schemaless JSON connectors. */
export const textConfigDef = new ConfigDef().define({
  name: 'file.charset',
  type: 'STRING',
  default: 'UTF-8',
  importance: 'LOW',
  group: G_FS,
  documentation: 'The character set of the files (UTF-8, latin1, utf16le).',
  validator: charset,
});

function charset(v: unknown, name: string): string | undefined {
  return toEncoding(String(v))
    ? undefined
    : `Invalid value ${String(v)} for configuration ${name}: use UTF-8, US-ASCII, ISO-8859-1 or UTF-16LE`;
}

/** Java charset names → Node encodings. */
export function toEncoding(cs: string): BufferEncoding | undefined {
  const k = cs.toLowerCase().replace(/[-_]/g, '');
  return (
    {
      utf8: 'utf8',
      usascii: 'latin1',
      ascii: 'latin1',
      iso88591: 'latin1',
      latin1: 'latin1',
      utf16le: 'utf16le',
    } as Record<string, BufferEncoding>
  )[k];
}

export const csvSourceConfigDef = commonConfigDef.merge(schemaConfigDef).merge(csvConfigDef);
export const jsonSourceConfigDef = commonConfigDef.merge(schemaConfigDef).merge(textConfigDef);
export const lineSourceConfigDef = commonConfigDef.merge(textConfigDef);
