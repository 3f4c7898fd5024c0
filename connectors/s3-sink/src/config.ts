import { ConfigDef, Validators, type ParsedConfig, type Validator } from '@tributary/connect-api';

export const VERSION = '0.1.0';

const FORMATS = 'io.confluent.connect.s3.format';
const PARTITIONERS = 'io.confluent.connect.storage.partitioner';

/** format.class values (Confluent's class names) → our short names. */
export const FORMAT_CLASSES: Record<string, FormatName> = {
  [`${FORMATS}.json.JsonFormat`]: 'json',
  JsonFormat: 'json',
  [`${FORMATS}.avro.AvroFormat`]: 'avro',
  AvroFormat: 'avro',
  [`${FORMATS}.parquet.ParquetFormat`]: 'parquet',
  ParquetFormat: 'parquet',
  [`${FORMATS}.bytearray.ByteArrayFormat`]: 'bytearray',
  ByteArrayFormat: 'bytearray',
};
export type FormatName = 'json' | 'avro' | 'parquet' | 'bytearray';

/** partitioner.class values → our short names. */
export const PARTITIONER_CLASSES: Record<string, PartitionerName> = {
  [`${PARTITIONERS}.DefaultPartitioner`]: 'default',
  DefaultPartitioner: 'default',
  [`${PARTITIONERS}.FieldPartitioner`]: 'field',
  FieldPartitioner: 'field',
  [`${PARTITIONERS}.TimeBasedPartitioner`]: 'time',
  TimeBasedPartitioner: 'time',
  [`${PARTITIONERS}.DailyPartitioner`]: 'daily',
  DailyPartitioner: 'daily',
  [`${PARTITIONERS}.HourlyPartitioner`]: 'hourly',
  HourlyPartitioner: 'hourly',
};
export type PartitionerName = 'default' | 'field' | 'time' | 'daily' | 'hourly';

const MIB = 1024 * 1024;
const oneOf =
  (table: Record<string, unknown>): Validator =>
  (v, name) =>
    String(v) in table
      ? undefined
      : `Invalid value ${String(v)} for configuration ${name}: must be one of ${Object.keys(table)
          .filter((k) => k.includes('.'))
          .join(', ')}`;

/**
 * The S3 sink's keys, spelled as Confluent's `S3SinkConnectorConfig` (plus the storage-common
 * partitioner keys). Keys Confluent has that we accept but do not act on say so in their doc.
 */
export const s3SinkConfigDef = new ConfigDef()
  // S3
  .define({
    name: 's3.bucket.name',
    type: 'STRING',
    importance: 'HIGH',
    group: 'S3',
    documentation: 'The S3 bucket. It must exist; the task checks it at start and fails with a clear status otherwise.',
    validator: Validators.nonEmptyString(),
  })
  .define({
    name: 's3.region',
    type: 'STRING',
    default: 'us-west-2',
    importance: 'MEDIUM',
    group: 'S3',
    documentation: 'The AWS region of the bucket.',
  })
  .define({
    name: 'store.url',
    type: 'STRING',
    default: null,
    importance: 'HIGH',
    group: 'S3',
    documentation: 'A custom S3 endpoint (MinIO, LocalStack, …), e.g. http://127.0.0.1:9000. Unset means AWS.',
  })
  .define({
    name: 's3.path.style.access.enabled',
    type: 'BOOLEAN',
    default: true,
    importance: 'LOW',
    group: 'S3',
    documentation:
      'Path-style addressing (bucket in the path), needed by most S3-compatible servers. Used only with store.url.',
  })
  .define({
    name: 'aws.access.key.id',
    type: 'STRING',
    default: '',
    importance: 'HIGH',
    group: 'S3',
    documentation:
      'Access key. Empty means the default AWS credential chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the environment, profiles, instance roles). Config providers (${env:…}, ${file:…}) work here.',
  })
  .define({
    name: 'aws.secret.access.key',
    type: 'PASSWORD',
    default: '',
    importance: 'HIGH',
    group: 'S3',
    documentation: 'Secret key matching aws.access.key.id.',
  })
  .define({
    name: 's3.part.size',
    type: 'INT',
    default: 25 * MIB,
    importance: 'HIGH',
    group: 'S3',
    documentation:
      'Size of each multipart upload part, 5 MiB to 2 GiB. Unlike the Java connector this is not allocated per open file: see s3.memory.buffer.max.bytes.',
    validator: Validators.between(5 * MIB, 2 ** 31 - 1),
  })
  .define({
    name: 's3.memory.buffer.max.bytes',
    type: 'LONG',
    default: 64 * MIB,
    importance: 'MEDIUM',
    group: 'S3',
    documentation:
      'Tributary only. Bytes of not-yet-uploaded object data kept in memory across all open files of a task; beyond it the largest buffers spill to temporary files under s3.spill.dir until they make a full part.',
    validator: Validators.atLeast(MIB),
  })
  .define({
    name: 's3.spill.dir',
    type: 'STRING',
    default: '',
    importance: 'LOW',
    group: 'S3',
    documentation: 'Tributary only. Directory for spilled part data; empty means the OS temporary directory.',
  })
  .define({
    name: 's3.part.retries',
    type: 'INT',
    default: 3,
    importance: 'MEDIUM',
    group: 'S3',
    documentation:
      'Retries of one S3 request inside the client before the task backs off (see retry.backoff.ms) and tries again; nothing is dropped either way.',
    validator: Validators.atLeast(0),
  })
  .define({
    name: 's3.retry.backoff.ms',
    type: 'LONG',
    default: 200,
    importance: 'LOW',
    group: 'S3',
    documentation: 'Base backoff of the client-level retries.',
    validator: Validators.atLeast(0),
  })
  .define({
    name: 'retry.backoff.ms',
    type: 'LONG',
    default: 5000,
    importance: 'LOW',
    group: 'S3',
    documentation:
      'How long the task waits before trying again after S3 failed (the batch is re-delivered; already buffered records are not written twice).',
    validator: Validators.atLeast(0),
  })
  .define({
    name: 's3.compression.type',
    type: 'STRING',
    default: 'none',
    importance: 'LOW',
    group: 'S3',
    documentation: 'none or gzip (JSON and ByteArray formats only; adds .gz).',
    validator: Validators.in('none', 'gzip'),
  })
  .define({
    name: 's3.compression.level',
    type: 'INT',
    default: -1,
    importance: 'LOW',
    group: 'S3',
    documentation: 'gzip level, -1 (zlib default) to 9.',
    validator: Validators.between(-1, 9),
  })
  .define({
    name: 's3.acl.canned',
    type: 'STRING',
    default: null,
    importance: 'LOW',
    group: 'S3',
    documentation: 'Canned ACL of uploaded objects, e.g. bucket-owner-full-control.',
  })
  .define({
    name: 's3.ssea.name',
    type: 'STRING',
    default: '',
    importance: 'LOW',
    group: 'S3',
    documentation: 'Server-side encryption algorithm: AES256 or aws:kms.',
  })
  .define({
    name: 's3.sse.kms.key.id',
    type: 'STRING',
    default: '',
    importance: 'LOW',
    group: 'S3',
    documentation: 'KMS key id for aws:kms server-side encryption.',
  })
  // Storage / format
  .define({
    name: 'storage.class',
    type: 'CLASS',
    default: 'io.confluent.connect.s3.storage.S3Storage',
    importance: 'HIGH',
    group: 'Storage',
    documentation: 'Accepted for compatibility; only io.confluent.connect.s3.storage.S3Storage exists.',
    validator: Validators.in('io.confluent.connect.s3.storage.S3Storage', 'S3Storage'),
  })
  .define({
    name: 'format.class',
    type: 'CLASS',
    importance: 'HIGH',
    group: 'Storage',
    documentation:
      'io.confluent.connect.s3.format.json.JsonFormat (JSON lines), .avro.AvroFormat (Avro container files, schema from the Connect schema), .parquet.ParquetFormat, or .bytearray.ByteArrayFormat (raw bytes plus a separator).',
    validator: oneOf(FORMAT_CLASSES),
  })
  .define({
    name: 'topics.dir',
    type: 'STRING',
    default: 'topics',
    importance: 'HIGH',
    group: 'Storage',
    documentation: 'Key prefix of every object; empty means none.',
  })
  .define({
    name: 'directory.delim',
    type: 'STRING',
    default: '/',
    importance: 'MEDIUM',
    group: 'Storage',
    documentation: 'Separator of the directories in object keys.',
  })
  .define({
    name: 'file.delim',
    type: 'STRING',
    default: '+',
    importance: 'MEDIUM',
    group: 'Storage',
    documentation: 'Separator of topic, partition and start offset in object names.',
  })
  .define({
    name: 'filename.offset.zero.pad.width',
    type: 'INT',
    default: 10,
    importance: 'LOW',
    group: 'Storage',
    documentation: 'Width the start offset is zero-padded to.',
    validator: Validators.atLeast(0),
  })
  .define({
    name: 'flush.size',
    type: 'INT',
    importance: 'HIGH',
    group: 'Connector',
    documentation: 'Records per Kafka partition after which every open file of that partition is completed (rotation).',
    validator: Validators.atLeast(1),
  })
  .define({
    name: 'rotate.interval.ms',
    type: 'LONG',
    default: -1,
    importance: 'HIGH',
    group: 'Connector',
    documentation:
      "Rotate when a record's timestamp (per timestamp.extractor; the Kafka timestamp for Default/Field) is this far past the first record of the open file. Unlike the Java connector, a file on a partition that went quiet is also completed once this much wall-clock time passed since it was opened. -1 disables.",
  })
  .define({
    name: 'rotate.schedule.interval.ms',
    type: 'LONG',
    default: -1,
    importance: 'MEDIUM',
    group: 'Connector',
    documentation:
      'Wall-clock rotation at boundaries aligned to midnight in timezone (which must be set). Not deterministic: gives up exactly-once. -1 disables.',
  })
  .define({
    name: 'behavior.on.null.values',
    type: 'STRING',
    default: 'fail',
    importance: 'LOW',
    group: 'Connector',
    documentation:
      'Tombstones: fail (report to the error handler, which fails the task unless errors.tolerance=all) or ignore (skip). write is not supported.',
    validator: Validators.inIgnoreCase('fail', 'ignore'),
  })
  .define({
    name: 'schema.compatibility',
    type: 'STRING',
    default: 'NONE',
    importance: 'LOW',
    group: 'Connector',
    documentation: 'Accepted for compatibility. A value schema change always starts a new file (what NONE does).',
    validator: Validators.inIgnoreCase('NONE', 'BACKWARD', 'FORWARD', 'FULL'),
  })
  .define({
    name: 'schema.generator.class',
    type: 'CLASS',
    default: null,
    importance: 'LOW',
    group: 'Connector',
    documentation: 'Accepted for compatibility and ignored.',
  })
  .define({
    name: 'json.decimal.format',
    type: 'STRING',
    default: 'BASE64',
    importance: 'LOW',
    group: 'Format',
    documentation: 'How JsonFormat writes Decimal values: BASE64 (unscaled bytes, as Connect) or NUMERIC.',
    validator: Validators.inIgnoreCase('BASE64', 'NUMERIC'),
  })
  .define({
    name: 'format.bytearray.extension',
    type: 'STRING',
    default: '.bin',
    importance: 'LOW',
    group: 'Format',
    documentation: 'Extension of ByteArrayFormat objects.',
  })
  .define({
    name: 'format.bytearray.separator',
    type: 'STRING',
    default: null,
    importance: 'LOW',
    group: 'Format',
    documentation: 'Bytes written after each ByteArrayFormat record; unset means the line separator (a newline).',
  })
  .define({
    name: 'avro.codec',
    type: 'STRING',
    default: 'null',
    importance: 'LOW',
    group: 'Format',
    documentation: 'Avro block codec: null or deflate.',
    validator: Validators.in('null', 'deflate'),
  })
  .define({
    name: 'parquet.codec',
    type: 'STRING',
    default: 'snappy',
    importance: 'LOW',
    group: 'Format',
    documentation: 'Parquet compression: none/uncompressed, snappy or gzip. Part of the extension (.snappy.parquet).',
    validator: Validators.inIgnoreCase('none', 'uncompressed', 'snappy', 'gzip'),
  })
  // Partitioner
  .define({
    name: 'partitioner.class',
    type: 'CLASS',
    default: `${PARTITIONERS}.DefaultPartitioner`,
    importance: 'HIGH',
    group: 'Partitioner',
    documentation:
      'io.confluent.connect.storage.partitioner.DefaultPartitioner, FieldPartitioner, TimeBasedPartitioner, DailyPartitioner or HourlyPartitioner.',
    validator: oneOf(PARTITIONER_CLASSES),
  })
  .define({
    name: 'partition.field.name',
    type: 'LIST',
    default: '',
    importance: 'MEDIUM',
    group: 'Partitioner',
    documentation:
      'FieldPartitioner: the value fields (dotted paths for nested ones) whose values name the directories. A record without them goes to the error handler.',
  })
  .define({
    name: 'path.format',
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: 'Partitioner',
    documentation:
      "TimeBasedPartitioner: Joda-style pattern of the directories, e.g. 'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH.",
  })
  .define({
    name: 'partition.duration.ms',
    type: 'LONG',
    default: -1,
    importance: 'MEDIUM',
    group: 'Partitioner',
    documentation: 'TimeBasedPartitioner: width of a time bucket; timestamps are floored to it before formatting.',
  })
  .define({
    name: 'locale',
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: 'Partitioner',
    documentation: 'Locale of path.format (required by time-based partitioners), e.g. en-US.',
  })
  .define({
    name: 'timezone',
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: 'Partitioner',
    documentation: 'Time zone of path.format and of rotate.schedule.interval.ms, e.g. UTC.',
  })
  .define({
    name: 'timestamp.extractor',
    type: 'STRING',
    default: 'Wallclock',
    importance: 'MEDIUM',
    group: 'Partitioner',
    documentation:
      'Record (Kafka timestamp), RecordField (timestamp.field of the value: epoch ms, Date or ISO text) or Wallclock (not deterministic).',
    validator: Validators.in('Record', 'RecordField', 'Wallclock'),
  })
  .define({
    name: 'timestamp.field',
    type: 'STRING',
    default: 'timestamp',
    importance: 'MEDIUM',
    group: 'Partitioner',
    documentation: 'RecordField extractor: the (dotted) value field holding the timestamp.',
  })
  .define({
    name: 'partitioner.max.open.files',
    type: 'INT',
    default: -1,
    importance: 'LOW',
    group: 'Partitioner',
    documentation:
      'When opening one more file per Kafka partition would exceed this, every open file is completed first. -1 is unlimited (memory stays bounded anyway).',
  });

/** Cross-key checks the per-key validators cannot make. */
export function crossCheck(c: ParsedConfig): { key: string; message: string }[] {
  const out: { key: string; message: string }[] = [];
  const partitioner = PARTITIONER_CLASSES[c.string('partitioner.class')];
  const format = FORMAT_CLASSES[c.string('format.class')];
  if (partitioner === 'field' && c.list('partition.field.name').length === 0) {
    out.push({
      key: 'partition.field.name',
      message: 'FieldPartitioner needs partition.field.name (one or more value fields).',
    });
  }
  if (partitioner === 'time' || partitioner === 'daily' || partitioner === 'hourly') {
    if (!c.optionalString('locale'))
      out.push({ key: 'locale', message: 'Time-based partitioners need locale, e.g. en-US.' });
    if (!c.optionalString('timezone'))
      out.push({ key: 'timezone', message: 'Time-based partitioners need timezone, e.g. UTC.' });
    if (partitioner === 'time') {
      if (!c.optionalString('path.format'))
        out.push({
          key: 'path.format',
          message: "TimeBasedPartitioner needs path.format, e.g. 'year'=YYYY/'month'=MM/'day'=dd.",
        });
      if (c.int('partition.duration.ms') <= 0)
        out.push({
          key: 'partition.duration.ms',
          message: 'TimeBasedPartitioner needs a positive partition.duration.ms.',
        });
    }
  }
  if (c.int('rotate.schedule.interval.ms') > 0 && !c.optionalString('timezone')) {
    out.push({
      key: 'timezone',
      message: 'rotate.schedule.interval.ms needs timezone (boundaries are aligned to its midnight).',
    });
  }
  if (c.string('s3.compression.type') === 'gzip' && (format === 'avro' || format === 'parquet')) {
    out.push({
      key: 's3.compression.type',
      message: 'gzip applies to JsonFormat and ByteArrayFormat only; use avro.codec or parquet.codec.',
    });
  }
  const tz = c.optionalString('timezone');
  if (tz) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
    } catch {
      out.push({ key: 'timezone', message: `Unknown time zone ${tz}.` });
    }
  }
  return out;
}
