import {
  SchemaBuilder,
  Schemas,
  Struct,
  TimestampType,
  type Header,
  type SourceOffset,
  type SourcePartition,
  type SourceRecord,
} from '@tributary/connect-api';
import type { Received } from './receive-queue.js';
import { parseSyslog, type SyslogMessage } from './syslog-parser.js';

const SD_ELEMENT_SCHEMA = SchemaBuilder.struct()
  .name('io.tributary.connect.syslog.StructuredDataElement')
  .field('id', Schemas.STRING)
  .field('params', SchemaBuilder.map(Schemas.STRING, Schemas.STRING).build())
  .build();

/**
 * The record value. The first eight fields are those of jcustenborder's `SyslogValue` (the brief's
 * example record); then the RFC 5424 header fields, the format, the raw text and the parse marker.
 */
export const VALUE_SCHEMA = SchemaBuilder.struct()
  .name('io.tributary.connect.syslog.SyslogValue')
  .version(1)
  .field('date', TimestampType.builder().optional().build())
  .field('facility', Schemas.OPTIONAL_INT32)
  .field('host', Schemas.OPTIONAL_STRING)
  .field('level', Schemas.OPTIONAL_INT32)
  .field('message', Schemas.OPTIONAL_STRING)
  .field('charset', Schemas.OPTIONAL_STRING)
  .field('remote_address', Schemas.OPTIONAL_STRING)
  .field('hostname', Schemas.OPTIONAL_STRING)
  .field('version', Schemas.OPTIONAL_INT32)
  .field('app_name', Schemas.OPTIONAL_STRING)
  .field('proc_id', Schemas.OPTIONAL_STRING)
  .field('msg_id', Schemas.OPTIONAL_STRING)
  .field('structured_data', SchemaBuilder.array(SD_ELEMENT_SCHEMA).optional().build())
  .field('type', Schemas.STRING)
  .field('raw', Schemas.STRING)
  .field('parse_error', Schemas.OPTIONAL_STRING)
  .build();

export const KEY_SCHEMA = Schemas.OPTIONAL_STRING;

export interface RecordOptions {
  topic: string;
  sourcePartition: SourcePartition;
  /** Where records that did not parse go instead of `topic`; null keeps them in `topic`. */
  deadLetterTopic: string | null;
  connector: string;
}

/** Decodes, parses and shapes one received message. Never throws. */
export function toSourceRecord(
  r: Received,
  hostname: string | null,
  offset: SourceOffset,
  opts: RecordOptions,
): SourceRecord {
  const text = r.text;
  const m: SyslogMessage = parseSyslog(text, r.receivedAt);
  const error = r.frameError && m.error ? `${r.frameError}; ${m.error}` : (r.frameError ?? m.error);

  const v = new Struct(VALUE_SCHEMA)
    .put('date', m.date)
    .put('facility', m.facility)
    .put('host', m.host)
    .put('level', m.level)
    .put('message', m.message)
    .put('charset', 'UTF-8')
    .put('remote_address', r.remoteAddress)
    .put('hostname', hostname)
    .put('version', m.version)
    .put('app_name', m.appName)
    .put('proc_id', m.procId)
    .put('msg_id', m.msgId)
    .put(
      'structured_data',
      m.structuredData === null
        ? null
        : m.structuredData.map((e) => new Struct(SD_ELEMENT_SCHEMA).put('id', e.id).put('params', e.params)),
    )
    .put('type', m.format)
    .put('raw', text)
    .put('parse_error', error);

  const dead = error !== null && m.error !== null && opts.deadLetterTopic !== null;
  const headers: Header[] = dead
    ? [
        { key: '__connect.errors.connector.name', schema: Schemas.STRING, value: opts.connector },
        { key: '__connect.errors.stage', schema: Schemas.STRING, value: 'TASK_POLL' },
        { key: '__connect.errors.exception.message', schema: Schemas.STRING, value: error },
      ]
    : [];
  return {
    topic: dead ? opts.deadLetterTopic! : opts.topic,
    keySchema: KEY_SCHEMA,
    // The sending host: the HOSTNAME it wrote, else its address (through a relay the address is the relay's).
    key: m.host ?? r.remoteIp,
    valueSchema: VALUE_SCHEMA,
    value: v,
    timestamp: r.receivedAt,
    headers,
    sourcePartition: opts.sourcePartition,
    sourceOffset: offset,
  };
}
