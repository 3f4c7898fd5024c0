import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import avro from 'avsc';
import {
  avroToConnectSchema,
  avroType,
  fromAvroValue,
  JsonWriter,
  type AvroSchema,
} from '@tributary/connect-converters';
import { SERVICES, ensureService } from '../support/services.js';
import { ROOT, WorkerProcess, waitFor } from '../support/worker-process.js';
import { freshBucket, getBytes, listKeys, s3Props } from './s3/s3-helpers.js';

/**
 * One record set with every Connect type and logical type (packages/connect-converters/golden, made by
 * Kafka 3.9.2's own JsonConverter) through every S3 format against a real MinIO: JSON objects equal
 * Kafka's bytes, Avro reads back to the same values, and pyarrow (from PyPI) reads the time-partitioned
 * JSON and Parquet sets with its own type inference.
 */
const GOLDEN = join(ROOT, 'packages/connect-converters/golden/fixtures/records');
const golden = (name: string) => readFile(join(GOLDEN, name), 'utf8');
const RECORDS = 4;
const HOURLY = {
  'partitioner.class': 'io.confluent.connect.storage.partitioner.TimeBasedPartitioner',
  'path.format': "'dt'=YYYY-MM-dd/'hr'=HH",
  'partition.duration.ms': '3600000',
  locale: 'en-US',
  timezone: 'UTC',
  'timestamp.extractor': 'RecordField',
  'timestamp.field': 'ts',
};
const JSON_FORMAT = 'io.confluent.connect.s3.format.json.JsonFormat';
const WITH_SCHEMAS = {
  'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'value.converter.schemas.enable': 'true',
};

/** The objects under `prefix`, in the order of their start offsets (the key's last part). */
async function objectsByOffset(bucket: string, prefix: string, count: number): Promise<string[]> {
  const keys = await waitFor(
    `${count} objects under ${prefix}`,
    async () => {
      const k = await listKeys(bucket, prefix);
      return k.length >= count ? k : null;
    },
    90_000,
    250,
  );
  const offset = (k: string) => Number(/\+(\d+)\.[^/]*$/.exec(k)![1]);
  return keys.sort((a, b) => offset(a) - offset(b));
}

function pyarrowDir(): string {
  return execFileSync('bash', [join(ROOT, 'test/services/clients.sh'), 'pyarrow'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

interface ArrowRead {
  rows: number;
  types: Record<string, string>;
  data: Record<string, unknown>[];
}

function readWithPyarrow(format: 'json' | 'parquet', path: string): ArrowRead {
  const s3 = SERVICES.s3;
  const out = execFileSync(
    'python3',
    [
      join(ROOT, 'test/e2e/s3/read_with_pyarrow.py'),
      s3.endpoint,
      s3.accessKeyId,
      s3.secretAccessKey,
      s3.region,
      format,
      path,
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: pyarrowDir() },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const read = JSON.parse(out) as ArrowRead;
  read.data.sort((a, b) => Number(a.id) - Number(b.id));
  return read;
}

/** Records of an Avro container file, each turned back into Connect data and written as Kafka's JsonConverter would. */
async function avroAsKafkaJson(bytes: Buffer): Promise<string[]> {
  let writer: AvroSchema | null = null;
  const decoder = new avro.streams.BlockDecoder({
    parseHook: (schema: unknown) => {
      writer = schema as AvroSchema;
      return avroType(writer);
    },
  });
  const records: unknown[] = [];
  decoder.on('data', (r: unknown) => records.push(r));
  await new Promise<void>((resolve, reject) => {
    decoder.on('end', resolve).on('error', reject);
    Readable.from([bytes]).pipe(decoder);
  });
  const schema = avroToConnectSchema(writer!);
  const json = new JsonWriter({ decimalNumeric: false, replaceNullWithDefault: true });
  return records.map((r) => json.write(schema, fromAvroValue(schema, r)));
}

describe('S3 sink: every Connect type through every format, against MinIO', () => {
  let w: WorkerProcess;
  let bucket: string;

  before(async () => {
    ensureService('s3');
    pyarrowDir(); // installs pyarrow on the first run, before timed waits start
    w = await WorkerProcess.create();
    await w.start();
    bucket = await freshBucket('types');
    for (const [name, topic, file] of [
      ['types-in', 'types', 'all-types.envelope.jsonl'],
      ['specials-in', 'specials', 'specials.envelope.jsonl'],
    ] as const) {
      const path = join(w.dir, file);
      await writeFile(path, await golden(file));
      const res = await w.request('POST', '/connectors', {
        name,
        config: { 'connector.class': 'FileStreamSource', file: path, topic },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
    const sinks: Record<string, Record<string, string>> = {
      'types-json': { topics: 'types', 'topics.dir': 'json', 'format.class': JSON_FORMAT, ...HOURLY },
      'types-json-numeric': {
        topics: 'types',
        'topics.dir': 'json-numeric',
        'format.class': JSON_FORMAT,
        'json.decimal.format': 'NUMERIC',
        's3.compression.type': 'gzip',
      },
      'types-avro': {
        topics: 'types',
        'topics.dir': 'avro',
        'format.class': 'io.confluent.connect.s3.format.avro.AvroFormat',
      },
      'types-parquet': {
        topics: 'types',
        'topics.dir': 'parquet',
        'format.class': 'io.confluent.connect.s3.format.parquet.ParquetFormat',
        ...HOURLY,
      },
      'types-bytes': {
        topics: 'types',
        'topics.dir': 'bytes',
        'format.class': 'io.confluent.connect.s3.format.bytearray.ByteArrayFormat',
        'value.converter': 'org.apache.kafka.connect.converters.ByteArrayConverter',
      },
      'specials-json': { topics: 'specials', 'topics.dir': 'specials', 'format.class': JSON_FORMAT, 'flush.size': '3' },
    };
    for (const [name, config] of Object.entries(sinks)) {
      const res = await w.request('POST', '/connectors', {
        name,
        config: {
          'connector.class': 'S3Sink',
          'flush.size': String(RECORDS),
          ...s3Props(bucket),
          ...WITH_SCHEMAS,
          ...config,
        },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
  });
  after(async () => {
    await w.stop();
  });

  it("JsonFormat: the objects of an hourly-partitioned set hold exactly the bytes Kafka's JsonConverter writes", async () => {
    const keys = await objectsByOffset(bucket, 'json/', RECORDS);
    console.log(`# ${keys.join(', ')}`);
    assert.equal(keys[0], 'json/types/dt=2024-03-01/hr=10/types+0+0000000000.json');
    const bytes = Buffer.concat(await Promise.all(keys.map((k) => getBytes(bucket, k))));
    assert.equal(bytes.toString('utf8'), await golden('all-types.jsonl'));
  });

  it('JsonFormat with json.decimal.format=NUMERIC and gzip; NaN and the infinities as Kafka writes them', async () => {
    const [numeric] = await objectsByOffset(bucket, 'json-numeric/', 1);
    assert.equal(
      gunzipSync(await getBytes(bucket, numeric!)).toString('utf8'),
      await golden('all-types.numeric.jsonl'),
    );
    const [specials] = await objectsByOffset(bucket, 'specials/', 1);
    assert.equal((await getBytes(bucket, specials!)).toString('utf8'), await golden('specials.jsonl'));
  });

  it("AvroFormat: every value reads back (INT64 extremes, decimals, dates, maps with int keys, nested structs) to Kafka's JSON", async () => {
    const [key] = await objectsByOffset(bucket, 'avro/', 1);
    const lines = await avroAsKafkaJson(await getBytes(bucket, key!));
    assert.equal(lines.map((l) => `${l}\n`).join(''), await golden('all-types.jsonl'));
  });

  it('ByteArrayFormat: the record bytes as they came', async () => {
    const [key] = await objectsByOffset(bucket, 'bytes/', 1);
    assert.equal((await getBytes(bucket, key!)).toString('utf8'), await golden('all-types.envelope.jsonl'));
  });

  it('pyarrow.dataset(format="json") reads the time-partitioned JSON set with its own type inference', async () => {
    await objectsByOffset(bucket, 'json/', RECORDS);
    const t = readWithPyarrow('json', `${bucket}/json/types`);
    console.log(`# pyarrow JSON types: ${JSON.stringify(t.types)}`);
    assert.equal(t.rows, RECORDS);
    // Inferred from the first object alone (hour=10): the whole FLOAT64 60.0 makes the column double, so 22.5 reads.
    assert.equal(t.types.f64, 'double');
    assert.equal(t.types.f32, 'double');
    assert.equal(t.types.i64, 'int64');
    assert.equal(t.types.doubles, 'list<item: double>');
    assert.equal(t.types.hr, 'int32');
    assert.deepEqual(
      t.data.map((r) => r.f64),
      ['60.0', '22.5', '1.7976931348623157e+308', '5e-324'],
    );
    assert.deepEqual(
      t.data.map((r) => r.f32),
      ['0.4', '-0.0', '3.4028235e+38', '1.4e-45'],
    );
    assert.deepEqual(
      t.data.map((r) => r.i64),
      ['-9223372036854775808', '9223372036854775807', '0', '1'],
    );
    assert.deepEqual(t.data.map((r) => r.s)[1], 'q"uote\\ back\nline\ttab \u00e9 \u2603 \ud83d\ude00 \u0001 </script>');
  });

  it('pyarrow reads the Parquet set: DECIMAL, DATE, TIME, TIMESTAMP, INT8/16 and FLOAT columns with their values', async () => {
    await objectsByOffset(bucket, 'parquet/', RECORDS);
    const t = readWithPyarrow('parquet', `${bucket}/parquet/types`);
    console.log(`# pyarrow Parquet types: ${JSON.stringify(t.types)}`);
    assert.equal(t.rows, RECORDS);
    assert.equal(t.types.i8, 'int8');
    assert.equal(t.types.i16, 'int16');
    assert.equal(t.types.f32, 'float');
    assert.equal(t.types.d2, 'decimal256(64, 2)');
    assert.equal(t.types.day, 'date32[day]');
    assert.equal(t.types.tod, 'time32[ms]');
    assert.equal(t.types.ts, 'timestamp[ms, tz=UTC]');
    assert.deepEqual(
      t.data.map((r) => r.d2),
      ['12.30', '-0.01', '-123456789012345678901234567890.12', '0.50'],
    );
    assert.deepEqual(
      t.data.map((r) => r.d10),
      ['1E-10', '-123456789012.3456789012', '0E-10', '1.0000000000'],
    );
    assert.deepEqual(
      t.data.map((r) => r.day),
      ['2024-02-29', '1969-12-31', '1970-01-01', '9999-12-31'],
    );
    assert.deepEqual(
      t.data.map((r) => r.tod),
      ['00:00:00', '23:59:59.999000', '13:30:59.123000', '00:00:00.001000'],
    );
    assert.deepEqual(
      t.data.map((r) => r.i64),
      ['-9223372036854775808', '9223372036854775807', '0', '1'],
    );
    assert.deepEqual(
      t.data.map((r) => r.f64),
      ['60.0', '22.5', '1.7976931348623157e+308', '5e-324'],
    );
    assert.deepEqual(
      t.data.map((r) => r.by_id),
      ['[[1,10],[-2,20]]', '[]', '[[2147483647,-2147483648],[0,0]]', '[[5,6],[7,8]]'],
    );
  });
});
