import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SchemaBuilder, Schemas, Struct, type Transformation } from '@tributary/connect-api';
import { plugins } from '../index.js';
import { configured, sourceRecord } from '../test-helpers.js';
import { ExtractNewRecordState } from './extract-new-record-state.js';

// The shapes Debezium's PostgreSQL connector emits for asgard.public.customers (reference/sources.md A.3).
const ROW = SchemaBuilder.struct()
  .name('asgard.public.customers.Value')
  .optional()
  .field('id', Schemas.INT32)
  .field('first_name', Schemas.OPTIONAL_STRING)
  .build();
const SOURCE = SchemaBuilder.struct()
  .name('io.debezium.connector.postgresql.Source')
  .field('version', Schemas.STRING)
  .field('connector', Schemas.STRING)
  .field('name', Schemas.STRING)
  .field('ts_ms', Schemas.INT64)
  .field('db', Schemas.STRING)
  .field('schema', Schemas.STRING)
  .field('table', Schemas.STRING)
  .field('lsn', Schemas.OPTIONAL_INT64)
  .build();
const ENVELOPE = SchemaBuilder.struct()
  .name('asgard.public.customers.Envelope')
  .field('before', ROW)
  .field('after', ROW)
  .field('source', SOURCE)
  .field('op', Schemas.STRING)
  .field('ts_ms', Schemas.OPTIONAL_INT64)
  .build();

function row(id: number, name: string): Struct {
  return new Struct(ROW).put('id', id).put('first_name', name);
}

function event(op: string, before: Struct | null, after: Struct | null): Struct {
  const source = new Struct(SOURCE)
    .put('version', '2.7.0')
    .put('connector', 'postgresql')
    .put('name', 'asgard')
    .put('ts_ms', 1700000000000)
    .put('db', 'demo')
    .put('schema', 'public')
    .put('table', 'customers')
    .put('lsn', 24023128);
  return new Struct(ENVELOPE)
    .put('before', before)
    .put('after', after)
    .put('source', source)
    .put('op', op)
    .put('ts_ms', 1700000000500);
}

const record = (value: Struct | null) =>
  sourceRecord({ topic: 'asgard.public.customers', valueSchema: value ? ENVELOPE : null, value });
const unwrap = (props: Record<string, string> = {}) => configured(new ExtractNewRecordState(), props);

describe('ExtractNewRecordState', () => {
  it('replaces the envelope with the after row', () => {
    const out = unwrap().apply(record(event('c', null, row(1, 'Rick'))))!;
    assert.equal(out.valueSchema, ROW);
    assert.deepEqual((out.value as Struct).toJSON(), { id: 1, first_name: 'Rick' });
  });

  it('drops deletes and tombstones by default', () => {
    assert.equal(unwrap().apply(record(event('d', row(1, 'Rick'), null))), null);
    assert.equal(unwrap().apply(record(null)), null);
  });

  it('keeps tombstones with drop.tombstones=false and null-values deletes with delete.handling.mode=none', () => {
    const t = unwrap({ 'drop.tombstones': 'false', 'delete.handling.mode': 'none' });
    const tomb = record(null);
    assert.equal(t.apply(tomb), tomb);
    const del = t.apply(record(event('d', row(1, 'Rick'), null)))!;
    assert.equal(del.value, null);
    assert.equal(del.valueSchema, ROW);
  });

  it('rewrites deletes as the before row with __deleted, and marks every other row', () => {
    const t = unwrap({ 'delete.handling.mode': 'rewrite' });
    const del = t.apply(record(event('d', row(1, 'Rick'), null)))!;
    assert.deepEqual((del.value as Struct).toJSON(), { id: 1, first_name: 'Rick', __deleted: 'true' });
    const upd = t.apply(record(event('u', row(1, 'Rick'), row(1, 'Morty'))))!;
    assert.deepEqual((upd.value as Struct).toJSON(), { id: 1, first_name: 'Morty', __deleted: 'false' });
    assert.equal(del.valueSchema, upd.valueSchema);
    assert.equal(upd.valueSchema!.name, 'asgard.public.customers.Value');
  });

  it('follows delete.tombstone.handling.mode', () => {
    const d = () => record(event('d', row(1, 'Rick'), null));
    assert.equal(unwrap({ 'delete.tombstone.handling.mode': 'tombstone' }).apply(d())!.value, null);
    assert.equal(unwrap({ 'delete.tombstone.handling.mode': 'tombstone' }).apply(record(null)), null);
    const tomb = unwrap({ 'delete.tombstone.handling.mode': 'delete-to-tombstone' }).apply(d())!;
    assert.equal(tomb.value, null);
    assert.equal(tomb.valueSchema, null);
    const keep = record(null);
    assert.equal(unwrap({ 'delete.tombstone.handling.mode': 'rewrite-with-tombstone' }).apply(keep), keep);
    assert.equal(unwrap({ 'delete.tombstone.handling.mode': 'drop' }).apply(d()), null);
  });

  it('adds envelope fields and headers with prefixes', () => {
    const t = unwrap({
      'add.fields': 'op,table,lsn,source.ts_ms',
      'add.headers': 'db,op:operation',
      'add.headers.prefix': 'dbz.',
    });
    const out = t.apply(record(event('u', row(1, 'Rick'), row(1, 'Morty'))))!;
    assert.deepEqual((out.value as Struct).toJSON(), {
      id: 1,
      first_name: 'Morty',
      __op: 'u',
      __table: 'customers',
      __lsn: 24023128,
      __source_ts_ms: 1700000000000,
    });
    assert.ok(out.valueSchema!.fields!.slice(2).every((f) => f.schema.optional));
    assert.deepEqual(
      out.headers.map((h) => [h.key, h.value]),
      [
        ['dbz.db', 'demo'],
        ['dbz.operation', 'u'],
      ],
    );
  });

  it('unwraps schemaless envelopes too', () => {
    const t = unwrap({ 'add.fields': 'op' });
    const out = t.apply(
      sourceRecord({ value: { before: null, after: { id: 1 }, source: { table: 't' }, op: 'r', ts_ms: 1 } }),
    )!;
    assert.deepEqual(out.value, { id: 1, __op: 'r' });
  });

  it('passes records that are not change events', () => {
    const heartbeat = sourceRecord({ value: { ts_ms: 1 } });
    assert.equal(unwrap().apply(heartbeat), heartbeat);
  });

  it('routes by a row field', () => {
    const out = unwrap({ 'route.by.field': 'first_name' }).apply(record(event('c', null, row(1, 'Rick'))))!;
    assert.equal(out.topic, 'Rick');
  });
});

/** The transform chain of examples/cdc-customers-transforms.json, built through the plugin registry's names. */
describe('the cdc-customers transform chain', () => {
  const config: Record<string, string> = {
    transforms: 'unwrap,InsertTopic,InsertSourceDetails',
    'transforms.unwrap.type': 'io.debezium.transforms.UnwrapFromEnvelope',
    'transforms.InsertTopic.type': 'org.apache.kafka.connect.transforms.InsertField$Value',
    'transforms.InsertTopic.topic.field': 'messagetopic',
    'transforms.InsertSourceDetails.type': 'org.apache.kafka.connect.transforms.InsertField$Value',
    'transforms.InsertSourceDetails.static.field': 'messagesource',
    'transforms.InsertSourceDetails.static.value': 'Debezium CDC from PostgreSQL on asgard',
  };

  function chain(): Transformation[] {
    return config.transforms!.split(',').map((alias) => {
      const type = config[`transforms.${alias}.type`]!;
      const plugin = plugins.find((p) => p.class === type || p.aliases?.includes(type));
      assert.ok(plugin && plugin.type === 'transformation', type);
      const t = plugin.create() as Transformation;
      const prefix = `transforms.${alias}.`;
      t.configure(
        Object.fromEntries(
          Object.entries(config)
            .filter(([k]) => k.startsWith(prefix) && k !== `${prefix}type`)
            .map(([k, v]) => [k.slice(prefix.length), v]),
        ),
      );
      return t;
    });
  }

  it('unwraps, then adds the topic and the static source', () => {
    const ts = chain();
    const run = (r: ReturnType<typeof record>) =>
      ts.reduce<ReturnType<typeof record> | null>((acc, t) => (acc === null ? null : t.apply(acc)), r);
    const out = run(record(event('c', null, row(1, 'Rick'))))!;
    assert.deepEqual((out.value as Struct).toJSON(), {
      id: 1,
      first_name: 'Rick',
      messagetopic: 'asgard.public.customers',
      messagesource: 'Debezium CDC from PostgreSQL on asgard',
    });
    assert.deepEqual(
      out.valueSchema!.fields!.map((f) => f.name),
      ['id', 'first_name', 'messagetopic', 'messagesource'],
    );
    assert.equal(out.valueSchema!.name, 'asgard.public.customers.Value');
    assert.equal(run(record(event('d', row(1, 'Rick'), null))), null);
    assert.equal(run(record(null)), null);
  });
});
