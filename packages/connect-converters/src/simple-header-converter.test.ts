import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  DateType,
  Decimal,
  SchemaBuilder,
  Schemas,
  Struct,
  TimeType,
  TimestampType,
  type Schema,
} from '@tributary/connect-api';
import { javaDouble, javaFloat } from './json/java-text.js';
import { SimpleHeaderConverter } from './simple-header-converter.js';

const FIXTURES = new URL('../golden/fixtures/', import.meta.url);

function rows(file: string): string[][] {
  return readFileSync(new URL(file, FIXTURES), 'utf8')
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => l.split('\t'));
}

/** Prints a parsed header as Golden.java prints it: type (+/name, <items> or <keys,values>) and value. */
function describeSchema(s: Schema | null): string {
  if (s === null) return 'null';
  let t = s.type + (s.name ? `/${s.name}` : '');
  if (s.type === 'ARRAY') t += `<${s.valueSchema?.type ?? '?'}>`;
  if (s.type === 'MAP') t += `<${s.keySchema?.type ?? '?'},${s.valueSchema?.type ?? '?'}>`;
  return t;
}

function javaToString(v: unknown, schema: Schema | null = null): string {
  if (v === null) return 'null';
  if (schema?.type === 'FLOAT32') return javaFloat(v as number);
  if (schema?.type === 'FLOAT64') return javaDouble(v as number);
  if (v instanceof Date) return String(v.getTime());
  if (Array.isArray(v)) return `[${v.map((x) => javaToString(x)).join(', ')}]`;
  if (v instanceof Map) return `{${[...v.entries()].map(([k, x]) => `${String(k)}=${javaToString(x)}`).join(', ')}}`;
  return String(v);
}

describe('SimpleHeaderConverter reads text as Kafka infers it', () => {
  const c = new SimpleHeaderConverter();
  c.configure({});
  for (const [input, type, value] of rows('header-parse.tsv')) {
    it(JSON.stringify(input), () => {
      const got = c.toConnectHeader('t', 'h', Buffer.from(input!, 'utf8'));
      assert.equal(describeSchema(got.schema), type);
      assert.equal(javaToString(got.value, got.schema), value);
    });
  }
  it('null bytes are a null header', () => {
    assert.deepEqual(c.toConnectHeader('t', 'h', null), { schema: null, value: null });
  });
});

describe('SimpleHeaderConverter writes values as Kafka does', () => {
  const c = new SimpleHeaderConverter();
  c.configure({});
  const address = SchemaBuilder.struct()
    .name('shop.Address')
    .optional()
    .field('street', Schemas.STRING)
    .field('zip', Schemas.OPTIONAL_INT32)
    .build();
  const values: Record<string, [Schema, unknown]> = {
    string: [Schemas.STRING, 'plain text'],
    int32: [Schemas.INT32, 42],
    int64: [Schemas.INT64, 9007199254740993n],
    float64: [Schemas.FLOAT64, 5],
    float32: [Schemas.FLOAT32, 0.1],
    boolean: [Schemas.BOOLEAN, true],
    bytes: [Schemas.BYTES, Uint8Array.of(1, 2, 3)],
    array: [SchemaBuilder.array(Schemas.STRING).build(), ['a', 'b']],
    map: [
      SchemaBuilder.map(Schemas.STRING, Schemas.STRING).build(),
      new Map<string, unknown>([
        ['a', 1],
        ['b', 'x"y'],
      ]),
    ],
    struct: [address, new Struct(address).put('street', 'Main \\ St').put('zip', 5)],
    date: [DateType.SCHEMA, new Date(19782 * 86_400_000)],
    time: [TimeType.SCHEMA, new Date(48659123)],
    timestamp: [TimestampType.SCHEMA, new Date(1700000000123)],
    decimal: [Decimal.schema(2), '12.30'],
  };
  for (const [name, expected] of rows('header-write.tsv')) {
    it(name!, () => {
      const [schema, value] = values[name!]!;
      assert.equal(Buffer.from(c.fromConnectHeader('t', 'h', schema, value)!).toString('utf8'), expected);
    });
  }
  it('null is null bytes', () => {
    assert.equal(c.fromConnectHeader('t', 'h', Schemas.OPTIONAL_STRING, null), null);
  });
});
