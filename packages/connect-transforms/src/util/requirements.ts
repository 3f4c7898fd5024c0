import { DataError, Struct, type ConnectRecord, type Schema, type SinkRecord } from '@tributary/connect-api';

/**
 * Kafka's `Requirements`: the checks transforms make on what they are given, with Kafka's messages.
 * Schemaless maps may be a `Map` or a plain object; {@link MapValue} reads both and writes back the
 * same kind it was given.
 */
export type MapValue = Map<string, unknown> | Record<string, unknown>;

export function className(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof Struct) return 'Struct';
  if (v instanceof Map) return 'Map';
  if (v instanceof Uint8Array) return 'Uint8Array';
  if (v instanceof Date) return 'Date';
  if (Array.isArray(v)) return 'Array';
  return typeof v === 'object' ? 'Object' : typeof v;
}

export function isMapValue(v: unknown): v is MapValue {
  return (
    v instanceof Map ||
    (typeof v === 'object' &&
      v !== null &&
      !Array.isArray(v) &&
      !(v instanceof Struct) &&
      !(v instanceof Uint8Array) &&
      !(v instanceof Date))
  );
}

export function requireMap(v: unknown, purpose: string): MapValue {
  if (!isMapValue(v))
    throw new DataError(`Only Map objects supported in absence of schema for [${purpose}], found: ${className(v)}`);
  return v;
}

export function requireMapOrNull(v: unknown, purpose: string): MapValue | null {
  return v === null || v === undefined ? null : requireMap(v, purpose);
}

export function requireStruct(v: unknown, purpose: string): Struct {
  if (!(v instanceof Struct))
    throw new DataError(`Only Struct objects supported for [${purpose}], found: ${className(v)}`);
  return v;
}

export function requireStructOrNull(v: unknown, purpose: string): Struct | null {
  return v === null || v === undefined ? null : requireStruct(v, purpose);
}

export function requireSchema(schema: Schema | null | undefined, purpose: string): Schema {
  if (schema == null) throw new DataError(`Schema required for [${purpose}]`);
  return schema;
}

export function requireSinkRecord(record: ConnectRecord, purpose: string): SinkRecord {
  if (!('kafkaOffset' in record))
    throw new DataError(`Only SinkRecord supported for [${purpose}], found: SourceRecord`);
  return record as SinkRecord;
}

export function mapGet(m: MapValue, key: string): unknown {
  return m instanceof Map ? m.get(key) : Object.hasOwn(m, key) ? m[key] : undefined;
}

export function mapHas(m: MapValue, key: string): boolean {
  return m instanceof Map ? m.has(key) : Object.hasOwn(m, key);
}

export function mapEntries(m: MapValue): [string, unknown][] {
  return m instanceof Map ? [...m.entries()] : Object.entries(m);
}

/** A new, empty map of the same kind as `like`. */
export function emptyLike(like: MapValue): MapValue {
  return like instanceof Map ? new Map() : {};
}

export function mapSet(m: MapValue, key: string, value: unknown): void {
  if (m instanceof Map) m.set(key, value);
  else Object.defineProperty(m, key, { value, writable: true, enumerable: true, configurable: true });
}

export function mapDelete(m: MapValue, key: string): void {
  if (m instanceof Map) m.delete(key);
  else delete m[key];
}

export function copyMap(m: MapValue): MapValue {
  return m instanceof Map ? new Map(m) : { ...m };
}
