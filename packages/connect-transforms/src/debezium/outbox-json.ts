import { ConnectError, SchemaBuilder, Schemas, Struct, type Schema } from '@tributary/connect-api';

/**
 * `table.expand.json.payload`: a JSON text payload becomes a Struct whose schema is inferred from the
 * document, as Debezium's JsonSchemaData infers it: objects are optional structs named by their path
 * (`payload`, `payload.address`), strings/booleans optional, integers INT32 or INT64 by range, other numbers
 * FLOAT64; arrays take their first non-null element's schema (object elements merged); nulls are left out
 * (`ignore`) or optional bytes (`optional_bytes`); empty arrays are left out.
 */
export type NullBehavior = 'ignore' | 'optional_bytes';

type Json = null | boolean | string | JsonNumber | Json[] | { [k: string]: Json };
/** A number with the text it was written as, so integers beyond 2^53 and int/long ranges are exact. */
interface JsonNumber {
  readonly num: string;
}

const INT32 = [-(2n ** 31n), 2n ** 31n - 1n];
const INT64 = [-(2n ** 63n), 2n ** 63n - 1n];

export function parseJsonPayload(text: string): Json {
  const t = text.trimStart();
  if (!t.startsWith('{') && !t.startsWith('[')) throw new Error(`Unable to parse payload starting with '${t[0]}'`);
  return JSON.parse(text, (_k, v: unknown, ctx?: { source?: string }) =>
    typeof v === 'number' ? { num: ctx?.source ?? String(v) } : v,
  ) as Json;
}

const isNumber = (v: Json): v is JsonNumber => v !== null && typeof v === 'object' && 'num' in v && !Array.isArray(v);
const isObject = (v: Json): v is { [k: string]: Json } =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !isNumber(v);

function numberKind(n: JsonNumber): 'int' | 'long' | 'double' {
  if (!/^-?\d+$/.test(n.num)) return 'double';
  const b = BigInt(n.num);
  if (b >= INT32[0]! && b <= INT32[1]!) return 'int';
  return b >= INT64[0]! && b <= INT64[1]! ? 'long' : 'double';
}

export function jsonSchema(key: string | null, node: Json, nulls: NullBehavior): Schema | null {
  if (node === null) return nulls === 'optional_bytes' ? Schemas.OPTIONAL_BYTES : null;
  if (typeof node === 'string') return Schemas.OPTIONAL_STRING;
  if (typeof node === 'boolean') return Schemas.OPTIONAL_BOOLEAN;
  if (isNumber(node)) {
    const k = numberKind(node);
    return k === 'int' ? Schemas.OPTIONAL_INT32 : k === 'long' ? Schemas.OPTIONAL_INT64 : Schemas.OPTIONAL_FLOAT64;
  }
  if (Array.isArray(node)) {
    if (node.length === 0) return null;
    return SchemaBuilder.array(arrayElementSchema(key, node, nulls))
      .optional()
      .build();
  }
  const b = SchemaBuilder.struct().optional();
  if (key) b.name(key);
  const seen = new Set<string>();
  for (const [name, v] of Object.entries(node)) {
    const s = jsonSchema(key ? `${key}.${name}` : name, v, nulls);
    if (s && !seen.has(name)) {
      seen.add(name);
      b.field(name, s);
    }
  }
  return b.build();
}

function arrayElementSchema(key: string | null, array: Json[], nulls: NullBehavior): Schema {
  const present = array.filter((e) => e !== null);
  const first = present[0] ?? null;
  for (const e of present) {
    const same =
      typeof e === typeof first &&
      Array.isArray(e) === Array.isArray(first) &&
      isNumber(e) === isNumber(first!) &&
      (!isNumber(e) || numberKind(e) === numberKind(first as JsonNumber));
    if (!same) throw new ConnectError(`Field is not a homogenous array (${JSON.stringify(array).slice(0, 80)})`);
  }
  if (first !== null && isObject(first)) {
    // Object elements: their fields merged, first seen first.
    const fields = new Map<string, Schema>();
    for (const e of present) {
      for (const f of jsonSchema(key, e, nulls)!.fields ?? []) {
        const old = fields.get(f.name);
        if (!old || (old.type === 'BYTES' && f.schema.type !== 'BYTES')) fields.set(f.name, f.schema);
      }
    }
    const b = SchemaBuilder.struct().optional();
    if (key) b.name(key);
    for (const [n, s] of fields) b.field(n, s);
    return b.build();
  }
  const s = first === null ? null : jsonSchema(null, first, nulls);
  if (!s) throw new ConnectError(`Array '${JSON.stringify(array).slice(0, 80)}' has unrecognized member schema.`);
  return s;
}

/** The document as values of `schema` (fields the schema left out are dropped). */
export function jsonValue(node: Json, schema: Schema): unknown {
  if (node === null) return null;
  if (typeof node === 'string' || typeof node === 'boolean') return node;
  if (isNumber(node)) {
    const k = numberKind(node);
    if (k === 'double') return Number(node.num);
    const b = BigInt(node.num);
    return Number.isSafeInteger(Number(b)) ? Number(b) : b;
  }
  if (Array.isArray(node)) return node.map((e) => jsonValue(e, schema.valueSchema!));
  const s = new Struct(schema);
  for (const f of schema.fields ?? []) if (f.name in node) s.put(f.name, jsonValue(node[f.name]!, f.schema));
  return s;
}
