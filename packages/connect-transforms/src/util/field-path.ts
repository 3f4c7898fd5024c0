import { ConfigError, Struct, schemaField, type Field, type Schema } from '@tributary/connect-api';
import { isMapValue, mapGet } from './requirements.js';

/** KIP-821's `field.syntax.version`: V1 takes the name as is, V2 reads dotted paths with backtick quoting. */
export type FieldSyntaxVersion = 'V1' | 'V2';

export const FIELD_SYNTAX_VERSION_KEY = {
  name: 'field.syntax.version',
  type: 'STRING' as const,
  default: 'V1',
  importance: 'HIGH' as const,
  validValues: ['V1', 'V2'],
  validator: (v: unknown, name: string) =>
    ['V1', 'V2'].includes(String(v).toUpperCase())
      ? undefined
      : `Invalid value ${String(v)} for configuration ${name}: String must be one of (case insensitive): V1, V2`,
  documentation:
    'Defines the version of the syntax to access fields. If set to `V1`, then the field paths are limited to access the elements at the root level of the struct or map. If set to `V2`, the syntax will support accessing nested elements. To access nested elements, dotted notation is used. If dots are already included in the field name, then backtick pairs can be used to wrap field names containing dots. E.g. to access the subfield `baz` from a field named "foo.bar" in a struct/map the following format can be used to access its elements: "`foo.bar`.baz".',
};

/** A path into a Struct or a map, as Kafka's `SingleFieldPath`. */
export class FieldPath {
  readonly steps: readonly string[];

  constructor(
    readonly text: string,
    version: FieldSyntaxVersion = 'V1',
  ) {
    this.steps = version === 'V1' ? [text] : parseV2(text);
  }

  /** The field the path names in a STRUCT schema, or undefined. */
  fieldFrom(schema: Schema | null | undefined): Field | undefined {
    let current = schema;
    for (let i = 0; i < this.steps.length; i++) {
      if (current?.type !== 'STRUCT') return undefined;
      const f = schemaField(current, this.steps[i]!);
      if (f === undefined || i === this.steps.length - 1) return f;
      current = f.schema;
    }
    return undefined;
  }

  /** The value at the path in a Struct or map (nested Structs and maps both followed), or null. */
  valueFrom(value: unknown, replaceNullWithDefault = true): unknown {
    let current = value;
    for (const step of this.steps) {
      if (current instanceof Struct) {
        if (schemaField(current.schema, step) === undefined) return null;
        current = replaceNullWithDefault ? current.get(step) : current.getWithoutDefault(step);
      } else if (isMapValue(current)) {
        current = mapGet(current, step) ?? null;
      } else {
        return null;
      }
    }
    return current ?? null;
  }
}

function parseV2(path: string): string[] {
  const steps: string[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] !== '`') {
      const dot = path.indexOf('.', i);
      if (dot < 0) {
        steps.push(path.slice(i));
        i = path.length;
        break;
      }
      steps.push(path.slice(i, dot));
      i = dot + 1;
      continue;
    }
    // A backtick-quoted step ends at a backtick followed by a dot or the end; \` keeps a backtick.
    const opened = i;
    let step = '';
    let from = i + 1;
    let at = from;
    for (;;) {
      const close = path.indexOf('`', at);
      if (close < 0) throw incomplete(path, opened);
      const escaped = path[close - 1] === '\\';
      if (close === path.length - 1) {
        if (escaped) throw incomplete(path, opened);
        steps.push(step + path.slice(from, close));
        i = close + 1;
        break;
      }
      if (path[close + 1] !== '.') {
        at = close + 1;
        continue;
      }
      if (escaped) {
        step += `${path.slice(from, close - 1)}\``;
        from = at = close + 1;
        continue;
      }
      steps.push(step + path.slice(from, close));
      i = close + 2;
      break;
    }
  }
  if (path.endsWith('.')) steps.push('');
  return steps;
}

function incomplete(path: string, at: number): ConfigError {
  return new ConfigError(
    `Incomplete backtick pair in path: [${path}], consider adding a backslash before backtick at position ${at} to escape it`,
  );
}
