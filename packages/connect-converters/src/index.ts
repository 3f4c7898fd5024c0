/**
 * Converters between Connect data and bytes, with Kafka's class names: JSON (with and without schemas,
 * byte-for-byte as Kafka's JsonConverter), string, byte array, the fixed-size primitives, and the
 * default header converter.
 */
import type { Converter, HeaderConverter, PluginDescriptor } from '@tributary/connect-api';
import { AvroConverter } from './avro/avro-converter.js';
import { ByteArrayConverter } from './byte-array-converter.js';
import { JsonConverter } from './json/json-converter.js';
import {
  BooleanConverter,
  DoubleConverter,
  FloatConverter,
  IntegerConverter,
  LongConverter,
  ShortConverter,
} from './number-converters.js';
import { SimpleHeaderConverter } from './simple-header-converter.js';
import { StringConverter } from './string-converter.js';

export { JsonConverter, JSON_CONVERTER_CONFIG } from './json/json-converter.js';
export { javaDouble, javaFloat, javaBigDecimal, jsonQuote } from './json/java-text.js';
export { JsonWriter, type WriterOptions as JsonWriterOptions } from './json/json-writer.js';
export {
  fromConnectSchema as toAvroSchema,
  toConnectSchema as avroToConnectSchema,
  type AvroSchema,
} from './avro/avro-schema.js';
export { fromAvroValue, toAvroValue } from './avro/avro-values.js';
export { StringConverter } from './string-converter.js';
export { AvroConverter, AVRO_CONVERTER_CONFIG, avroType } from './avro/avro-converter.js';
export { HttpSchemaRegistry, type SchemaRegistry, type RegisteredSchema } from './avro/schema-registry-client.js';
export { ByteArrayConverter } from './byte-array-converter.js';
export {
  BooleanConverter,
  DoubleConverter,
  FloatConverter,
  IntegerConverter,
  LongConverter,
  ShortConverter,
} from './number-converters.js';
export { SimpleHeaderConverter } from './simple-header-converter.js';
export { parseString as parseHeaderString, valueToString as headerValueToString } from './header-values.js';

const CONVERTERS = 'org.apache.kafka.connect.converters.';

/**
 * Every class here is both a converter and a header converter in Kafka (SimpleHeaderConverter only the
 * latter), so each is listed under both plugin types.
 */
function both(cls: string, aliases: string[], create: () => Converter & HeaderConverter): PluginDescriptor[] {
  return [
    { type: 'converter', class: cls, aliases, create },
    { type: 'header_converter', class: cls, aliases, create },
  ];
}

export const plugins: PluginDescriptor[] = [
  ...both('org.apache.kafka.connect.json.JsonConverter', ['json', 'JsonConverter'], () => new JsonConverter()),
  ...both(
    'org.apache.kafka.connect.storage.StringConverter',
    ['string', 'StringConverter'],
    () => new StringConverter(),
  ),
  ...both(`${CONVERTERS}ByteArrayConverter`, ['bytes', 'ByteArrayConverter'], () => new ByteArrayConverter()),
  ...both(`${CONVERTERS}LongConverter`, ['long', 'LongConverter'], () => new LongConverter()),
  ...both(`${CONVERTERS}IntegerConverter`, ['integer', 'IntegerConverter'], () => new IntegerConverter()),
  ...both(`${CONVERTERS}ShortConverter`, ['short', 'ShortConverter'], () => new ShortConverter()),
  ...both(`${CONVERTERS}FloatConverter`, ['float', 'FloatConverter'], () => new FloatConverter()),
  ...both(`${CONVERTERS}DoubleConverter`, ['double', 'DoubleConverter'], () => new DoubleConverter()),
  ...both(`${CONVERTERS}BooleanConverter`, ['boolean', 'BooleanConverter'], () => new BooleanConverter()),
  {
    type: 'converter',
    class: 'io.confluent.connect.avro.AvroConverter',
    aliases: ['avro', 'AvroConverter'],
    create: () => new AvroConverter(),
  },
  {
    type: 'header_converter',
    class: 'org.apache.kafka.connect.storage.SimpleHeaderConverter',
    aliases: ['simple', 'SimpleHeaderConverter'],
    create: () => new SimpleHeaderConverter(),
  },
];
