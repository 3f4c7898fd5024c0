import {
  ConfigDef,
  ConnectError,
  SchemaBuilder,
  Schemas,
  Struct,
  schemaField,
  withRecord,
  type ConnectRecord,
  type Header,
  type Schema,
  type Transformation,
} from '@tributary/connect-api';
import { parseConfig } from '../util/config.js';
import { RegexRouter } from '../regex-router.js';
import { jsonSchema, jsonValue, parseJsonPayload, type NullBehavior } from './outbox-json.js';

const str = (name: string, dflt: string | null, doc: string) => ({
  name,
  type: 'STRING' as const,
  default: dflt,
  importance: 'LOW' as const,
  documentation: doc,
});

const CONFIG = new ConfigDef()
  .define(str('table.field.event.id', 'id', 'The column which contains the event ID within the outbox table.'))
  .define(str('table.field.event.key', 'aggregateid', 'The column which contains the event key (the record key).'))
  .define(str('table.field.event.type', 'type', 'The column which contains the event type within the outbox table.'))
  .define(
    str(
      'table.field.event.timestamp',
      null,
      "A column (Timestamp, MicroTimestamp or NanoTimestamp) to take the record's timestamp from instead of the event's ts_ms.",
    ),
  )
  .define(str('table.field.event.payload', 'payload', 'The column which contains the event payload.'))
  .define(
    str(
      'table.field.event.schema.version',
      null,
      'An INT32 column whose value becomes the version of the value schema.',
    ),
  )
  .define({
    name: 'table.fields.additional.placement',
    type: 'LIST',
    default: '',
    importance: 'HIGH',
    documentation:
      'Extra columns for the envelope, a header or the partition: `column:envelope|header|partition[:alias]`, comma-separated.',
    validator: (v, name) => {
      for (const entry of v as string[]) {
        const parts = entry.split(':');
        if (parts.length !== 2 && parts.length !== 3)
          return `Invalid value ${entry} for configuration ${name}: expected column:placement[:alias]`;
        if (!['envelope', 'header', 'partition'].includes(parts[1]!.trim().toLowerCase()))
          return `Invalid value ${entry} for configuration ${name}: placement must be envelope, header or partition`;
      }
      return undefined;
    },
  })
  .define({
    name: 'table.fields.additional.error.on.missing',
    type: 'BOOLEAN',
    default: true,
    importance: 'MEDIUM',
    documentation: 'Fail on an additional column the change event lacks (false: leave it out).',
  })
  .define(str('route.by.field', 'aggregatetype', 'The column whose value names the topic (`${routedByValue}`).'))
  .define(str('route.topic.regex', '(?<routedByValue>.*)', 'Regex applied to the route.by.field value.'))
  .define(
    str(
      'route.topic.replacement',
      'outbox.event.${routedByValue}',
      'The topic events are routed to; `${routedByValue}` is the value of route.by.field.',
    ),
  )
  .define({
    name: 'route.tombstone.on.empty.payload',
    type: 'BOOLEAN',
    default: false,
    importance: 'HIGH',
    documentation: 'Whether an empty or null payload becomes a tombstone.',
  })
  .define({
    name: 'table.op.invalid.behavior',
    type: 'STRING',
    default: 'warn',
    importance: 'MEDIUM',
    validValues: ['warn', 'error', 'fatal'],
    documentation: 'An update of an outbox row: skipped with a warning, skipped with an error logged, or fatal.',
  })
  .define({
    name: 'table.expand.json.payload',
    type: 'BOOLEAN',
    default: false,
    importance: 'MEDIUM',
    documentation:
      'Parse a JSON text payload into a Struct with an inferred schema (a payload that is not JSON stays text).',
  })
  .define({
    name: 'table.json.payload.null.behavior',
    type: 'STRING',
    default: 'ignore',
    importance: 'MEDIUM',
    validValues: ['ignore', 'optional_bytes'],
    documentation: 'Expanded JSON nulls: left out of the schema (ignore) or kept as optional bytes.',
  });

interface Additional {
  readonly field: string;
  readonly placement: 'envelope' | 'header' | 'partition';
  readonly alias: string;
}

/**
 * Debezium's outbox `EventRouter` (io.debezium.transforms.outbox.EventRouter): a change event of an outbox
 * table becomes the event it carries. The `after` row's payload column is the value (alone, or in a
 * `payload` field beside `envelope` columns), the event key column the key, the event id an `id` header;
 * the topic is `route.topic.replacement` with the route.by.field value. Creates and snapshot reads are routed,
 * deletes and tombstones dropped, updates skipped (table.op.invalid.behavior). Records that are not
 * change events (heartbeats, transaction metadata, plain records) pass unchanged, so it applies to any source.
 */
export class EventRouter implements Transformation {
  private eventId = 'id';
  private eventKey: string | null = 'aggregateid';
  private eventTimestamp: string | null = null;
  private payloadField = 'payload';
  private schemaVersion: string | null = null;
  private routeBy = 'aggregatetype';
  private additional: Additional[] = [];
  private errorOnMissing = true;
  private tombstoneOnEmpty = false;
  private onUpdate: 'warn' | 'error' | 'fatal' = 'warn';
  private expandJson = false;
  private nulls: NullBehavior = 'ignore';
  private onlyHeaders = true;
  private readonly router = new RegexRouter();
  /**
   * Value schemas as Debezium caches them: by payload schema, or by version under table.field.event.schema.version.
   * The name comes from the first record of each (so it names that record's route.by.field value).
   */
  private readonly valueSchemas = new Map<Schema | number | null, Schema>();

  config(): ConfigDef {
    return CONFIG;
  }

  configure(props: Record<string, string>): void {
    const c = parseConfig(CONFIG, props);
    this.eventId = c.string('table.field.event.id');
    this.eventKey = c.optionalString('table.field.event.key');
    this.eventTimestamp = c.optionalString('table.field.event.timestamp');
    this.payloadField = c.string('table.field.event.payload');
    this.schemaVersion = c.optionalString('table.field.event.schema.version');
    this.routeBy = c.string('route.by.field');
    this.additional = c.list('table.fields.additional.placement').map((e) => {
      const [field, placement, alias] = e.split(':').map((s) => s.trim()) as [string, string, string | undefined];
      return { field, placement: placement.toLowerCase() as Additional['placement'], alias: alias ?? field };
    });
    this.errorOnMissing = c.bool('table.fields.additional.error.on.missing');
    this.tombstoneOnEmpty = c.bool('route.tombstone.on.empty.payload');
    this.onUpdate = c.string('table.op.invalid.behavior') as 'warn';
    this.expandJson = c.bool('table.expand.json.payload');
    this.nulls = c.string('table.json.payload.null.behavior') as NullBehavior;
    this.onlyHeaders = !this.additional.some((a) => a.placement === 'envelope');
    this.router.configure({ regex: c.string('route.topic.regex'), replacement: c.string('route.topic.replacement') });
    this.valueSchemas.clear();
  }

  apply<R extends ConnectRecord>(record: R): R | null {
    if (record.value === null || record.value === undefined) return null;
    const envelope = record.value;
    // Debezium's test: a Struct whose schema is named *.Envelope; anything else passes unchanged.
    if (!(envelope instanceof Struct) || !envelope.schema.name?.endsWith('.Envelope')) return record;
    const op = envelope.get('op');
    if (op === 'd') return null;
    if (op === 'u') {
      const msg = `Unexpected update message received ${JSON.stringify(String(record.key))} and ignored`;
      if (this.onUpdate === 'fatal')
        throw new ConnectError(`Unexpected update message received ${String(record.key)}, fail.`);
      if (this.onUpdate === 'error') console.error(`EventRouter: ${msg}`);
      else console.warn(`EventRouter: ${msg}`);
      return null;
    }
    const row = envelope.get('after');
    if (!(row instanceof Struct))
      throw new ConnectError(`Read Outbox Event: the change event of topic ${record.topic} has no after struct`);
    const rowSchema = row.schema;
    const payloadSchemaField = schemaField(rowSchema, this.payloadField);
    if (!payloadSchemaField) throw new ConnectError(`Unable to find payload field ${this.payloadField} in event`);
    const idField = schemaField(rowSchema, this.eventId);
    if (!idField) throw new ConnectError(`Unable to find event-id field ${this.eventId} in event`);
    let payloadSchema = payloadSchemaField.schema;
    let payload = row.get(this.payloadField);
    const headers: Header[] = [...record.headers, { key: 'id', schema: idField.schema, value: row.get(this.eventId) }];

    if (this.expandJson) {
      if (typeof payload !== 'string')
        console.warn('EventRouter: expand JSON payload is on but the payload is not text');
      else {
        try {
          const doc = parseJsonPayload(payload);
          const s = jsonSchema(this.payloadField, doc, this.nulls);
          if (s) {
            payload = jsonValue(doc, s);
            payloadSchema = s;
          }
        } catch (err) {
          console.warn(`EventRouter: JSON expansion failed: ${(err as Error).message}`);
        }
      }
    }

    if (!schemaField(rowSchema, this.routeBy))
      throw new ConnectError(`Unable to find route.by.field column ${this.routeBy} in event`);
    const routedBy = row.get(this.routeBy);
    if (typeof routedBy !== 'string')
      throw new ConnectError(`The route.by.field column ${this.routeBy} of the outbox event is not a string`);
    const version = this.schemaVersion === null ? null : (row.get(this.schemaVersion) as number | null);
    const valueSchema = this.onlyHeaders ? null : this.valueSchema(payloadSchema, rowSchema, routedBy, version);
    const value = valueSchema ? new Struct(valueSchema).put('payload', payload) : null;
    let partition = record.kafkaPartition;
    for (const a of this.additional) {
      const f = schemaField(rowSchema, a.field);
      if (!f) {
        if (!this.errorOnMissing) continue;
        throw new ConnectError(`The additional field ${a.field} is not a column of the outbox event`);
      }
      if (a.placement === 'envelope') value!.put(a.alias, row.get(a.field));
      else if (a.placement === 'header') headers.push({ key: a.alias, schema: f.schema, value: row.get(a.field) });
      else partition = row.get(a.field) as number | undefined;
    }
    const empty = payload === null || payload === undefined || String(payload).trim() === '';
    const [outSchema, outValue] =
      empty && this.tombstoneOnEmpty
        ? [null, null]
        : this.onlyHeaders
          ? [payloadSchema, payload]
          : [valueSchema, value];
    const keyField = this.eventKey === null ? undefined : schemaField(rowSchema, this.eventKey);
    if (this.eventKey !== null && !keyField)
      throw new ConnectError(`Unable to find event key field ${this.eventKey} in event`);
    const routed = withRecord(record, {
      topic: routedBy,
      kafkaPartition: partition,
      keySchema: keyField ? keyField.schema : Schemas.STRING,
      key: keyField ? (row.get(this.eventKey!) ?? null) : null,
      valueSchema: outSchema,
      value: outValue,
      timestamp: this.timestamp(envelope, row),
      headers,
    });
    return this.router.apply(routed);
  }

  private timestamp(envelope: Struct, row: Struct): number | undefined {
    const fallback = () => {
      const ts = envelope.get('ts_ms');
      return typeof ts === 'number' ? ts : typeof ts === 'bigint' ? Number(ts) : undefined;
    };
    if (this.eventTimestamp === null) return fallback();
    const f = schemaField(row.schema, this.eventTimestamp);
    if (!f) throw new ConnectError(`Unable to find timestamp field ${this.eventTimestamp} in event`);
    const v = row.get(this.eventTimestamp);
    if (v === null || v === undefined) return fallback();
    const n = v instanceof Date ? v.getTime() : Number(v);
    switch (f.schema.name) {
      case 'io.debezium.time.Timestamp':
      case 'org.apache.kafka.connect.data.Timestamp':
        return n;
      case 'io.debezium.time.MicroTimestamp':
        return Math.floor(n / 1000);
      case 'io.debezium.time.NanoTimestamp':
        return Math.floor(n / 1_000_000);
      default:
        throw new ConnectError(
          `Unsupported field type ${f.schema.name ?? f.schema.type} for event timestamp (column ${this.eventTimestamp})`,
        );
    }
  }

  /** `<namespace>.<routed>.<Name>` from the row schema's name, with `payload` and the envelope columns. */
  private valueSchema(payloadSchema: Schema, rowSchema: Schema, routedBy: string, version: number | null): Schema {
    const cacheKey = this.schemaVersion === null ? payloadSchema : version;
    let s = this.valueSchemas.get(cacheKey);
    if (s) return s;
    const original = rowSchema.name;
    const dot = original?.lastIndexOf('.') ?? -1;
    const name =
      original === undefined || original === null
        ? routedBy
        : dot >= 0
          ? `${original.slice(0, dot + 1)}${routedBy}.${original.slice(dot + 1)}`
          : `${routedBy}.${original}`;
    const b = SchemaBuilder.struct().name(name).field('payload', payloadSchema);
    for (const a of this.additional) {
      const f = schemaField(rowSchema, a.field);
      if (a.placement === 'envelope' && f) b.field(a.alias, f.schema);
    }
    if (version !== null) b.version(version);
    s = b.build();
    this.valueSchemas.set(cacheKey, s);
    return s;
  }
}
