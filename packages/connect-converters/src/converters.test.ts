import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Schemas } from '@tributary/connect-api';
import { ByteArrayConverter } from './byte-array-converter.js';
import { plugins } from './index.js';
import {
  BooleanConverter,
  DoubleConverter,
  FloatConverter,
  IntegerConverter,
  LongConverter,
  ShortConverter,
} from './number-converters.js';
import { StringConverter } from './string-converter.js';

const hex = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('hex'));

describe('StringConverter', () => {
  it('writes any value as text and reads an optional string', () => {
    const c = new StringConverter();
    c.configure({}, false);
    assert.equal(Buffer.from(c.fromConnectData('t', null, 'héllo')!).toString('utf8'), 'héllo');
    assert.equal(Buffer.from(c.fromConnectData('t', Schemas.INT32, 42)!).toString('utf8'), '42');
    assert.equal(c.fromConnectData('t', null, null), null);
    assert.deepEqual(c.toConnectData('t', Buffer.from('abc')), { schema: Schemas.OPTIONAL_STRING, value: 'abc' });
    assert.deepEqual(c.toConnectData('t', null), { schema: Schemas.OPTIONAL_STRING, value: null });
  });
  it('honours converter.encoding with Java charset names', () => {
    const c = new StringConverter();
    c.configure({ 'converter.encoding': 'UTF-16' }, false);
    const bytes = c.fromConnectData('t', null, 'hi')!;
    assert.equal(hex(bytes), 'feff00680069');
    assert.equal(c.toConnectData('t', bytes).value, 'hi');
    c.configure({ 'converter.encoding': 'ISO-8859-1' }, false);
    assert.equal(hex(c.fromConnectData('t', null, 'é')), 'e9');
  });
});

describe('ByteArrayConverter', () => {
  it('passes bytes through and insists on BYTES', () => {
    const c = new ByteArrayConverter();
    c.configure({}, false);
    const b = Uint8Array.of(1, 2);
    assert.equal(c.fromConnectData('t', Schemas.BYTES, b), b);
    assert.deepEqual(c.toConnectData('t', b), { schema: Schemas.OPTIONAL_BYTES, value: b });
    assert.throws(
      () => c.fromConnectData('t', Schemas.STRING, 'x'),
      /Invalid schema type for ByteArrayConverter: STRING/,
    );
    assert.throws(
      () => c.fromConnectData('t', null, 'x'),
      /ByteArrayConverter is not compatible with objects of type string/,
    );
  });
});

describe("number converters use Kafka serializers' big-endian layouts", () => {
  const cases = [
    [new LongConverter(), -2, 'fffffffffffffffe', Schemas.OPTIONAL_INT64],
    [new LongConverter(), 9223372036854775807n, '7fffffffffffffff', Schemas.OPTIONAL_INT64],
    [new IntegerConverter(), 258, '00000102', Schemas.OPTIONAL_INT32],
    [new ShortConverter(), -1, 'ffff', Schemas.OPTIONAL_INT16],
    [new FloatConverter(), 1.5, '3fc00000', Schemas.OPTIONAL_FLOAT32],
    [new DoubleConverter(), 1.5, '3ff8000000000000', Schemas.OPTIONAL_FLOAT64],
    [new BooleanConverter(), true, '01', Schemas.OPTIONAL_BOOLEAN],
  ] as const;
  for (const [c, value, bytes, schema] of cases) {
    it(`${c.constructor.name} ${String(value)}`, () => {
      c.configure({}, false);
      assert.equal(hex(c.fromConnectData('t', null, value)), bytes);
      assert.deepEqual(c.toConnectData('t', Buffer.from(bytes, 'hex')), { schema, value });
      assert.equal(c.fromConnectData('t', null, null), null);
      assert.deepEqual(c.toConnectData('t', null), { schema, value: null });
    });
  }
  it('refuses values of another type and data of the wrong size', () => {
    const c = new IntegerConverter();
    assert.throws(() => c.fromConnectData('t', null, 'x'), /Failed to serialize to integer \(was string\)/);
    assert.throws(() => c.toConnectData('t', Uint8Array.of(1)), /Failed to deserialize integer/);
    assert.throws(
      () => new BooleanConverter().fromConnectData('t', Schemas.STRING, true),
      /Invalid schema type for BooleanConverter: STRING/,
    );
  });
});

describe('plugins', () => {
  it("lists every converter under Kafka's class names", () => {
    const names = plugins.map((p) => `${p.type}:${p.class}`);
    for (const cls of [
      'org.apache.kafka.connect.json.JsonConverter',
      'org.apache.kafka.connect.storage.StringConverter',
      'org.apache.kafka.connect.converters.ByteArrayConverter',
      'org.apache.kafka.connect.converters.LongConverter',
    ]) {
      assert.ok(names.includes(`converter:${cls}`), cls);
      assert.ok(names.includes(`header_converter:${cls}`), cls);
    }
    assert.ok(names.includes('header_converter:org.apache.kafka.connect.storage.SimpleHeaderConverter'));
    for (const p of plugins) assert.ok(p.create());
  });
});
