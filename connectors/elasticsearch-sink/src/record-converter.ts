import { DataError, Struct, type SinkRecord } from '@tributary/connect-api';
import type { SinkSettings } from './config.js';
import { documentJson } from './document.js';
import { resourceName } from './index-names.js';

/** One `_bulk` action, already in its NDJSON form. */
export interface BulkAction {
  readonly op: 'index' | 'create' | 'update' | 'delete';
  readonly index: string;
  readonly id: string | null;
  /** The action line and, except for deletes, the source line; each ends with a newline. */
  readonly ndjson: string;
  /** Written with version_type=external: a 409 means a newer (or the same) record already won. */
  readonly versioned: boolean;
}

/**
 * Turns a sink record into its bulk action, as Confluent's DataConverter does (see README for the
 * differences). Returns null for a record that is deliberately skipped (an ignored tombstone);
 * throws a DataError for one that cannot become a document.
 */
export class RecordConverter {
  constructor(private readonly s: SinkSettings) {}

  toAction(record: SinkRecord): BulkAction | null {
    const index = resourceName(record.topic, this.s);
    const keyIgnore = this.s.keyIgnore || this.s.topicKeyIgnore.has(record.topic);
    const dataStream = this.s.dataStreamType !== null;
    if (record.value === null || record.value === undefined) return this.tombstone(record, index, keyIgnore);

    const id = keyIgnore ? `${record.topic}+${record.kafkaPartition}+${record.kafkaOffset}` : documentId(record);
    let doc = documentJson(record.valueSchema, record.value, this.s.compactMapEntries);
    if (dataStream) doc = this.withTimestamp(doc, record);
    const idPart = `"_index":${JSON.stringify(index)},"_id":${JSON.stringify(id)}`;
    if (dataStream) return { op: 'create', index, id, versioned: false, ndjson: `{"create":{${idPart}}}\n${doc}\n` };
    if (this.s.upsert) {
      const retries = Math.min(this.s.maxInFlight, 5);
      return {
        op: 'update',
        index,
        id,
        versioned: false,
        ndjson: `{"update":{${idPart},"retry_on_conflict":${retries}}}\n{"doc":${doc},"doc_as_upsert":true}\n`,
      };
    }
    if (keyIgnore) return { op: 'index', index, id, versioned: false, ndjson: `{"index":{${idPart}}}\n${doc}\n` };
    const version = this.version(record);
    return {
      op: 'index',
      index,
      id,
      versioned: true,
      ndjson: `{"index":{${idPart},"version":${version},"version_type":"external"}}\n${doc}\n`,
    };
  }

  private tombstone(record: SinkRecord, index: string, keyIgnore: boolean): BulkAction | null {
    switch (this.s.nullValues) {
      case 'ignore':
        return null;
      case 'fail':
        throw new DataError(
          `Record ${where(record)} has a null value (a tombstone) and behavior.on.null.values is fail; set it to ignore or delete.`,
          { code: 'ES_NULL_VALUE' },
        );
      case 'delete': {
        if (keyIgnore || record.key === null || record.key === undefined) return null; // no id to delete
        const id = documentId(record);
        const ndjson = `{"delete":{"_index":${JSON.stringify(index)},"_id":${JSON.stringify(id)},"version":${this.version(record)},"version_type":"external"}}\n`;
        return { op: 'delete', index, id, versioned: true, ndjson };
      }
    }
  }

  /** The offset, or the integer in `external.version.header`. */
  private version(record: SinkRecord): string {
    if (!this.s.versionHeader) return String(record.kafkaOffset);
    const h = record.headers.findLast((x) => x.key === this.s.versionHeader);
    const raw = h?.value instanceof Uint8Array ? Buffer.from(h.value).toString('utf8') : h?.value;
    const text =
      typeof raw === 'number' || typeof raw === 'bigint' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
    if (!/^\d{1,19}$/.test(text)) {
      throw new DataError(
        `Record ${where(record)}: header ${this.s.versionHeader} (external.version.header) must hold a non-negative integer, found ${h ? String(raw) : 'no such header'}.`,
        { code: 'ES_BAD_VERSION' },
      );
    }
    return text;
  }

  /** Data streams need `@timestamp`: the first listed field present in the value, else the record time. */
  private withTimestamp(doc: string, record: SinkRecord): string {
    let ts: unknown = record.timestamp ?? Date.now();
    for (const f of this.s.dataStreamTimestampFields) {
      const v = fieldOf(record.value, f);
      if (v !== null && v !== undefined) {
        ts = v instanceof Date ? v.getTime() : v;
        break;
      }
    }
    if (!doc.startsWith('{')) return doc; // not an object: ES rejects it as malformed, by policy
    const tsJson = typeof ts === 'number' || typeof ts === 'bigint' ? String(ts) : JSON.stringify(String(ts));
    return doc === '{}' ? `{"@timestamp":${tsJson}}` : `{"@timestamp":${tsJson},${doc.slice(1)}`;
  }
}

/** The record key as a document id: strings and integers only, as Confluent accepts. */
export function documentId(record: SinkRecord): string {
  const k = record.key;
  if (k === null || k === undefined) {
    throw new DataError(
      `Record ${where(record)} has a null key, but the key is the document id (key.ignore=false). Set key.ignore=true for offset-based ids, or give records a key (e.g. the ValueToKey and ExtractField$Key transforms).`,
      { code: 'ES_NULL_KEY' },
    );
  }
  if (typeof k === 'string') {
    if (k === '')
      throw new DataError(`Record ${where(record)} has an empty key, which cannot be a document id.`, {
        code: 'ES_BAD_KEY',
      });
    return k;
  }
  if (typeof k === 'bigint' || (typeof k === 'number' && Number.isInteger(k))) return String(k);
  const kind =
    k instanceof Struct
      ? 'a struct'
      : k instanceof Uint8Array
        ? 'bytes'
        : k instanceof Map || typeof k === 'object'
          ? 'a map/object'
          : `a ${typeof k}`;
  throw new DataError(
    `Record ${where(record)} has ${kind} key; only string and integer keys can be document ids. Pick one field with the ExtractField$Key transform, or set key.ignore=true.`,
    { code: 'ES_BAD_KEY' },
  );
}

function fieldOf(value: unknown, name: string): unknown {
  if (value instanceof Struct) return value.schema.fields?.some((f) => f.name === name) ? value.get(name) : undefined;
  if (value instanceof Map) return value.get(name);
  if (typeof value === 'object' && value !== null) return (value as Record<string, unknown>)[name];
  return undefined;
}

export function where(record: SinkRecord): string {
  return `${record.originalTopic}-${record.originalKafkaPartition}@${record.originalKafkaOffset}`;
}
