import { ConfigDef, Validators, type ConfigValue, type Validator } from '@tributary/connect-api';

export const VERSION = '0.1.0';

const CONNECTOR = 'Connector';
const DATA = 'Data Conversion';
const ERRORS = 'Error Handling';
const STREAMS = 'Data Stream';

const positive = Validators.atLeast(1);
const nonNegative = Validators.atLeast(0);

/** `topic:index` pairs of the deprecated topic.index.map; index names must be valid for Elasticsearch. */
const topicIndexMapValidator: Validator = (v, name) => {
  try {
    parseTopicIndexMap(v as string[]);
    return undefined;
  } catch (e) {
    return `Invalid value ${(v as string[]).join(',')} for configuration ${name}: ${(e as Error).message}`;
  }
};

/**
 * The keys of Confluent's ElasticsearchSinkConnector (11.x and later), plus the 10.x keys
 * `topic.index.map` and `type.name` that older configs still carry. `topics`, `topics.regex` and the
 * `errors.*` keys belong to the runtime; the task reads `errors.retry.timeout` and
 * `errors.retry.delay.max.ms` from them (see retry.ts).
 */
export const configDef = new ConfigDef()
  .define({
    name: 'connection.url',
    type: 'LIST',
    importance: 'HIGH',
    group: CONNECTOR,
    documentation:
      'Elasticsearch HTTP addresses, comma separated, e.g. http://eshost1:9200,http://eshost2:9200. A URL without a scheme gets http://.',
    validator: urlValidator,
  })
  .define({
    name: 'connection.username',
    type: 'STRING',
    default: null,
    importance: 'MEDIUM',
    group: CONNECTOR,
    documentation: 'User for basic authentication; used only together with connection.password.',
  })
  .define({
    name: 'connection.password',
    type: 'PASSWORD',
    default: null,
    importance: 'MEDIUM',
    group: CONNECTOR,
    documentation: 'Password for basic authentication; used only together with connection.username.',
  })
  .define({
    name: 'batch.size',
    type: 'INT',
    default: 2000,
    importance: 'MEDIUM',
    group: CONNECTOR,
    documentation: 'The most actions one _bulk request carries.',
    validator: positive,
  })
  .define({
    name: 'bulk.size.bytes',
    type: 'LONG',
    default: 5 * 1024 * 1024,
    importance: 'LOW',
    group: CONNECTOR,
    documentation:
      'The most bytes one _bulk request carries (whichever of this and batch.size is reached first); -1 for no limit.',
    validator: Validators.atLeast(-1),
  })
  .define({
    name: 'max.in.flight.requests',
    type: 'INT',
    default: 5,
    importance: 'MEDIUM',
    group: CONNECTOR,
    documentation: 'The most _bulk requests a task has outstanding at once.',
    validator: positive,
  })
  .define({
    name: 'max.buffered.records',
    type: 'INT',
    default: 20000,
    importance: 'LOW',
    group: CONNECTOR,
    documentation:
      'The most records a task holds that Elasticsearch has not yet acknowledged; put() waits for room beyond it (backpressure on the consumer).',
    validator: positive,
  })
  .define({
    name: 'linger.ms',
    type: 'LONG',
    default: 1,
    importance: 'LOW',
    group: CONNECTOR,
    documentation: 'How long a partial batch waits for more records before it is sent.',
    validator: nonNegative,
  })
  .define({
    name: 'flush.timeout.ms',
    type: 'LONG',
    default: 180000,
    importance: 'LOW',
    group: CONNECTOR,
    documentation:
      'How long put() may wait for buffer room while Elasticsearch answers but does not keep up; then the task fails. Outages (requests failing and being retried) are governed by max.retries and errors.retry.timeout instead.',
    validator: positive,
  })
  .define({
    name: 'max.retries',
    type: 'INT',
    default: 5,
    importance: 'LOW',
    group: CONNECTOR,
    documentation:
      'Retries of a failed request (connection error, timeout, 429, 5xx) before the task fails; the task keeps retrying beyond this while errors.retry.timeout has not passed since the first failure.',
    validator: nonNegative,
  })
  .define({
    name: 'retry.backoff.ms',
    type: 'LONG',
    default: 100,
    importance: 'LOW',
    group: CONNECTOR,
    documentation:
      'Base of the exponential backoff between retries: each wait is random in [0, retry.backoff.ms * 2^attempt], capped by errors.retry.delay.max.ms.',
    validator: nonNegative,
  })
  .define({
    name: 'connection.timeout.ms',
    type: 'INT',
    default: 1000,
    importance: 'LOW',
    group: CONNECTOR,
    documentation: 'How long to wait for a TCP connection to Elasticsearch.',
    validator: positive,
  })
  .define({
    name: 'read.timeout.ms',
    type: 'INT',
    default: 3000,
    importance: 'LOW',
    group: CONNECTOR,
    documentation:
      'How long to wait for the answer to a request; a timed-out request is retried like any failed request.',
    validator: positive,
  })
  .define({
    name: 'connection.compression',
    type: 'BOOLEAN',
    default: false,
    importance: 'LOW',
    group: CONNECTOR,
    documentation: 'Gzip request bodies (Elasticsearch accepts them when http.compression is on, the default).',
  })
  .define({
    name: 'key.ignore',
    type: 'BOOLEAN',
    default: false,
    importance: 'HIGH',
    group: DATA,
    documentation:
      'true: the document id is topic+partition+offset (each record its own document). false: the id is the record key (string or integer), and writes are versioned by offset so that a redelivered record never overwrites newer data.',
  })
  .define({
    name: 'topic.key.ignore',
    type: 'LIST',
    default: '',
    importance: 'LOW',
    group: DATA,
    documentation: 'Topics for which key.ignore is true whatever key.ignore says.',
  })
  .define({
    name: 'schema.ignore',
    type: 'BOOLEAN',
    default: false,
    importance: 'LOW',
    group: DATA,
    documentation:
      'true: no mapping is created and Elasticsearch maps fields dynamically. false: a new index gets a mapping built from the value schema of its first record (Timestamp/Date/Time → date, Decimal → double, strings → text with a keyword sub-field).',
  })
  .define({
    name: 'topic.schema.ignore',
    type: 'LIST',
    default: '',
    importance: 'LOW',
    group: DATA,
    documentation: 'Topics for which schema.ignore is true whatever schema.ignore says.',
  })
  .define({
    name: 'compact.map.entries',
    type: 'BOOLEAN',
    default: true,
    importance: 'LOW',
    group: DATA,
    documentation:
      'true: maps with string keys become JSON objects. false: every map becomes an array of {"key","value"} objects.',
  })
  .define({
    name: 'drop.invalid.message',
    type: 'BOOLEAN',
    default: false,
    importance: 'LOW',
    group: DATA,
    documentation:
      'true: a record that cannot become a document (null or unsupported key, tombstone with behavior.on.null.values=fail, schemaless value while a mapping is needed) is dropped with a warning instead of going to the error handler.',
  })
  .define({
    name: 'behavior.on.null.values',
    type: 'STRING',
    default: 'fail',
    importance: 'LOW',
    group: DATA,
    documentation:
      'Tombstones (null values): ignore skips them; delete deletes the document with the record key as id; fail sends them to the error handler.',
    validator: Validators.inIgnoreCase('ignore', 'delete', 'fail'),
    validValues: ['ignore', 'delete', 'fail'],
  })
  .define({
    name: 'behavior.on.malformed.documents',
    type: 'STRING',
    default: 'fail',
    importance: 'LOW',
    group: ERRORS,
    documentation:
      'Documents Elasticsearch rejects as malformed (mapper_parsing_exception, document_parsing_exception, illegal_argument_exception, …): ignore drops them; warn drops them with a warning; fail sends them to the error handler (dead-letter queue with errors.tolerance=all, else the task fails).',
    validator: Validators.inIgnoreCase('ignore', 'warn', 'fail'),
    validValues: ['ignore', 'warn', 'fail'],
  })
  .define({
    name: 'write.method',
    type: 'STRING',
    default: 'insert',
    importance: 'LOW',
    group: DATA,
    documentation:
      'insert indexes the whole document (versioned by offset); upsert merges it into an existing document (update with doc_as_upsert; not versioned).',
    validator: Validators.inIgnoreCase('insert', 'upsert'),
    validValues: ['insert', 'upsert'],
  })
  .define({
    name: 'external.version.header',
    type: 'STRING',
    default: '',
    importance: 'LOW',
    group: DATA,
    documentation:
      'Name of a header whose integer value is used as the external document version instead of the offset.',
  })
  .define({
    name: 'data.stream.type',
    type: 'STRING',
    default: 'NONE',
    importance: 'LOW',
    group: STREAMS,
    documentation:
      'LOGS or METRICS writes to the data stream {type}-{dataset}-{namespace} (op_type create) instead of an index; NONE writes to indices.',
    validator: Validators.inIgnoreCase('NONE', 'LOGS', 'METRICS'),
    validValues: ['NONE', 'LOGS', 'METRICS'],
  })
  .define({
    name: 'data.stream.dataset',
    type: 'STRING',
    default: '',
    importance: 'LOW',
    group: STREAMS,
    documentation:
      'The dataset part of the data stream name; required with data.stream.type. Lower case, no "-", at most 100 characters.',
  })
  .define({
    name: 'data.stream.namespace',
    type: 'STRING',
    default: '${topic}',
    importance: 'LOW',
    group: STREAMS,
    documentation: 'The namespace part of the data stream name; ${topic} stands for the lower-cased topic.',
  })
  .define({
    name: 'data.stream.timestamp.field',
    type: 'LIST',
    default: '',
    importance: 'LOW',
    group: STREAMS,
    documentation: 'Value fields to copy into @timestamp, the first one present wins; empty uses the record timestamp.',
  })
  .define({
    name: 'topic.index.map',
    type: 'LIST',
    default: '',
    importance: 'LOW',
    group: DATA,
    documentation:
      'Deprecated (Confluent 10.x): topic:index pairs naming the index of a topic instead of the lower-cased topic. Prefer the RegexRouter transform.',
    validator: topicIndexMapValidator,
  })
  .define({
    name: 'type.name',
    type: 'STRING',
    default: '',
    importance: 'LOW',
    group: DATA,
    documentation:
      'Deprecated (Confluent 10.x, Elasticsearch 6 document types): accepted and ignored with a warning, since Elasticsearch 8 has no types.',
  });

function urlValidator(v: unknown, name: string): string | undefined {
  const urls = v as string[];
  if (urls.length === 0)
    return `Invalid value for configuration ${name}: at least one Elasticsearch URL is required, e.g. http://localhost:9200`;
  for (const u of urls) {
    try {
      const url = new URL(withScheme(u));
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        return `Invalid value ${u} for configuration ${name}: only http and https URLs are supported`;
    } catch {
      return `Invalid value ${u} for configuration ${name}: not a URL (expected e.g. http://localhost:9200)`;
    }
  }
  return undefined;
}

/** Confluent's rule: a URL without a scheme is http, and one https URL makes them all https. */
export function normalizeUrls(urls: string[]): string[] {
  const withSchemes = urls.map(withScheme);
  const https = withSchemes.some((u) => u.startsWith('https://'));
  return withSchemes.map((u) => (https ? u.replace(/^http:\/\//, 'https://') : u));
}

function withScheme(u: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(u) ? u : `http://${u}`;
}

/** `topic:index,topic:index` → Map; throws on a malformed pair or an index name Elasticsearch refuses. */
export function parseTopicIndexMap(pairs: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of pairs) {
    const at = pair.lastIndexOf(':');
    if (at <= 0 || at === pair.length - 1) throw new Error(`"${pair}" is not a topic:index pair`);
    const index = pair.slice(at + 1).trim();
    if (index !== index.toLowerCase() || /[\\/*?"<>| ,#:]/.test(index) || /^[-_+]/.test(index)) {
      throw new Error(
        `"${index}" is not a valid index name (lower case, no \\ / * ? " < > | space , # :, not starting with - _ +)`,
      );
    }
    out.set(pair.slice(0, at).trim(), index);
  }
  return out;
}

export type NullValueBehavior = 'ignore' | 'delete' | 'fail';
export type MalformedBehavior = 'ignore' | 'warn' | 'fail';

/** Everything a task needs, parsed once from its config. */
export interface SinkSettings {
  urls: string[];
  username: string | null;
  password: string | null;
  batchSize: number;
  bulkSizeBytes: number;
  maxInFlight: number;
  maxBufferedRecords: number;
  lingerMs: number;
  flushTimeoutMs: number;
  maxRetries: number;
  retryBackoffMs: number;
  /** errors.retry.timeout: -1 forever, 0 only max.retries. */
  retryTimeoutMs: number;
  retryDelayMaxMs: number;
  connectionTimeoutMs: number;
  readTimeoutMs: number;
  compression: boolean;
  keyIgnore: boolean;
  topicKeyIgnore: Set<string>;
  schemaIgnore: boolean;
  topicSchemaIgnore: Set<string>;
  compactMapEntries: boolean;
  dropInvalidMessage: boolean;
  nullValues: NullValueBehavior;
  malformed: MalformedBehavior;
  upsert: boolean;
  versionHeader: string | null;
  dataStreamType: 'logs' | 'metrics' | null;
  dataStreamDataset: string;
  dataStreamNamespace: string;
  dataStreamTimestampFields: string[];
  topicIndexMap: Map<string, string>;
}

export function parseSettings(props: Readonly<Record<string, string>>): SinkSettings {
  const c = configDef.parse(props);
  const dsType = c.string('data.stream.type').toLowerCase();
  return {
    urls: normalizeUrls(c.list('connection.url')),
    username: c.optionalString('connection.username'),
    password: c.password('connection.password'),
    batchSize: c.int('batch.size'),
    bulkSizeBytes: c.int('bulk.size.bytes'),
    maxInFlight: c.int('max.in.flight.requests'),
    maxBufferedRecords: c.int('max.buffered.records'),
    lingerMs: c.int('linger.ms'),
    flushTimeoutMs: c.int('flush.timeout.ms'),
    maxRetries: c.int('max.retries'),
    retryBackoffMs: c.int('retry.backoff.ms'),
    retryTimeoutMs: intOr(props['errors.retry.timeout'], 0),
    retryDelayMaxMs: intOr(props['errors.retry.delay.max.ms'], 60_000),
    connectionTimeoutMs: c.int('connection.timeout.ms'),
    readTimeoutMs: c.int('read.timeout.ms'),
    compression: c.bool('connection.compression'),
    keyIgnore: c.bool('key.ignore'),
    topicKeyIgnore: new Set(c.list('topic.key.ignore')),
    schemaIgnore: c.bool('schema.ignore'),
    topicSchemaIgnore: new Set(c.list('topic.schema.ignore')),
    compactMapEntries: c.bool('compact.map.entries'),
    dropInvalidMessage: c.bool('drop.invalid.message'),
    nullValues: c.string('behavior.on.null.values').toLowerCase() as NullValueBehavior,
    malformed: c.string('behavior.on.malformed.documents').toLowerCase() as MalformedBehavior,
    upsert: c.string('write.method').toLowerCase() === 'upsert',
    versionHeader: c.optionalString('external.version.header'),
    dataStreamType: dsType === 'none' ? null : (dsType as 'logs' | 'metrics'),
    dataStreamDataset: c.string('data.stream.dataset'),
    dataStreamNamespace: c.string('data.stream.namespace'),
    dataStreamTimestampFields: c.list('data.stream.timestamp.field'),
    topicIndexMap: parseTopicIndexMap(c.list('topic.index.map')),
  };
}

function intOr(raw: string | undefined, dflt: number): number {
  const n = raw === undefined || raw.trim() === '' ? dflt : Number(raw);
  return Number.isFinite(n) ? n : dflt;
}

/** Checks across keys, appended to the per-key outcome (shown by the validate endpoint). */
export function crossValidate(props: Readonly<Record<string, string>>, values: ConfigValue[]): ConfigValue[] {
  const add = (name: string, msg: string) => values.find((v) => v.name === name)?.errors.push(msg);
  const user = props['connection.username'],
    pass = props['connection.password'];
  if ((user && !pass) || (!user && pass)) {
    add(
      'connection.username',
      'connection.username and connection.password must be set together (basic authentication needs both).',
    );
  }
  const ds = (props['data.stream.type'] ?? 'NONE').toUpperCase();
  const dataset = props['data.stream.dataset'] ?? '';
  if (ds !== 'NONE') {
    if (dataset === '')
      add('data.stream.dataset', 'data.stream.dataset is required when data.stream.type is LOGS or METRICS.');
    else if (!/^[a-z0-9_.]{1,100}$/.test(dataset) || dataset.includes('-'))
      add(
        'data.stream.dataset',
        `Invalid value ${dataset} for configuration data.stream.dataset: lower case letters, digits, "_" and "." only, at most 100 characters.`,
      );
    if ((props['write.method'] ?? 'insert').toLowerCase() === 'upsert')
      add(
        'write.method',
        'write.method=upsert cannot write to data streams (they only accept op_type create); use insert.',
      );
    if ((props['behavior.on.null.values'] ?? '').toLowerCase() === 'delete')
      add(
        'behavior.on.null.values',
        'behavior.on.null.values=delete cannot be used with data streams (documents in a data stream cannot be deleted by id).',
      );
  } else if (dataset !== '') {
    add(
      'data.stream.type',
      'data.stream.dataset is set but data.stream.type is NONE; set data.stream.type to LOGS or METRICS.',
    );
  }
  return values;
}
