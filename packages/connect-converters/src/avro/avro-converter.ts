import avro from 'avsc';
import {
  ConfigDef,
  DataError,
  RetriableError,
  type Converter,
  type Schema,
  type SchemaAndValue,
} from '@tributary/connect-api';
import { asBuffer, converterTypeKey } from '../common.js';
import { fromConnectSchema, toConnectSchema, type AvroSchema } from './avro-schema.js';
import { fromAvroValue, toAvroValue } from './avro-values.js';
import { HttpSchemaRegistry, type SchemaRegistry } from './schema-registry-client.js';
import { subjectName } from './subject-names.js';

/** The keys of Confluent's AvroConverter (`AbstractKafkaSchemaSerDeConfig` + `AvroDataConfig`) we honour. */
export const AVRO_CONVERTER_CONFIG = new ConfigDef()
  .define({
    name: 'schema.registry.url',
    type: 'LIST',
    importance: 'HIGH',
    documentation:
      "Comma-separated URLs of the schema registry (a Confluent-compatible API, e.g. Apicurio's /apis/ccompat/v7). Tried in turn when one is unreachable.",
  })
  .define({
    name: 'auto.register.schemas',
    type: 'BOOLEAN',
    default: true,
    importance: 'MEDIUM',
    documentation: 'Register the schema of a record under its subject when the registry does not know it yet.',
  })
  .define({
    name: 'use.latest.version',
    type: 'BOOLEAN',
    default: false,
    importance: 'LOW',
    documentation:
      "Write with the latest registered schema of the subject instead of the record's own (meant for auto.register.schemas=false).",
  })
  .define({
    name: 'key.subject.name.strategy',
    type: 'CLASS',
    default: 'io.confluent.kafka.serializers.subject.TopicNameStrategy',
    importance: 'MEDIUM',
    documentation:
      "How the subject of a key schema is named: TopicNameStrategy (<topic>-key), RecordNameStrategy (the record's full name) or TopicRecordNameStrategy (<topic>-<record name>).",
  })
  .define({
    name: 'value.subject.name.strategy',
    type: 'CLASS',
    default: 'io.confluent.kafka.serializers.subject.TopicNameStrategy',
    importance: 'MEDIUM',
    documentation:
      'How the subject of a value schema is named (see key.subject.name.strategy; TopicNameStrategy gives <topic>-value).',
  })
  .define({
    name: 'basic.auth.credentials.source',
    type: 'STRING',
    default: 'URL',
    importance: 'MEDIUM',
    validValues: ['URL', 'USER_INFO', 'SASL_INHERIT'],
    documentation:
      "Where the registry's basic-auth credentials come from: USER_INFO (basic.auth.user.info) or URL (user:password@ in schema.registry.url).",
  })
  .define({
    name: 'basic.auth.user.info',
    type: 'PASSWORD',
    default: null,
    importance: 'MEDIUM',
    aliases: ['schema.registry.basic.auth.user.info'],
    documentation: 'user:password for the registry when basic.auth.credentials.source=USER_INFO.',
  })
  .define({
    name: 'connect.meta.data',
    type: 'BOOLEAN',
    default: true,
    importance: 'LOW',
    documentation:
      'Accepted for compatibility; Connect metadata (connect.name, connect.version, connect.parameters…) is always written.',
  })
  .define({
    name: 'schemas.cache.config',
    type: 'INT',
    default: 1000,
    importance: 'LOW',
    documentation: 'Accepted for compatibility; schemas are cached per registry for the life of the worker.',
  })
  .define(converterTypeKey());

const MAGIC = 0;
const HEADER = 5;

interface Writer {
  id: number;
  type: avro.Type;
}
interface Reader {
  type: avro.Type;
  schema: Schema;
}

/**
 * What is known of one registry, shared by every converter that talks to it (keys and values of every
 * task): an id once fetched never changes, so a restarted task need not ask again.
 */
interface RegistryState {
  client: SchemaRegistry;
  writers: Map<string, Writer>;
  readers: Map<number, Reader>;
  pending: Map<string, Promise<void>>;
}
const registries = new Map<string, RegistryState>();

/**
 * Confluent's `io.confluent.connect.avro.AvroConverter`: Confluent's wire format (magic byte 0, the
 * 4-byte big-endian schema id, then Avro binary) with schemas kept in a Confluent-compatible registry,
 * and Connect schemas mapped to Avro as Confluent's AvroData does.
 *
 * Registry calls are asynchronous while `fromConnectData`/`toConnectData` are not: the runtime calls
 * `prepareFromConnectData`/`prepareToConnectData` first and awaits them only when they return a
 * promise (a schema not seen before). Without that, the first record of an unknown schema throws a
 * RetriableError and starts the lookup, so the next attempt succeeds.
 */
export class AvroConverter implements Converter {
  private state!: RegistryState;
  private isKey = false;
  private autoRegister = true;
  private useLatest = false;
  private strategy = 'TopicNameStrategy';
  /** Avro form of each Connect schema seen, per schema object (schemas are immutable). */
  private readonly avroOf = new WeakMap<Schema, { text: string; type: avro.Type }>();

  /** `registry` replaces the HTTP client (tests). */
  constructor(private readonly registry?: SchemaRegistry) {}

  config(): ConfigDef {
    return AVRO_CONVERTER_CONFIG;
  }

  configure(config: Record<string, string>, isKey: boolean): void {
    const c = AVRO_CONVERTER_CONFIG.parse(config);
    this.isKey = isKey;
    this.autoRegister = c.bool('auto.register.schemas');
    this.useLatest = c.bool('use.latest.version');
    this.strategy = c.string(isKey ? 'key.subject.name.strategy' : 'value.subject.name.strategy');
    subjectName(this.strategy, 'check', isKey, null); // fails now on an unknown strategy
    let urls = c.list('schema.registry.url');
    let userInfo = c.password('basic.auth.user.info');
    const source = c.string('basic.auth.credentials.source').toUpperCase();
    if (source === 'URL') {
      // user:password@host in the URL: move it to a header so it never shows in URLs we log.
      userInfo = null;
      urls = urls.map((u) => {
        const url = new URL(u);
        if (url.username) userInfo = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
        url.username = '';
        url.password = '';
        return url.toString();
      });
    } else if (source !== 'USER_INFO') userInfo = null;
    if (this.registry) {
      this.state = { client: this.registry, writers: new Map(), readers: new Map(), pending: new Map() };
      return;
    }
    const key = `${urls.join(',')}\n${userInfo ?? ''}`;
    let st = registries.get(key);
    if (!st) {
      st = {
        client: new HttpSchemaRegistry({ urls, userInfo }),
        writers: new Map(),
        readers: new Map(),
        pending: new Map(),
      };
      registries.set(key, st);
    }
    this.state = st;
  }

  prepareFromConnectData(topic: string, schema: Schema | null | undefined, value: unknown): Promise<void> | undefined {
    if (value == null || schema == null) return undefined;
    const av = this.avroFor(schema);
    const subject = subjectName(this.strategy, topic, this.isKey, schema);
    const key = `${subject}\n${av.text}`;
    if (this.state.writers.has(key)) return undefined;
    return this.once(`w:${key}`, async () => {
      let writer: Writer;
      if (this.useLatest) {
        const latest = await this.state.client.latest(subject);
        writer = { id: latest.id, type: avroType(JSON.parse(latest.schema) as AvroSchema) };
      } else if (this.autoRegister) {
        writer = { id: await this.state.client.register(subject, av.text), type: av.type };
      } else {
        writer = { id: await this.state.client.lookup(subject, av.text), type: av.type };
      }
      this.state.writers.set(key, writer);
    });
  }

  fromConnectData(topic: string, schema: Schema | null | undefined, value: unknown): Uint8Array | null {
    if (value == null) return null;
    if (schema == null)
      throw new DataError(
        "AvroConverter needs a schema: the record has a value but no schema. Use a schema'd source or JsonConverter for schemaless data.",
      );
    const av = this.avroFor(schema);
    const subject = subjectName(this.strategy, topic, this.isKey, schema);
    const writer = this.state.writers.get(`${subject}\n${av.text}`);
    if (!writer)
      throw this.notReady(this.prepareFromConnectData(topic, schema, value), `the schema id for subject ${subject}`);
    const avroValue = toAvroValue(schema, value);
    let body: Buffer;
    try {
      body = writer.type.toBuffer(avroValue);
    } catch (err) {
      throw new DataError(`Failed to serialize Avro data for topic ${topic}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const out = Buffer.allocUnsafe(HEADER + body.length);
    out[0] = MAGIC;
    out.writeInt32BE(writer.id, 1);
    body.copy(out, HEADER);
    return out;
  }

  prepareToConnectData(_topic: string, bytes: Uint8Array | null): Promise<void> | undefined {
    if (bytes == null || bytes.length < HEADER || bytes[0] !== MAGIC) return undefined; // toConnectData reports it
    const id = asBuffer(bytes).readInt32BE(1);
    if (this.state.readers.has(id)) return undefined;
    return this.once(`r:${id}`, async () => {
      const text = await this.state.client.byId(id);
      const json = JSON.parse(text) as AvroSchema;
      this.state.readers.set(id, { type: avroType(json), schema: toConnectSchema(json) });
    });
  }

  toConnectData(topic: string, bytes: Uint8Array | null): SchemaAndValue {
    if (bytes == null) return { schema: null, value: null };
    const buf = asBuffer(bytes);
    if (buf.length < HEADER || buf[0] !== MAGIC) {
      throw new DataError(
        `Failed to deserialize Avro data from topic ${topic}: unknown magic byte (not Confluent wire format: magic byte 0 + 4-byte schema id)`,
      );
    }
    const id = buf.readInt32BE(1);
    const reader = this.state.readers.get(id);
    if (!reader) throw this.notReady(this.prepareToConnectData(topic, bytes), `schema id ${id}`);
    let decoded: unknown;
    try {
      decoded = reader.type.fromBuffer(buf.subarray(HEADER));
    } catch (err) {
      throw new DataError(
        `Failed to deserialize Avro data from topic ${topic} with schema id ${id}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    return { schema: reader.schema, value: fromAvroValue(reader.schema, decoded) };
  }

  private avroFor(schema: Schema): { text: string; type: avro.Type } {
    let av = this.avroOf.get(schema);
    if (!av) {
      const json = fromConnectSchema(schema);
      av = { text: JSON.stringify(json), type: avroType(json) };
      this.avroOf.set(schema, av);
    }
    return av;
  }

  /** One registry call per key at a time, however many records ask. */
  private once(key: string, fn: () => Promise<void>): Promise<void> {
    let p = this.state.pending.get(key);
    if (!p) {
      p = fn().finally(() => this.state.pending.delete(key));
      this.state.pending.set(key, p);
    }
    return p;
  }

  /** The error for a synchronous call that came before its prepare call finished. */
  private notReady(pending: Promise<void> | undefined, what: string): RetriableError {
    pending?.catch(() => {
      /* reported again by the next prepare or convert call */
    });
    return new RetriableError(
      `AvroConverter is fetching ${what} from the schema registry; try again (the runtime awaits prepareFromConnectData/prepareToConnectData to avoid this)`,
    );
  }
}

/** avsc reads longs beyond 2^53 as bigint instead of refusing them (Connect's INT64 allows both). */
const LONG = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => {
    const v = buf.readBigInt64LE(0);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  },
  toBuffer: (n: number | bigint) => {
    const b = Buffer.allocUnsafe(8);
    b.writeBigInt64LE(BigInt(n));
    return b;
  },
  fromJSON: (x: unknown) => x,
  toJSON: (n: number | bigint) => Number(n),
  isValid: (n: unknown) => (typeof n === 'number' && Number.isSafeInteger(n)) || typeof n === 'bigint',
  compare: (a: number | bigint, b: number | bigint) => (a < b ? -1 : a > b ? 1 : 0),
});

/** The avsc type for an Avro schema made by fromConnectSchema, with exact INT64 (see LONG). */
export function avroType(json: AvroSchema): avro.Type {
  try {
    return avro.Type.forSchema(json as avro.Schema, { registry: { long: LONG }, wrapUnions: 'auto' });
  } catch (err) {
    throw new DataError(`Not a valid Avro schema: ${(err as Error).message}`, { cause: err });
  }
}
