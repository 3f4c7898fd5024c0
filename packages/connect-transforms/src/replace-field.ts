import {
  ConfigDef,
  SchemaBuilder,
  schemaField,
  Struct,
  type ConnectRecord,
  type Schema,
  type Transformation,
} from '@tributary/connect-api';
import { parseConfig } from './util/config.js';
import { operandSchema, operandValue, withOperand, type Operand } from './util/operand.js';
import { emptyLike, mapEntries, mapSet, requireMap, requireStruct } from './util/requirements.js';
import { SchemaCache, SourcePositions } from './util/schema-cache.js';
import { copySchemaBasics } from './util/schema-util.js';

const PURPOSE = 'field replacement';

const renamesValidator = (v: unknown, name: string): string | undefined => {
  for (const mapping of v as string[]) {
    if (mapping.split(':').length !== 2)
      return `Invalid value ${(v as string[]).join(',')} for configuration ${name}: Invalid rename mapping: ${mapping}`;
  }
  return undefined;
};

const CONFIG = new ConfigDef()
  .define({
    name: 'exclude',
    type: 'LIST',
    default: '',
    importance: 'MEDIUM',
    aliases: ['blacklist'],
    documentation: 'Fields to exclude. This takes precedence over the fields to include.',
  })
  .define({
    name: 'include',
    type: 'LIST',
    default: '',
    importance: 'MEDIUM',
    aliases: ['whitelist'],
    documentation: 'Fields to include. If specified, only these fields will be used.',
  })
  .define({
    name: 'renames',
    type: 'LIST',
    default: '',
    importance: 'MEDIUM',
    validator: renamesValidator,
    documentation: 'Field rename mappings.',
  });

/**
 * Kafka's `ReplaceField`: drops (`exclude`), keeps (`include`) and renames (`renames=old:new,…`) the
 * top-level fields of the key or value. Accepts the pre-4.0 `blacklist`/`whitelist` names.
 */
export class ReplaceField implements Transformation {
  private exclude = new Set<string>();
  private include = new Set<string>();
  private renames = new Map<string, string>();
  private reverseRenames = new Map<string, string>();
  private readonly schemas = new SchemaCache();

  constructor(private readonly operand: Operand) {}

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    const c = parseConfig(CONFIG, props);
    this.exclude = new Set(c.list('exclude'));
    this.include = new Set(c.list('include'));
    this.renames = new Map(c.list('renames').map((m) => m.split(':') as [string, string]));
    this.reverseRenames = new Map([...this.renames].map(([a, b]) => [b, a]));
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    const value = operandValue(record, this.operand);
    if (value === null || value === undefined) return record;
    const schema = operandSchema(record, this.operand);
    if (schema === null) {
      const map = requireMap(value, PURPOSE);
      const updated = emptyLike(map);
      for (const [k, v] of mapEntries(map)) if (this.keeps(k)) mapSet(updated, this.renamed(k), v);
      return withOperand(record, this.operand, null, updated);
    }
    const struct = requireStruct(value, PURPOSE);
    const updatedSchema = this.schemas.get(struct.schema, (s) => this.deriveSchema(s));
    const updated = new Struct(updatedSchema);
    // Kept fields reuse the input's field schema objects, so their values are trusted.
    const from = this.sources.get(updatedSchema, struct.schema);
    for (let i = 0; i < from.length; i++) updated.putTrustedAt(i, struct.getAt(from[i]!));
    return withOperand(record, this.operand, updatedSchema, updated);
  }

  private keeps(name: string): boolean {
    return !this.exclude.has(name) && (this.include.size === 0 || this.include.has(name));
  }

  /** For each field of a derived schema, the position of its source field in the input schema. */
  private readonly sources = new SourcePositions((derived, input) =>
    derived.fields!.map((f) => schemaField(input, this.reverseRenames.get(f.name) ?? f.name)!.index),
  );

  private renamed(name: string): string {
    return this.renames.get(name) ?? name;
  }

  private deriveSchema(schema: Schema): Schema {
    const b = copySchemaBasics(schema, SchemaBuilder.struct());
    for (const f of schema.fields!) if (this.keeps(f.name)) b.field(this.renamed(f.name), f.schema);
    return b.build();
  }
}
