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

/**
 * The values of golden/src/Golden.java, rebuilt in TypeScript under the same names. The fixtures are
 * the bytes Kafka's JsonConverter wrote for each; tests compare ours with them.
 */
export interface GoldenCase {
  name: string;
  schema: Schema | null;
  value: unknown;
}

export const ADDRESS = SchemaBuilder.struct()
  .name('shop.Address')
  .optional()
  .field('street', Schemas.STRING)
  .field('zip', Schemas.OPTIONAL_INT32)
  .build();

export const ORDER = SchemaBuilder.struct()
  .name('shop.Order')
  .version(3)
  .doc('An order')
  .parameter('owner', 'sales')
  .parameter('a.param', '1')
  .field('id', Schemas.INT64)
  .field('note', Schemas.OPTIONAL_STRING)
  .field('qty', SchemaBuilder.int16().defaultValue(1).build())
  .field('amount', Decimal.schema(2))
  .field('ts', TimestampType.SCHEMA)
  .field('day', DateType.builder().optional().build())
  .field('at', TimeType.SCHEMA)
  .field('ok', Schemas.BOOLEAN)
  .field('ratio', Schemas.FLOAT32)
  .field('score', Schemas.OPTIONAL_FLOAT64)
  .field('raw', Schemas.OPTIONAL_BYTES)
  .field('tags', SchemaBuilder.array(Schemas.STRING).build())
  .field('attrs', SchemaBuilder.map(Schemas.STRING, Schemas.OPTIONAL_STRING).optional().build())
  .field('address', ADDRESS)
  .build();

const DAY = 86_400_000;

export function order(): Struct {
  return new Struct(ORDER)
    .put('id', 9007199254740993n)
    .put('note', null)
    .put('amount', '12.30')
    .put('ts', new Date(1700000000123))
    .put('day', new Date(19782 * DAY))
    .put('at', new Date(48659123))
    .put('ok', true)
    .put('ratio', Math.fround(0.1))
    .put('score', 2.5e-8)
    .put('raw', Uint8Array.of(0, 1, 2, 255))
    .put('tags', ['a', 'b'])
    .put(
      'attrs',
      new Map([
        ['colour', 'red'],
        ['size', null],
      ]),
    )
    .put('address', new Struct(ADDRESS).put('street', '1 Main St').put('zip', 12345));
}

const withDefaults = SchemaBuilder.struct()
  .name('d')
  .field('s', SchemaBuilder.string().optional().defaultValue('x').build())
  .field('dec', Decimal.builder(1).defaultValue('0.5').build())
  .build();

const nested = SchemaBuilder.struct()
  .field('list', SchemaBuilder.array(ADDRESS).build())
  .field('byId', SchemaBuilder.map(Schemas.INT64, ADDRESS).build())
  .build();

export const SCHEMA_CASES: GoldenCase[] = [
  { name: 'boolean', schema: Schemas.BOOLEAN, value: true },
  { name: 'int8', schema: Schemas.INT8, value: -128 },
  { name: 'int16', schema: Schemas.INT16, value: 32767 },
  { name: 'int32', schema: Schemas.INT32, value: -2147483648 },
  { name: 'int64-max', schema: Schemas.INT64, value: 9223372036854775807n },
  { name: 'int64-min', schema: Schemas.INT64, value: -9223372036854775808n },
  { name: 'int64-small', schema: Schemas.INT64, value: 42 },
  { name: 'float32', schema: Schemas.FLOAT32, value: 3.14 },
  { name: 'float32-big', schema: Schemas.FLOAT32, value: 1e10 },
  { name: 'float32-tiny', schema: Schemas.FLOAT32, value: 1.25e-5 },
  { name: 'float64', schema: Schemas.FLOAT64, value: 0.1 + 0.2 },
  { name: 'float64-whole', schema: Schemas.FLOAT64, value: 5 },
  { name: 'float64-negzero', schema: Schemas.FLOAT64, value: -0 },
  { name: 'float64-small', schema: Schemas.FLOAT64, value: 0.001 },
  { name: 'float64-smaller', schema: Schemas.FLOAT64, value: 0.0001 },
  { name: 'float64-large', schema: Schemas.FLOAT64, value: 9999999 },
  { name: 'float64-larger', schema: Schemas.FLOAT64, value: 10000000 },
  { name: 'float64-max', schema: Schemas.FLOAT64, value: Number.MAX_VALUE },
  { name: 'float64-min', schema: Schemas.FLOAT64, value: Number.MIN_VALUE },
  { name: 'float64-nan', schema: Schemas.FLOAT64, value: NaN },
  { name: 'float64-inf', schema: Schemas.FLOAT64, value: -Infinity },
  {
    name: 'string',
    schema: Schemas.STRING,
    value: 'h\u00e9llo "q" \\ / \n\t\r\b\f \u0001\u001f\u007f \u2028 \u2603 \ud83d\ude00 </script>',
  },
  { name: 'string-empty', schema: Schemas.STRING, value: '' },
  { name: 'bytes', schema: Schemas.BYTES, value: Uint8Array.of(0, 1, 2, 255, 0xfe) },
  { name: 'bytes-empty', schema: Schemas.BYTES, value: new Uint8Array(0) },
  { name: 'optional-null', schema: Schemas.OPTIONAL_STRING, value: null },
  { name: 'default-used', schema: SchemaBuilder.string().defaultValue('dflt').build(), value: null },
  { name: 'default-optional', schema: SchemaBuilder.int32().optional().defaultValue(7).build(), value: null },
  { name: 'default-present', schema: SchemaBuilder.int32().optional().defaultValue(7).build(), value: 8 },
  {
    name: 'named-primitive',
    schema: SchemaBuilder.string().name('my.Name').version(2).doc('d"oc').build(),
    value: 'v',
  },
  { name: 'array-int32', schema: SchemaBuilder.array(Schemas.INT32).build(), value: [1, 2, 3] },
  { name: 'array-empty', schema: SchemaBuilder.array(Schemas.INT32).build(), value: [] },
  {
    name: 'array-optional-strings',
    schema: SchemaBuilder.array(Schemas.OPTIONAL_STRING).optional().build(),
    value: ['a', null, 'c'],
  },
  {
    name: 'map-string-keys',
    schema: SchemaBuilder.map(Schemas.STRING, Schemas.INT32).build(),
    value: { one: 1, two: 2 },
  },
  {
    name: 'map-int-keys',
    schema: SchemaBuilder.map(Schemas.INT32, Schemas.STRING).build(),
    value: new Map([
      [1, 'one'],
      [-2, 'minus two'],
    ]),
  },
  {
    name: 'map-struct-keys',
    schema: SchemaBuilder.map(ADDRESS, Schemas.BOOLEAN).build(),
    value: new Map([[new Struct(ADDRESS).put('street', 'x').put('zip', null), false]]),
  },
  { name: 'decimal', schema: Decimal.schema(2), value: '12.30' },
  { name: 'decimal-negative', schema: Decimal.schema(2), value: '-0.01' },
  { name: 'decimal-big', schema: Decimal.schema(4), value: '-123456789012345678901234567890.1234' },
  { name: 'decimal-zero-scale', schema: Decimal.schema(0), value: '128' },
  { name: 'date', schema: DateType.SCHEMA, value: new Date(19782 * DAY) },
  { name: 'date-before-epoch', schema: DateType.SCHEMA, value: new Date(-DAY) },
  { name: 'time', schema: TimeType.SCHEMA, value: new Date(48659123) },
  { name: 'timestamp', schema: TimestampType.SCHEMA, value: new Date(1700000000123) },
  { name: 'timestamp-default', schema: TimestampType.builder().defaultValue(new Date(0)).build(), value: null },
  { name: 'struct-order', schema: ORDER, value: order() },
  { name: 'struct-optional-null', schema: ADDRESS, value: null },
  { name: 'struct-field-defaults', schema: withDefaults, value: new Struct(withDefaults) },
  {
    name: 'struct-nested',
    schema: nested,
    value: new Struct(nested)
      .put('list', [new Struct(ADDRESS).put('street', 's1').put('zip', 1), null])
      .put('byId', new Map([[7, new Struct(ADDRESS).put('street', 's7')]])),
  },
  { name: 'null-schema', schema: null, value: { a: 1, b: ['x', true] } },
  { name: 'tombstone', schema: null, value: null },
];

export const SCHEMALESS_CASES: GoldenCase[] = [
  {
    name: 'map',
    schema: null,
    value: {
      id: 42,
      name: 'x\u00e9',
      ok: false,
      big: 9007199254740993n,
      list: [1, 'two', null, 3.25],
      inner: { n: null, f: 1.5 },
      raw: Uint8Array.of(1, 2, 3),
    },
  },
  {
    name: 'map-mixed-keys',
    schema: null,
    value: new Map<unknown, unknown>([
      [1, 'one'],
      ['two', 2],
    ]),
  },
  { name: 'string', schema: null, value: 'plain' },
  { name: 'int64', schema: null, value: 7 },
  { name: 'float64', schema: null, value: 0.5 },
  { name: 'bytes', schema: null, value: Uint8Array.of(0xde, 0xad) },
  { name: 'list', schema: null, value: [1, 2] },
  { name: 'struct-with-schema', schema: ORDER, value: order() },
  { name: 'decimal-with-schema', schema: Decimal.schema(2), value: '12.30' },
  { name: 'tombstone', schema: null, value: null },
];

export const NUMERIC_CASES: GoldenCase[] = [
  { name: 'decimal', schema: Decimal.schema(2), value: '12.30' },
  { name: 'decimal-negative', schema: Decimal.schema(2), value: '-0.01' },
  { name: 'decimal-tiny', schema: Decimal.schema(10), value: '0.0000000001' },
  { name: 'decimal-zero-scale', schema: Decimal.schema(0), value: '128' },
  { name: 'decimal-big', schema: Decimal.schema(4), value: '-123456789012345678901234567890.1234' },
];

const withDefault = SchemaBuilder.struct()
  .name('d')
  .field('s', SchemaBuilder.string().optional().defaultValue('x').build())
  .build();

export const NO_DEFAULT_CASES: GoldenCase[] = [
  { name: 'default-optional', schema: SchemaBuilder.int32().optional().defaultValue(7).build(), value: null },
  { name: 'struct-field-defaults', schema: withDefault, value: new Struct(withDefault) },
];
