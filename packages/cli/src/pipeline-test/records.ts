import { Struct, type Header, type Schema, type SchemaAndValue } from '@tributary/connect-api';
import { JsonConverter } from '@tributary/connect-converters';

const enc = new TextEncoder();
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Connect data from a JSON value and, when given, a Connect schema in JsonConverter's `schema` form. */
export function connectData(value: unknown, schema: unknown, isKey: boolean): SchemaAndValue {
  if (schema === undefined || schema === null) return { schema: null, value: value ?? null };
  const c = new JsonConverter();
  c.configure({ 'schemas.enable': 'true' }, isKey);
  return c.toConnectData('', enc.encode(JSON.stringify({ schema, payload: value ?? null })));
}

/** Bytes of a `raw` input field: text as UTF-8, or `{ base64: … }`. */
export function rawBytes(v: unknown): Uint8Array | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'object' && typeof (v as { base64?: unknown }).base64 === 'string')
    return Buffer.from((v as { base64: string }).base64, 'base64');
  return enc.encode(typeof v === 'string' ? v : JSON.stringify(v));
}

/** Bytes as the test shows them: UTF-8 text when they are text, else `{ base64 }`. */
export function showBytes(b: Uint8Array | null): unknown {
  if (b === null) return null;
  try {
    return utf8.decode(b);
  } catch {
    return { base64: Buffer.from(b).toString('base64') };
  }
}

/** A Connect value as plain JSON: structs as objects, dates as ISO text, bytes as base64. */
export function plain(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Struct) return Object.fromEntries(v.schema.fields!.map((f) => [f.name, plain(v.get(f.name))]));
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === 'object') {
    const o = v as { toJSON?: () => unknown };
    if (typeof o.toJSON === 'function') return o.toJSON();
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

/** A schema as plain JSON; struct fields keyed by name so that paths read `valueSchema.fields.id.type`. */
export function plainSchema(s: Schema | null | undefined): unknown {
  if (!s) return null;
  const out: Record<string, unknown> = { type: s.type, optional: s.optional };
  if (s.name) out.name = s.name;
  if (s.version !== undefined) out.version = s.version;
  if (s.parameters) out.parameters = s.parameters;
  if (s.fields) out.fields = Object.fromEntries(s.fields.map((f) => [f.name, plainSchema(f.schema)]));
  if (s.type === 'ARRAY') out.items = plainSchema(s.valueSchema);
  if (s.type === 'MAP') Object.assign(out, { keys: plainSchema(s.keySchema), values: plainSchema(s.valueSchema) });
  return out;
}

export function plainHeaders(headers: readonly Header[]): Record<string, unknown> {
  return Object.fromEntries(headers.map((h) => [h.key, plain(h.value)]));
}

/** A timestamp given as milliseconds or as date text. */
export function timestampOf(v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return v;
  const t = Date.parse(String(v));
  if (Number.isNaN(t)) throw new Error(`timestamp ${String(v)} is neither milliseconds nor a date`);
  return t;
}
