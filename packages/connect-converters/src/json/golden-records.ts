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
 * The record set of golden/src/SinkRecords.java (every Connect type and logical type, edge values),
 * rebuilt in TypeScript. golden/fixtures/records/ holds the lines Kafka's JsonConverter wrote for it.
 */
const POINT = SchemaBuilder.struct().name('sink.Point').field('x', Schemas.FLOAT64).field('y', Schemas.FLOAT64).build();

const innerBuilder = () =>
  SchemaBuilder.struct()
    .name('sink.Inner')
    .field('name', Schemas.STRING)
    .field('at', POINT)
    .field('tags', SchemaBuilder.array(Schemas.STRING).build());
const INNER = innerBuilder().build();
const OPTIONAL_INNER = innerBuilder().optional().build();

export const ALL_TYPES: Schema = SchemaBuilder.struct()
  .name('sink.AllTypes')
  .version(1)
  .field('id', Schemas.INT32)
  .field('i8', Schemas.INT8)
  .field('i16', Schemas.INT16)
  .field('i32', Schemas.INT32)
  .field('i64', Schemas.INT64)
  .field('f32', Schemas.FLOAT32)
  .field('f64', Schemas.FLOAT64)
  .field('b', Schemas.BOOLEAN)
  .field('s', Schemas.STRING)
  .field('raw', Schemas.BYTES)
  .field('d2', Decimal.schema(2))
  .field('d0', Decimal.schema(0))
  .field('d10', Decimal.schema(10))
  .field('day', DateType.SCHEMA)
  .field('tod', TimeType.SCHEMA)
  .field('ts', TimestampType.SCHEMA)
  .field('o_s', Schemas.OPTIONAL_STRING)
  .field('o_i64', Schemas.OPTIONAL_INT64)
  .field('o_f32', Schemas.OPTIONAL_FLOAT32)
  .field('o_d', Decimal.builder(3).optional().build())
  .field('o_ts', TimestampType.builder().optional().build())
  .field('o_inner', OPTIONAL_INNER)
  .field('ints', SchemaBuilder.array(Schemas.INT32).build())
  .field('doubles', SchemaBuilder.array(Schemas.FLOAT64).build())
  .field('floats', SchemaBuilder.array(Schemas.FLOAT32).build())
  .field('strs', SchemaBuilder.array(Schemas.OPTIONAL_STRING).build())
  .field('points', SchemaBuilder.array(POINT).build())
  .field('by_name', SchemaBuilder.map(Schemas.STRING, Schemas.INT64).build())
  .field('by_id', SchemaBuilder.map(Schemas.INT32, Schemas.INT32).build())
  .field('inner', INNER)
  .build();

export const SPECIAL: Schema = SchemaBuilder.struct()
  .name('sink.Special')
  .field('id', Schemas.INT32)
  .field('f32', Schemas.FLOAT32)
  .field('f64', Schemas.FLOAT64)
  .build();

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** 2024-03-01T10:00:00Z; record i is i hours later. */
export const T0 = 1709287200000;

const point = (x: number, y: number) => new Struct(POINT).put('x', x).put('y', y);
const inner = (schema: Schema, name: string, at: Struct, tags: string[]) =>
  new Struct(schema).put('name', name).put('at', at).put('tags', tags);

export function allTypesRecords(): Struct[] {
  return [
    new Struct(ALL_TYPES)
      .put('id', 0)
      .put('i8', -128)
      .put('i16', -32768)
      .put('i32', -2147483648)
      .put('i64', -9223372036854775808n)
      .put('f32', 0.4)
      .put('f64', 60)
      .put('b', true)
      .put('s', 'plain')
      .put('raw', Uint8Array.of(0, 1, 2, 255))
      .put('d2', '12.30')
      .put('d0', '-128')
      .put('d10', '0.0000000001')
      .put('day', new Date(19782 * DAY))
      .put('tod', new Date(0))
      .put('ts', new Date(T0))
      .put('o_s', 'x')
      .put('o_i64', 9007199254740993n)
      .put('o_f32', 1e10)
      .put('o_d', '1.234')
      .put('o_ts', new Date(T0 + 1))
      .put('o_inner', inner(OPTIONAL_INNER, 'opt', point(0.5, 0.25), ['t']))
      .put('ints', [1, 2, 3])
      .put('doubles', [1e-7, 123456789, 0.1 + 0.2, 1e21, 0.001, 1e7, 9999999, 100])
      .put('floats', [0.1, 1e-5, 3.14, 16777216, 1.17549435e-38, 2.5])
      .put('strs', ['a', 'b'])
      .put('points', [point(1.5, -2), point(0, 1)])
      .put(
        'by_name',
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
      )
      .put(
        'by_id',
        new Map([
          [1, 10],
          [-2, 20],
        ]),
      )
      .put('inner', inner(INNER, 'first', point(3, 4), ['x', 'y'])),
    new Struct(ALL_TYPES)
      .put('id', 1)
      .put('i8', 127)
      .put('i16', 32767)
      .put('i32', 2147483647)
      .put('i64', 9223372036854775807n)
      .put('f32', -0)
      .put('f64', 22.5)
      .put('b', false)
      .put('s', 'q"uote\\ back\nline\ttab \u00e9 \u2603 \ud83d\ude00 \u0001 </script>')
      .put('raw', new Uint8Array(0))
      .put('d2', '-0.01')
      .put('d0', '0')
      .put('d10', '-123456789012.3456789012')
      .put('day', new Date(-DAY))
      .put('tod', new Date(86_399_999))
      .put('ts', new Date(T0 + HOUR))
      .put('o_s', null)
      .put('o_i64', null)
      .put('o_f32', null)
      .put('o_d', null)
      .put('o_ts', null)
      .put('o_inner', null)
      .put('ints', [])
      .put('doubles', [])
      .put('floats', [])
      .put('strs', [])
      .put('points', [])
      .put(
        'by_name',
        new Map([
          ['a', -1],
          ['b', 0],
        ]),
      )
      .put('by_id', new Map())
      .put('inner', inner(INNER, '', point(-0, 1e-300), [])),
    new Struct(ALL_TYPES)
      .put('id', 2)
      .put('i8', 0)
      .put('i16', 0)
      .put('i32', 0)
      .put('i64', 0)
      .put('f32', 3.4028234663852886e38)
      .put('f64', Number.MAX_VALUE)
      .put('b', true)
      .put('s', '')
      .put('raw', Uint8Array.of(0xde, 0xad, 0xbe, 0xef))
      .put('d2', '-123456789012345678901234567890.12')
      .put('d0', '128')
      .put('d10', '0.0000000000')
      .put('day', new Date(0))
      .put('tod', new Date(48_659_123))
      .put('ts', new Date(T0 + 2 * HOUR))
      .put('o_s', '')
      .put('o_i64', -1)
      .put('o_f32', -1.5)
      .put('o_d', '-0.001')
      .put('o_ts', new Date(0))
      .put('o_inner', null)
      .put('ints', [-1])
      .put('doubles', [-2.5])
      .put('floats', [-0.4])
      .put('strs', [''])
      .put('points', [point(1e10, -1e-10)])
      .put(
        'by_name',
        new Map([
          ['a', 9007199254740993n],
          ['b', -9007199254740993n],
        ]),
      )
      .put(
        'by_id',
        new Map([
          [2147483647, -2147483648],
          [0, 0],
        ]),
      )
      .put('inner', inner(INNER, 'third', point(2, 2), ['z'])),
    new Struct(ALL_TYPES)
      .put('id', 3)
      .put('i8', 1)
      .put('i16', -1)
      .put('i32', 1)
      .put('i64', 1)
      .put('f32', 1.401298464324817e-45)
      .put('f64', Number.MIN_VALUE)
      .put('b', false)
      .put('s', 'last')
      .put('raw', Uint8Array.of(0))
      .put('d2', '0.50')
      .put('d0', '99999999999999999999')
      .put('d10', '1.0000000000')
      .put('day', new Date(2_932_896 * DAY))
      .put('tod', new Date(1))
      .put('ts', new Date(T0 + 3 * HOUR))
      .put('o_s', null)
      .put('o_i64', 42)
      .put('o_f32', null)
      .put('o_d', null)
      .put('o_ts', new Date(T0 + 3 * HOUR + 999))
      .put('o_inner', inner(OPTIONAL_INNER, 'back', point(-1, -1), []))
      .put('ints', [2147483647, -2147483648])
      .put('doubles', [Number.MIN_VALUE, -Number.MAX_VALUE, 1])
      .put('floats', [1.4e-45, -3.4028235e38, 1])
      .put('strs', ['z'])
      .put('points', [point(0.1, 0.2)])
      .put(
        'by_name',
        new Map([
          ['a', 3],
          ['b', 4],
        ]),
      )
      .put(
        'by_id',
        new Map([
          [5, 6],
          [7, 8],
        ]),
      )
      .put('inner', inner(INNER, 'fourth', point(-0.5, 0.75), ['p', 'q'])),
  ];
}

export function specialRecords(): Struct[] {
  return [
    new Struct(SPECIAL).put('id', 0).put('f32', NaN).put('f64', NaN),
    new Struct(SPECIAL).put('id', 1).put('f32', Infinity).put('f64', Infinity),
    new Struct(SPECIAL).put('id', 2).put('f32', -Infinity).put('f64', -Infinity),
  ];
}
