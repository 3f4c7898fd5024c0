import { SchemaBuilder, Struct, type Schema } from '@tributary/connect-api';

/**
 * Kafka's `SchemaUtil.copySchemaBasics`: name, version, doc and parameters onto `builder` (not optional or default).
 */
export function copySchemaBasics(source: Schema, builder: SchemaBuilder = basicBuilder(source)): SchemaBuilder {
  if (source.name != null) builder.name(source.name);
  if (source.version != null) builder.version(source.version);
  if (source.doc != null) builder.doc(source.doc);
  if (source.parameters != null) builder.parameters({ ...source.parameters });
  return builder;
}

function basicBuilder(source: Schema): SchemaBuilder {
  if (source.type === 'ARRAY') return SchemaBuilder.array(source.valueSchema!);
  if (source.type === 'MAP') return SchemaBuilder.map(source.keySchema!, source.valueSchema!);
  return new SchemaBuilder(source.type);
}

/** A field's value, with or without falling back to the schema default (KIP-1040's `replace.null.with.default`). */
export function fieldValue(struct: Struct, name: string, replaceNullWithDefault: boolean): unknown {
  return replaceNullWithDefault ? struct.get(name) : struct.getWithoutDefault(name);
}

/** Kafka's `ConnectSchema.toString()`, used in a few error messages. */
export function schemaToString(schema: Schema): string {
  return schema.name ? `Schema{${schema.name}:${schema.type}}` : `Schema{${schema.type}}`;
}
