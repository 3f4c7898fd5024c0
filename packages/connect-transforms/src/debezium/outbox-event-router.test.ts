import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SchemaBuilder, Schemas, Struct } from '@tributary/connect-api';
import { plugins } from '../index.js';
import { configured, sourceRecord } from '../test-helpers.js';
import { EventRouter } from './outbox-event-router.js';

// The outbox table of Debezium's documentation (id uuid, aggregatetype, aggregateid, type, payload jsonb) as
// the PostgreSQL connector emits it, plus a timestamp and a version column for the optional keys.
const JSON_SCHEMA = SchemaBuilder.string().name('io.debezium.data.Json').version(1).build();
const ROW = SchemaBuilder.struct()
  .name('app.public.outbox.Value')
  .optional()
  .field('id', SchemaBuilder.string().name('io.debezium.data.Uuid').version(1).build())
  .field('aggregatetype', Schemas.STRING)
  .field('aggregateid', Schemas.STRING)
  .field('type', Schemas.STRING)
  .field('payload', SchemaBuilder.string().name('io.debezium.data.Json').version(1).optional().build())
  .field('created', SchemaBuilder.int64().name('io.debezium.time.MicroTimestamp').version(1).optional().build())
  .field('ver', Schemas.OPTIONAL_INT32)
  .build();
const ENVELOPE = SchemaBuilder.struct()
  .name('app.public.outbox.Envelope')
  .field('before', ROW)
  .field('after', ROW)
  .field('op', Schemas.STRING)
  .field('ts_ms', Schemas.OPTIONAL_INT64)
  .build();

function outboxRow(type: string, id: string, payload: string | null, extra: Partial<Record<string, unknown>> = {}) {
  const r = new Struct(ROW)
    .put('id', `0000000${id}-0000-0000-0000-000000000000`)
    .put('aggregatetype', type)
    .put('aggregateid', id)
    .put('type', `${type}Created`)
    .put('payload', payload);
  for (const [k, v] of Object.entries(extra)) r.put(k, v);
  return r;
}

function change(op: string, row: Struct | null, tsMs = 1_700_000_000_123) {
  const value = new Struct(ENVELOPE)
    .put('before', op === 'd' ? row : null)
    .put('after', op === 'd' ? null : row)
    .put('op', op)
    .put('ts_ms', tsMs);
  return sourceRecord({ topic: 'app.public.outbox', valueSchema: ENVELOPE, value });
}

const router = (props: Record<string, string> = {}) => configured(new EventRouter(), props);

describe('EventRouter (io.debezium.transforms.outbox.EventRouter)', () => {
  it('routes a create to outbox.event.<aggregatetype>: payload as value, aggregateid as key, id header', () => {
    const out = router().apply(change('c', outboxRow('order', '1', '{"total": 3}')))!;
    assert.equal(out.topic, 'outbox.event.order');
    assert.equal(out.key, '1');
    assert.equal(out.keySchema, ROW.fields!.find((f) => f.name === 'aggregateid')!.schema);
    assert.equal(out.value, '{"total": 3}');
    assert.equal(out.valueSchema!.name, JSON_SCHEMA.name);
    assert.equal(out.timestamp, 1_700_000_000_123);
    assert.deepEqual(
      out.headers.map((h) => [h.key, h.value]),
      [['id', '00000001-0000-0000-0000-000000000000']],
    );
  });

  it('routes snapshot reads, drops deletes and tombstones, skips updates (fatal when asked)', () => {
    const r = router();
    assert.equal(r.apply(change('r', outboxRow('order', '1', '{}')))!.topic, 'outbox.event.order');
    assert.equal(r.apply(change('d', outboxRow('order', '1', '{}'))), null);
    assert.equal(r.apply(sourceRecord({ topic: 'app.public.outbox', value: null })), null);
    const warn = console.warn;
    console.warn = () => {};
    try {
      assert.equal(r.apply(change('u', outboxRow('order', '1', '{}'))), null);
    } finally {
      console.warn = warn;
    }
    assert.throws(() => router({ 'table.op.invalid.behavior': 'fatal' }).apply(change('u', outboxRow('o', '1', '{}'))));
  });

  it('passes records that are not change events unchanged', () => {
    const plain = sourceRecord({ topic: 'x', valueSchema: Schemas.STRING, value: 'hello' });
    assert.equal(router().apply(plain), plain);
    const heartbeat = SchemaBuilder.struct()
      .name('io.debezium.connector.common.Heartbeat')
      .field('ts_ms', Schemas.INT64);
    const hb = sourceRecord({ valueSchema: heartbeat.build(), value: new Struct(heartbeat.build()).put('ts_ms', 1) });
    assert.equal(router().apply(hb), hb);
  });

  it('route.topic.regex/replacement, route.by.field and table.field.event.key', () => {
    const out = router({
      'route.by.field': 'type',
      'route.topic.regex': '(?<routedByValue>.*)Created',
      'route.topic.replacement': 'events.${routedByValue}',
      'table.field.event.key': 'id',
    }).apply(change('c', outboxRow('customer', '7', '{}')))!;
    assert.equal(out.topic, 'events.customer');
    assert.equal(out.key, '00000007-0000-0000-0000-000000000000');
  });

  it('additional placement: envelope columns beside payload, headers with aliases, partition', () => {
    const out = router({
      'table.fields.additional.placement': 'type:envelope:eventType,aggregateid:header:aggId,ver:partition',
    }).apply(change('c', outboxRow('order', '2', '{"a":1}', { ver: 3 })))!;
    assert.equal(out.valueSchema!.name, 'app.public.outbox.order.Value');
    assert.deepEqual(
      out.valueSchema!.fields!.map((f) => f.name),
      ['payload', 'eventType'],
    );
    const v = out.value as Struct;
    assert.equal(v.get('payload'), '{"a":1}');
    assert.equal(v.get('eventType'), 'orderCreated');
    assert.deepEqual(
      out.headers.map((h) => [h.key, h.value]),
      [
        ['id', '00000002-0000-0000-0000-000000000000'],
        ['aggId', '2'],
      ],
    );
    assert.equal(out.kafkaPartition, 3);
  });

  it('table.field.event.timestamp (MicroTimestamp) and table.field.event.schema.version', () => {
    const out = router({
      'table.field.event.timestamp': 'created',
      'table.field.event.schema.version': 'ver',
      'table.fields.additional.placement': 'type:envelope',
    }).apply(change('c', outboxRow('order', '3', '{}', { created: 1_600_000_000_000_456, ver: 4 })))!;
    assert.equal(out.timestamp, 1_600_000_000_000);
    assert.equal(out.valueSchema!.version, 4);
  });

  it('route.tombstone.on.empty.payload turns an empty payload into a tombstone on the routed topic', () => {
    const out = router({ 'route.tombstone.on.empty.payload': 'true' }).apply(
      change('c', outboxRow('order', '4', null)),
    )!;
    assert.equal(out.topic, 'outbox.event.order');
    assert.equal(out.key, '4');
    assert.equal(out.value, null);
    assert.equal(out.valueSchema, null);
  });

  it('table.expand.json.payload infers a struct: int32/int64/float64, nested structs, arrays; nulls left out', () => {
    const payload =
      '{"n": 1, "big": 9007199254740993, "f": 1.5, "s": "x", "ok": true, "none": null, "tags": ["a"], "addr": {"city": "Oslo"}, "lines": [{"q": 1}, {"q": 2, "sku": "k"}]}';
    const out = router({ 'table.expand.json.payload': 'true' }).apply(change('c', outboxRow('order', '5', payload)))!;
    const s = out.valueSchema!;
    assert.equal(s.name, 'payload');
    const types = Object.fromEntries(s.fields!.map((f) => [f.name, f.schema.type]));
    assert.deepEqual(types, {
      n: 'INT32',
      big: 'INT64',
      f: 'FLOAT64',
      s: 'STRING',
      ok: 'BOOLEAN',
      tags: 'ARRAY',
      addr: 'STRUCT',
      lines: 'ARRAY',
    });
    const v = out.value as Struct;
    assert.equal(v.get('big'), 9007199254740993n);
    assert.equal((v.get('addr') as Struct).get('city'), 'Oslo');
    assert.equal((v.get('addr') as Struct).schema.name, 'payload.addr');
    const lines = v.get('lines') as Struct[];
    assert.deepEqual(
      lines[1]!.schema.fields!.map((f) => f.name),
      ['q', 'sku'],
    );
    assert.equal(lines[0]!.get('sku') ?? null, null);
    // Not JSON: the text stays.
    const warn = console.warn;
    console.warn = () => {};
    try {
      const plain = router({ 'table.expand.json.payload': 'true' }).apply(change('c', outboxRow('o', '6', 'plain')))!;
      assert.equal(plain.value, 'plain');
    } finally {
      console.warn = warn;
    }
  });

  it('a missing payload or route column is a clear error; bad placement is refused at configure', () => {
    assert.throws(
      () => router({ 'table.field.event.payload': 'body' }).apply(change('c', outboxRow('o', '1', '{}'))),
      /Unable to find payload field body/,
    );
    assert.throws(
      () => router({ 'route.by.field': 'kind' }).apply(change('c', outboxRow('o', '1', '{}'))),
      /route.by.field column kind/,
    );
    assert.throws(() => router({ 'table.fields.additional.placement': 'type:body' }), /placement must be/);
  });

  it('is registered under the Debezium class name', () => {
    const p = plugins.find((x) => x.class === 'io.debezium.transforms.outbox.EventRouter');
    assert.ok(p && p.create() instanceof EventRouter);
  });
});
