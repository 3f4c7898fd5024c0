import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DateType,
  Decimal,
  SchemaBuilder,
  Schemas,
  Struct,
  TimeType,
  TimestampType,
  isRetriable,
  type Schema,
} from '@tributary/connect-api';
import { AvroConverter } from './avro-converter.js';
import { fromConnectSchema, toConnectSchema } from './avro-schema.js';
import type { RegisteredSchema, SchemaRegistry } from './schema-registry-client.js';
import { plugins } from '../index.js';

/** An in-memory registry with Apicurio's behaviour: ids are per content, the same in every subject. */
class MemoryRegistry implements SchemaRegistry {
  readonly schemas: string[] = [];
  readonly subjects = new Map<string, number[]>();
  calls = 0;
  async register(subject: string, schema: string): Promise<number> {
    this.calls++;
    let id = this.schemas.indexOf(schema) + 1;
    if (id === 0) id = this.schemas.push(schema);
    const versions = this.subjects.get(subject) ?? [];
    if (!versions.includes(id)) versions.push(id);
    this.subjects.set(subject, versions);
    return id;
  }
  async lookup(subject: string, schema: string): Promise<number> {
    this.calls++;
    const id = this.schemas.indexOf(schema) + 1;
    if (id === 0 || !this.subjects.get(subject)?.includes(id)) throw new Error('Schema not found (40403)');
    return id;
  }
  async latest(subject: string): Promise<RegisteredSchema> {
    const v = this.subjects.get(subject);
    if (!v) throw new Error('Subject not found');
    const id = v[v.length - 1]!;
    return { id, schema: this.schemas[id - 1]!, version: v.length };
  }
  async byId(id: number): Promise<string> {
    this.calls++;
    return this.schemas[id - 1]!;
  }
}

const ADDRESS = SchemaBuilder.struct()
  .name('com.example.Address')
  .field('street', Schemas.STRING)
  .field('zip', Schemas.OPTIONAL_STRING)
  .build();

const EVERYTHING = SchemaBuilder.struct()
  .name('com.example.Customer')
  .version(2)
  .doc('a customer')
  .field('i8', Schemas.INT8)
  .field('i16', Schemas.INT16)
  .field('i32', Schemas.INT32)
  .field('i64', Schemas.INT64)
  .field('f32', Schemas.FLOAT32)
  .field('f64', Schemas.FLOAT64)
  .field('flag', Schemas.BOOLEAN)
  .field('name', Schemas.STRING)
  .field('nick', Schemas.OPTIONAL_STRING)
  .field('raw', Schemas.BYTES)
  .field('balance', Decimal.builder(2).optional().build())
  .field('born', DateType.SCHEMA)
  .field('wakes', TimeType.SCHEMA)
  .field('seen', TimestampType.SCHEMA)
  .field('tags', SchemaBuilder.array(Schemas.STRING).build())
  .field('attrs', SchemaBuilder.map(Schemas.STRING, Schemas.INT32).build())
  .field('byId', SchemaBuilder.map(Schemas.INT32, Schemas.STRING).optional().build())
  .field('address', ADDRESS)
  .field(
    'previous',
    SchemaBuilder.struct()
      .name('com.example.Address')
      .field('street', Schemas.STRING)
      .field('zip', Schemas.OPTIONAL_STRING)
      .optional()
      .build(),
  )
  .field('level', SchemaBuilder.int32().defaultValue(3).build())
  .build();

function customer(): Struct {
  return new Struct(EVERYTHING)
    .put('i8', -5)
    .put('i16', 300)
    .put('i32', 70_000)
    .put('i64', 9_007_199_254_740_993n)
    .put('f32', 1.5)
    .put('f64', 2.25)
    .put('flag', true)
    .put('name', 'Ada')
    .put('nick', null)
    .put('raw', Uint8Array.of(0, 255))
    .put('balance', '-12.30')
    .put('born', new Date(Date.UTC(1990, 4, 17)))
    .put('wakes', new Date(6 * 3_600_000))
    .put('seen', new Date(1_700_000_000_123))
    .put('tags', ['a', 'b'])
    .put('attrs', new Map([['x', 1]]))
    .put('byId', new Map([[7, 'seven']]))
    .put('address', new Struct(ADDRESS).put('street', 'Main St').put('zip', '12345'))
    .put('level', 9);
}

function converter(registry: SchemaRegistry, extra: Record<string, string> = {}, isKey = false): AvroConverter {
  const c = new AvroConverter(registry);
  c.configure({ 'schema.registry.url': 'http://unused', ...extra }, isKey);
  return c;
}

describe('Avro schema mapping (as Confluent AvroData)', () => {
  it('maps structs to records with connect.name, optionals to unions with null, logical types', () => {
    const avro = fromConnectSchema(EVERYTHING) as Record<string, any>;
    assert.equal(avro.type, 'record');
    assert.equal(avro.name, 'Customer');
    assert.equal(avro.namespace, 'com.example');
    assert.equal(avro['connect.name'], 'com.example.Customer');
    assert.equal(avro['connect.version'], 2);
    assert.equal(avro['connect.doc'], 'a customer');
    const f = Object.fromEntries((avro.fields as any[]).map((x) => [x.name, x]));
    assert.deepEqual(f.i8.type, { type: 'int', 'connect.type': 'int8' });
    assert.deepEqual(f.i16.type, { type: 'int', 'connect.type': 'int16' });
    assert.equal(f.i32.type, 'int');
    assert.equal(f.i64.type, 'long');
    assert.deepEqual(f.nick, { name: 'nick', type: ['null', 'string'], default: null });
    assert.deepEqual(f.balance.type, [
      'null',
      {
        type: 'bytes',
        scale: 2,
        precision: 64,
        'connect.version': 1,
        'connect.parameters': { scale: '2' },
        'connect.name': 'org.apache.kafka.connect.data.Decimal',
        logicalType: 'decimal',
      },
    ]);
    assert.deepEqual(f.born.type, {
      type: 'int',
      'connect.version': 1,
      'connect.name': 'org.apache.kafka.connect.data.Date',
      logicalType: 'date',
    });
    assert.equal(f.wakes.type.logicalType, 'time-millis');
    assert.deepEqual(f.seen.type, {
      type: 'long',
      'connect.version': 1,
      'connect.name': 'org.apache.kafka.connect.data.Timestamp',
      logicalType: 'timestamp-millis',
    });
    assert.deepEqual(f.attrs.type, { type: 'map', values: 'int' });
    assert.equal(f.byId.type[1].type, 'array');
    assert.equal(f.byId.type[1].items.name, 'MapEntry');
    assert.equal(f.byId.type[1].items.namespace, 'io.confluent.connect.avro');
    assert.equal(f.previous.type[1], 'com.example.Address', 'a record already defined is referred to by name');
    assert.deepEqual(f.level, { name: 'level', type: { type: 'int', 'connect.default': 3 }, default: 3 });
  });

  it('names an unnamed struct io.confluent.connect.avro.ConnectDefault and reads it back unnamed', () => {
    const s = SchemaBuilder.struct().field('a', Schemas.INT32).build();
    const avro = fromConnectSchema(s) as Record<string, unknown>;
    assert.equal(avro.name, 'ConnectDefault');
    assert.equal(avro.namespace, 'io.confluent.connect.avro');
    assert.equal(avro['connect.name'], undefined);
    assert.equal(toConnectSchema(avro).name, undefined);
  });

  it('gives a second record of another shape a numbered name (two unnamed structs, two kinds of map entries); optional uses share one', () => {
    const a = SchemaBuilder.struct().field('x', Schemas.INT32).build();
    const b = SchemaBuilder.struct().field('y', Schemas.STRING).build();
    const named = SchemaBuilder.struct().name('n.P').field('z', Schemas.INT32);
    const s = SchemaBuilder.struct()
      .name('n.Outer')
      .field('a', a)
      .field('b', b)
      .field('p', named.build())
      .field('po', named.optional().build())
      .field('m1', SchemaBuilder.map(Schemas.INT32, Schemas.STRING).build())
      .field('m2', SchemaBuilder.map(Schemas.INT32, Schemas.INT64).build())
      .build();
    const avro = fromConnectSchema(s) as { fields: Array<{ type: any }> };
    const [fa, fb, fp, fpo, fm1, fm2] = avro.fields.map((f) => f.type);
    assert.equal(fa.name, 'ConnectDefault');
    assert.equal(fb.name, 'ConnectDefault2');
    assert.equal(fp.name, 'P');
    assert.deepEqual(fpo, ['null', 'n.P']);
    assert.equal(fm1.items.name, 'MapEntry');
    assert.equal(fm2.items.name, 'MapEntry2');
    const back = toConnectSchema(avro as never);
    assert.equal(back.fields![1]!.schema.name, undefined);
    assert.equal(back.fields![5]!.schema.type, 'MAP');
  });

  it('reads back every Connect type from its Avro form', () => {
    const back = toConnectSchema(fromConnectSchema(EVERYTHING));
    const types = (s: Schema): unknown => ({
      type: s.type,
      optional: s.optional,
      name: s.name,
      params: s.parameters,
      fields: s.fields?.map((f) => [f.name, types(f.schema)]),
      key: s.keySchema && types(s.keySchema),
      value: s.valueSchema && types(s.valueSchema),
    });
    const expected = types(EVERYTHING) as any;
    // Confluent adds the precision parameter on the way back.
    expected.fields.find((f: any) => f[0] === 'balance')[1].params = { scale: '2', 'connect.decimal.precision': '64' };
    assert.deepEqual(types(back), expected);
    assert.equal(back.fields!.find((f) => f.name === 'level')!.schema.defaultValue, 3);
  });

  it('reads plain Avro schemas written by other producers', () => {
    const s = toConnectSchema({
      type: 'record',
      name: 'Order',
      namespace: 'shop',
      fields: [
        { name: 'id', type: 'long' },
        { name: 'state', type: { type: 'enum', name: 'State', symbols: ['NEW', 'DONE'] } },
        { name: 'note', type: ['null', 'string'], default: null },
        { name: 'price', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 3 } },
      ],
    });
    assert.equal(s.name, 'shop.Order');
    assert.deepEqual(
      s.fields!.map((f) => [f.name, f.schema.type, f.schema.optional]),
      [
        ['id', 'INT64', false],
        ['state', 'STRING', false],
        ['note', 'STRING', true],
        ['price', 'BYTES', false],
      ],
    );
    assert.equal(s.fields![3]!.schema.parameters!['connect.decimal.precision'], '10');
    assert.throws(() => toConnectSchema(['string', 'int']), /only unions of null and one type/);
  });
});

describe('AvroConverter', () => {
  it('round-trips every type in Confluent wire format through the registry', async () => {
    const reg = new MemoryRegistry();
    const writer = converter(reg);
    const value = customer();
    await writer.prepareFromConnectData('customers', EVERYTHING, value);
    const bytes = Buffer.from(writer.fromConnectData('customers', EVERYTHING, value)!);
    assert.equal(bytes[0], 0, 'magic byte');
    assert.equal(bytes.readInt32BE(1), 1, 'schema id');
    assert.deepEqual([...reg.subjects.keys()], ['customers-value']);

    const reader = converter(reg);
    await reader.prepareToConnectData('customers', bytes);
    const back = reader.toConnectData('customers', bytes);
    const v = back.value as Struct;
    assert.equal(back.schema!.name, 'com.example.Customer');
    assert.equal(v.get('i64'), 9_007_199_254_740_993n);
    assert.equal(v.get('i8'), -5);
    assert.equal(v.get('balance'), '-12.30');
    assert.deepEqual(v.get('raw'), Uint8Array.of(0, 255));
    assert.equal((v.get('born') as Date).toISOString(), '1990-05-17T00:00:00.000Z');
    assert.equal((v.get('wakes') as Date).getTime(), 6 * 3_600_000);
    assert.equal((v.get('seen') as Date).getTime(), 1_700_000_000_123);
    assert.deepEqual(v.get('tags'), ['a', 'b']);
    assert.deepEqual(v.get('attrs'), new Map([['x', 1]]));
    assert.deepEqual(v.get('byId'), new Map([[7, 'seven']]));
    assert.equal((v.get('address') as Struct).get('zip'), '12345');
    assert.equal(v.get('previous'), null);
    assert.equal(v.get('nick'), null);
    assert.equal(v.get('level'), 9);
  });

  it('asks the registry once per schema, and not at all when nothing is new', async () => {
    const reg = new MemoryRegistry();
    const c = converter(reg);
    await c.prepareFromConnectData('t', EVERYTHING, customer());
    const calls = reg.calls;
    for (let i = 0; i < 100; i++) {
      assert.equal(c.prepareFromConnectData('t', EVERYTHING, customer()), undefined);
      c.fromConnectData('t', EVERYTHING, customer());
    }
    assert.equal(reg.calls, calls);
  });

  it('uses <topic>-key for keys and converts primitives', async () => {
    const reg = new MemoryRegistry();
    const c = converter(reg, {}, true);
    await c.prepareFromConnectData('t', Schemas.STRING, 'k1');
    const bytes = c.fromConnectData('t', Schemas.STRING, 'k1')!;
    assert.deepEqual([...reg.subjects.keys()], ['t-key']);
    assert.equal(reg.schemas[0], '"string"');
    await c.prepareToConnectData('t', bytes);
    assert.deepEqual(c.toConnectData('t', bytes), { schema: Schemas.STRING, value: 'k1' });
  });

  it('without prepare, the first record of a new schema is a RetriableError and the next succeeds', async () => {
    const reg = new MemoryRegistry();
    const c = converter(reg);
    let err: unknown;
    try {
      c.fromConnectData('t', EVERYTHING, customer());
    } catch (e) {
      err = e;
    }
    assert.ok(isRetriable(err), String(err));
    await new Promise((r) => setTimeout(r, 10));
    assert.ok(c.fromConnectData('t', EVERYTHING, customer()));
  });

  it('with auto.register.schemas=false, looks the schema up and fails clearly when it is unknown', async () => {
    const reg = new MemoryRegistry();
    const c = converter(reg, { 'auto.register.schemas': 'false' });
    await assert.rejects(c.prepareFromConnectData('t', EVERYTHING, customer())!, /not found/);
    await converter(reg).prepareFromConnectData('t', EVERYTHING, customer());
    await c.prepareFromConnectData('t', EVERYTHING, customer());
    assert.ok(c.fromConnectData('t', EVERYTHING, customer()));
  });

  it('with use.latest.version, writes with the latest registered schema', async () => {
    const reg = new MemoryRegistry();
    const v1 = SchemaBuilder.struct().name('r').field('a', Schemas.INT32).build();
    const v2 = SchemaBuilder.struct().name('r').field('a', Schemas.INT32).field('b', Schemas.OPTIONAL_STRING).build();
    await converter(reg).prepareFromConnectData('t', v2, new Struct(v2).put('a', 1));
    const c = converter(reg, { 'auto.register.schemas': 'false', 'use.latest.version': 'true' });
    const rec = new Struct(v1).put('a', 5);
    await c.prepareFromConnectData('t', v1, rec);
    const bytes = c.fromConnectData('t', v1, rec)!;
    await c.prepareToConnectData('t', bytes);
    const back = c.toConnectData('t', bytes);
    assert.deepEqual(
      back.schema!.fields!.map((f) => f.name),
      ['a', 'b'],
    );
    assert.equal((back.value as Struct).get('a'), 5);
  });

  it('honours RecordNameStrategy', async () => {
    const reg = new MemoryRegistry();
    const c = converter(reg, {
      'value.subject.name.strategy': 'io.confluent.kafka.serializers.subject.RecordNameStrategy',
    });
    await c.prepareFromConnectData('t', EVERYTHING, customer());
    assert.deepEqual([...reg.subjects.keys()], ['com.example.Customer']);
    assert.throws(() => converter(reg, { 'value.subject.name.strategy': 'Nope' }), /Unknown subject name strategy/);
  });

  it('rejects bytes not in Confluent wire format and values that do not fit, as DataErrors', async () => {
    const c = converter(new MemoryRegistry());
    assert.throws(
      () => c.toConnectData('t', Buffer.from('{"a":1}')),
      (e: Error) => e.name === 'DataError' && /magic byte/.test(e.message),
    );
    assert.equal(c.fromConnectData('t', EVERYTHING, null), null);
    assert.deepEqual(c.toConnectData('t', null), { schema: null, value: null });
    assert.throws(() => c.fromConnectData('t', null, 'x'), /needs a schema/);
    const bad = new Struct(EVERYTHING); // required fields unset
    await c.prepareFromConnectData('t', EVERYTHING, bad);
    assert.throws(
      () => c.fromConnectData('t', EVERYTHING, bad),
      (e: Error) => e.name === 'DataError',
    );
  });

  it("is registered under Confluent's class name and the alias avro", () => {
    const p = plugins.find((x) => x.class === 'io.confluent.connect.avro.AvroConverter');
    assert.ok(p);
    assert.equal(p.type, 'converter');
    assert.ok(p.aliases?.includes('avro'));
  });
});
