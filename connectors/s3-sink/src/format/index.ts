import { FORMAT_CLASSES } from '../config.js';
import type { ParsedConfig } from '@tributary/connect-api';
import { avroFormat } from './avro-format.js';
import type { Format } from './format.js';
import { byteArrayFormat, jsonFormat } from './json-format.js';
import { parquetFormat } from './parquet-format.js';

export type { Format, RecordWriter, ByteOut } from './format.js';

/** The format named by format.class, with its compression settings. */
export function createFormat(c: ParsedConfig): Format {
  const gzip = c.string('s3.compression.type') === 'gzip' ? c.int('s3.compression.level') : null;
  switch (FORMAT_CLASSES[c.string('format.class')]) {
    case 'json':
      return jsonFormat(gzip, c.string('json.decimal.format').toUpperCase() === 'NUMERIC');
    case 'bytearray':
      return byteArrayFormat(
        gzip,
        c.string('format.bytearray.extension'),
        c.optionalString('format.bytearray.separator') ?? '\n',
      );
    case 'avro':
      return avroFormat(c.string('avro.codec') as 'null' | 'deflate');
    case 'parquet':
      return parquetFormat(c.string('parquet.codec'));
    default:
      throw new Error(`unknown format.class ${c.string('format.class')}`);
  }
}
