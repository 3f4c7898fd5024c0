/**
 * The DataStax mapping syntax: `col=key, col2=value.field, col3=header.x, col4=now()`.
 *
 * A source is the whole key or value, a dotted path into either, a header by name, or a CQL function
 * evaluated by Cassandra itself (its text is put into the statement). Identifiers may be double-quoted
 * (`"MyCol"=value."field.with.dots"`), with `""` for a quote inside. Two target columns are special:
 * `__ttl` (per-record TTL) and `__timestamp` (write time), as in DataStax's connector.
 */

export type FieldSource =
  | { readonly kind: 'key' | 'value'; readonly path: readonly string[] }
  | { readonly kind: 'header'; readonly name: string }
  | { readonly kind: 'function'; readonly cql: string; readonly name: string };

export interface MappingEntry {
  /** The column as Cassandra names it (unquoted identifiers are lower-cased, as CQL does). */
  readonly column: string;
  readonly source: FieldSource;
  /** The source as written, for error messages. */
  readonly text: string;
}

export interface Mapping {
  readonly columns: readonly MappingEntry[];
  readonly ttl: MappingEntry | null;
  readonly timestamp: MappingEntry | null;
}

export const TTL_COLUMN = '__ttl';
export const TIMESTAMP_COLUMN = '__timestamp';

/**
 * The CQL functions a mapping may use and the column types they produce. DataStax supports `now()`
 * only; the others are as cheap and equally deterministic in what they mean.
 */
export const MAPPING_FUNCTIONS: Readonly<Record<string, { cql: string; produces: readonly string[] }>> = {
  now: { cql: 'now()', produces: ['timeuuid'] },
  currenttimeuuid: { cql: 'currentTimeUUID()', produces: ['timeuuid'] },
  uuid: { cql: 'uuid()', produces: ['uuid'] },
  currenttimestamp: { cql: 'currentTimestamp()', produces: ['timestamp'] },
  currentdate: { cql: 'currentDate()', produces: ['date'] },
  currenttime: { cql: 'currentTime()', produces: ['time'] },
};

/** Parses a mapping; throws an Error whose message says what is wrong and where. */
export function parseMapping(text: string): Mapping {
  const entries = splitTopLevel(text).map((part) => parseEntry(part));
  if (entries.length === 0) throw new Error('Mapping is empty; expected e.g. "col1=key, col2=value.field".');
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.column)) throw new Error(`Mapping names column ${quoteIfNeeded(e.column)} more than once.`);
    seen.add(e.column);
  }
  const special = (name: string) => {
    const e = entries.find((x) => x.column === name) ?? null;
    if (e && e.source.kind === 'function') throw new Error(`${name} cannot be mapped to a function (${e.text}).`);
    return e;
  };
  return {
    columns: entries.filter((e) => e.column !== TTL_COLUMN && e.column !== TIMESTAMP_COLUMN),
    ttl: special(TTL_COLUMN),
    timestamp: special(TIMESTAMP_COLUMN),
  };
}

/** A column name as it would appear in CQL: quoted unless it is a plain lower-case identifier. */
export function quoteIfNeeded(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

function parseEntry(part: string): MappingEntry {
  const eq = indexOutsideQuotes(part, '=');
  if (eq < 0) throw new Error(`Mapping entry "${part.trim()}" has no "="; expected column=field.`);
  const columnText = part.slice(0, eq).trim();
  const fieldText = part.slice(eq + 1).trim();
  if (columnText === '' || fieldText === '')
    throw new Error(`Mapping entry "${part.trim()}" needs a column and a field on each side of "=".`);
  const column = identifier(columnText, part);
  return { column, source: parseSource(fieldText), text: fieldText };
}

function parseSource(text: string): FieldSource {
  const fn = /^([A-Za-z_][A-Za-z0-9_]*)\s*\(\s*\)$/.exec(text);
  if (fn) {
    const name = fn[1]!.toLowerCase();
    const known = MAPPING_FUNCTIONS[name];
    if (!known)
      throw new Error(
        `Unsupported function ${text} in mapping; supported: ${Object.values(MAPPING_FUNCTIONS)
          .map((f) => f.cql)
          .join(', ')}.`,
      );
    return { kind: 'function', cql: known.cql, name };
  }
  const segments = splitPath(text);
  const head = segments[0]!;
  if (head === 'key' || head === 'value') return { kind: head, path: segments.slice(1) };
  if (head === 'header') {
    if (segments.length < 2) throw new Error(`Mapping field "${text}" needs a header name, as header.<name>.`);
    return { kind: 'header', name: segments.slice(1).join('.') };
  }
  throw new Error(`Mapping field "${text}" must start with key, value or header (or be a function such as now()).`);
}

/** Splits `a.b."c.d"` into `['a','b','c.d']`; quoted segments keep their case and dots. */
function splitPath(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      const end = closingQuote(text, i);
      out.push(text.slice(i + 1, end).replace(/""/g, '"'));
      i = end + 1;
    } else {
      let j = i;
      while (j < text.length && text[j] !== '.') j++;
      const seg = text.slice(i, j).trim();
      if (seg === '') throw new Error(`Mapping field "${text}" has an empty path segment.`);
      out.push(seg);
      i = j;
    }
    if (i < text.length) {
      if (text[i] !== '.') throw new Error(`Mapping field "${text}": expected "." at position ${i}.`);
      i++;
      if (i === text.length) throw new Error(`Mapping field "${text}" ends with ".".`);
    }
  }
  return out;
}

function identifier(text: string, entry: string): string {
  if (text.startsWith('"')) {
    const end = closingQuote(text, 0);
    if (end !== text.length - 1)
      throw new Error(`Mapping entry "${entry.trim()}": unexpected text after the quoted column name.`);
    return text.slice(1, end).replace(/""/g, '"');
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(text))
    throw new Error(`Mapping entry "${entry.trim()}": "${text}" is not a column name (quote it with "…" if it is).`);
  return text.toLowerCase();
}

function closingQuote(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] !== '"') continue;
    if (text[i + 1] === '"') {
      i++;
      continue;
    }
    return i;
  }
  throw new Error(`Unbalanced double quote in mapping: ${text}`);
}

function indexOutsideQuotes(text: string, ch: string): number {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (!quoted && text[i] === ch) return i;
  }
  return -1;
}

function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (!quoted && text[i] === ',') {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.filter((s) => s.trim() !== '');
}
