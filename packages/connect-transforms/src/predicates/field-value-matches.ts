import { ConfigDef, ConfigError, Struct, type ConnectRecord, type Predicate } from '@tributary/connect-api';
import { parseConfig } from '../util/config.js';
import { FieldPath } from '../util/field-path.js';
import { javaRegex } from '../util/java-regex.js';

/**
 * Splits a list of regexes on commas, except commas that are escaped (`\,`) or inside `{…}`, `[…]` or
 * `(…)`, so `\d{1,3}` and `(a,b)` survive as one pattern.
 */
export function splitPatterns(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && text[i + 1] === ',') {
      current += ',';
      i++;
      continue;
    }
    if (c === '\\') {
      current += c + (text[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '{' || c === '[' || c === '(') depth++;
    if ((c === '}' || c === ']' || c === ')') && depth > 0) depth--;
    if (c === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
      continue;
    }
    current += c;
  }
  out.push(current.trim());
  return out.filter((p) => p !== '');
}

const CONFIG = new ConfigDef()
  .define({
    name: 'field',
    type: 'LIST',
    importance: 'HIGH',
    documentation:
      'Comma-separated paths of the fields to test, dotted for nested fields (backticks quote a name that contains dots). Works on Struct and map values.',
  })
  .define({
    name: 'pattern',
    type: 'STRING',
    default: null,
    importance: 'HIGH',
    documentation:
      "Comma-separated regular expressions (Java syntax), one per field, each of which must find a match in its field's text (or match all of it with full.match). Escape a literal comma as \\,.",
  })
  .define({
    name: 'value',
    type: 'LIST',
    default: null,
    importance: 'HIGH',
    documentation:
      "Comma-separated values, one per field, each of which must equal its field's text exactly. Use instead of pattern.",
  })
  .define({
    name: 'full.match',
    type: 'BOOLEAN',
    default: false,
    importance: 'LOW',
    documentation: 'Whether each pattern must match the whole field text rather than find a match in it.',
  })
  .define({
    name: 'case.insensitive',
    type: 'BOOLEAN',
    default: false,
    importance: 'LOW',
    documentation: 'Whether patterns and values ignore case.',
  });

type Check = (text: string) => boolean;

/**
 * Tributary's `FieldValueMatches`: true when every listed field of the value matches its pattern (or
 * equals its value). One predicate can so express `HOST = 'rpi-03' AND MESSAGE LIKE '%Invalid user%'`,
 * which Kafka's one-predicate-per-transform model cannot otherwise combine. A missing or null field
 * never matches.
 */
export class FieldValueMatches implements Predicate {
  private paths: FieldPath[] = [];
  private checks: Check[] = [];

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    const c = parseConfig(CONFIG, props);
    const fields = c.list('field');
    const pattern = c.optionalString('pattern');
    const values = c.get('value') as string[] | null;
    const ignoreCase = c.bool('case.insensitive');
    if (fields.length === 0) throw new ConfigError([{ key: 'field', message: 'At least one field is required' }]);
    if ((pattern === null) === (values === null)) throw new ConfigError('Exactly one of pattern and value must be set');
    if (pattern !== null) {
      const patterns = splitPatterns(pattern);
      if (patterns.length !== fields.length)
        throw new ConfigError([{ key: 'pattern', message: `${patterns.length} patterns for ${fields.length} fields` }]);
      this.checks = patterns.map((p) => {
        const re = javaRegex(ignoreCase ? `(?i)${p}` : p, { fullMatch: c.bool('full.match'), configKey: 'pattern' });
        return (text) => re.test(text);
      });
    } else {
      if (values!.length !== fields.length)
        throw new ConfigError([{ key: 'value', message: `${values!.length} values for ${fields.length} fields` }]);
      this.checks = values!.map((v) =>
        ignoreCase ? (text) => text.toLowerCase() === v.toLowerCase() : (text) => text === v,
      );
    }
    this.paths = fields.map((f) => new FieldPath(f, 'V2'));
  }

  test(record: ConnectRecord): boolean {
    for (let i = 0; i < this.paths.length; i++) {
      const v = this.paths[i]!.valueFrom(record.value);
      if (v === null || v instanceof Struct || (typeof v === 'object' && !(v instanceof Date))) return false;
      if (!this.checks[i]!(v instanceof Date ? v.toISOString() : String(v))) return false;
    }
    return true;
  }
}
