import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureService } from '../support/services.js';
import { ROOT, WorkerProcess, waitFor } from '../support/worker-process.js';
import {
  avroRecords,
  freshBucket,
  getBytes,
  jsonLines,
  listKeys,
  orderEnvelope,
  parquetRows,
  s3Props,
} from './s3/s3-helpers.js';

/**
 * S3 sink against a real MinIO: the Confluent example config, each format read back by a standard
 * reader, and rotation of a partition that went quiet. Set S3_E2E_BOOTSTRAP=host:port to run on a
 * Kafka log instead of the embedded one. Records come from a FileStreamSource of
 * JsonConverter envelope lines; the sink reads them with JsonConverter schemas.enable=true.
 */
const WORKER_LOG: Record<string, string> = process.env.S3_E2E_BOOTSTRAP
  ? { 'bootstrap.servers': process.env.S3_E2E_BOOTSTRAP }
  : {};

describe('S3 sink: formats and naming against MinIO', () => {
  let w: WorkerProcess;
  before(async () => {
    ensureService('s3');
    w = await WorkerProcess.create(WORKER_LOG);
    await w.start();
  });
  after(async () => {
    await w.stop();
  });

  async function source(name: string, topic: string, lines: string[]): Promise<void> {
    const file = join(w.dir, `${name}.txt`);
    await writeFile(file, lines.join('\n') + '\n');
    const res = await w.request('POST', '/connectors', {
      name,
      config: { 'connector.class': 'FileStreamSource', file, topic },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
  }
  const schemaJson = {
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'true',
  };

  it('runs ../shared/examples/s3-sink-orders.json: ORDERS_ENRICHED+0+0000000000.avro, …0000000003.avro, readable Avro', async () => {
    const example = JSON.parse(await readFile(join(ROOT, 'test/e2e/s3/s3-sink-orders.json'), 'utf8'));
    const bucket = await freshBucket('orders');
    await source(
      'orders-in',
      'ORDERS_ENRICHED',
      Array.from({ length: 10 }, (_, i) => orderEnvelope(i)),
    );
    const res = await w.request('POST', '/connectors', {
      name: example.name,
      config: { ...example.config, ...s3Props(bucket), ...schemaJson },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const expected = [0, 3, 6].map(
      (o) => `topics/ORDERS_ENRICHED/partition=0/ORDERS_ENRICHED+0+${String(o).padStart(10, '0')}.avro`,
    );
    const keys = await waitFor(
      'three Avro objects',
      async () => {
        const k = await listKeys(bucket);
        return k.length >= 3 ? k : null;
      },
      60_000,
      200,
    );
    console.log(`# objects: ${keys.join(', ')}`);
    assert.deepEqual(keys, expected); // the 10th record waits in an open file for two more (flush.size=3)
    let id = 0;
    for (const key of keys) {
      const { schema, records } = await avroRecords(await getBytes(bucket, key));
      assert.equal(records.length, 3);
      assert.equal((schema as { name: string }).name, 'io.tributary.Order');
      for (const r of records as Record<string, unknown>[]) {
        assert.equal(r.ORDER_ID, id);
        assert.equal(r.REGION, id % 3 === 0 ? null : ['eu', 'us'][id % 2]);
        assert.deepEqual(r.ITEMS, [`sku-${id}`, `sku-${id + 1}`]);
        id++;
      }
    }
    // Only what is complete in S3 is committed: offset 9 (the 10th record is still in an open file).
    const offsets = await waitFor(
      'offset 9 committed',
      async () => {
        const r = await w.request('GET', `/connectors/${example.name}/offsets`);
        return JSON.stringify(r.body).includes('"kafka_offset":9') ? r.body : null;
      },
      15_000,
      200,
    );
    console.log(`# committed sink offsets: ${JSON.stringify(offsets)}`);
  });

  it('writes gzipped JSON lines and Parquet that standard readers read back', async () => {
    const bucket = await freshBucket('formats');
    await source(
      'fmt-in',
      'fmt',
      Array.from({ length: 25 }, (_, i) => orderEnvelope(i)),
    );
    const base = { topics: 'fmt', 'flush.size': '10', ...s3Props(bucket), ...schemaJson };
    await w.request('POST', '/connectors', {
      name: 'fmt-json',
      config: {
        'connector.class': 'S3Sink',
        ...base,
        'format.class': 'io.confluent.connect.s3.format.json.JsonFormat',
        's3.compression.type': 'gzip',
        'topics.dir': 'json',
      },
    });
    await w.request('POST', '/connectors', {
      name: 'fmt-parquet',
      config: {
        'connector.class': 'S3Sink',
        ...base,
        'format.class': 'io.confluent.connect.s3.format.parquet.ParquetFormat',
        'topics.dir': 'parquet',
      },
    });
    const keys = await waitFor(
      '2 JSON + 2 Parquet objects',
      async () => {
        const k = await listKeys(bucket);
        return k.length >= 4 ? k : null;
      },
      60_000,
      200,
    );
    console.log(`# objects: ${keys.join(', ')}`);
    assert.deepEqual(keys, [
      'json/fmt/partition=0/fmt+0+0000000000.json.gz',
      'json/fmt/partition=0/fmt+0+0000000010.json.gz',
      'parquet/fmt/partition=0/fmt+0+0000000000.snappy.parquet',
      'parquet/fmt/partition=0/fmt+0+0000000010.snappy.parquet',
    ]);
    const lines = [...(await jsonLines(bucket, keys[0]!)), ...(await jsonLines(bucket, keys[1]!))] as Record<
      string,
      unknown
    >[];
    assert.equal(lines.length, 20);
    assert.deepEqual(lines[4], {
      ORDER_ID: 4,
      CUSTOMER: 'customer-4',
      REGION: 'eu',
      AMOUNT: 6,
      ITEMS: ['sku-4', 'sku-5'],
    });
    const rows = [
      ...(await parquetRows(await getBytes(bucket, keys[2]!))),
      ...(await parquetRows(await getBytes(bucket, keys[3]!))),
    ];
    assert.equal(rows.length, 20);
    assert.equal(Number(rows[7]!.ORDER_ID), 7);
    assert.equal(rows[7]!.CUSTOMER, 'customer-0');
    assert.equal(rows[7]!.AMOUNT, 10.5);
    assert.equal(rows[6]!.REGION, null); // optional column, null value
    assert.deepEqual(rows[7]!.ITEMS, ['sku-7', 'sku-8']);
  });

  it('completes a file on a partition that went quiet (rotate.interval.ms), and commits it', async () => {
    const bucket = await freshBucket('quiet');
    const file = join(w.dir, 'quiet.txt');
    await writeFile(file, '');
    await w.request('POST', '/connectors', {
      name: 'quiet-in',
      config: { 'connector.class': 'FileStreamSource', file, topic: 'quiet' },
    });
    await w.request('POST', '/connectors', {
      name: 'quiet-out',
      config: {
        'connector.class': 'S3Sink',
        topics: 'quiet',
        'flush.size': '1000',
        'rotate.interval.ms': '3000',
        ...s3Props(bucket),
        'format.class': 'io.confluent.connect.s3.format.json.JsonFormat',
        'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
        'value.converter.schemas.enable': 'false',
      },
    });
    await appendFile(file, Array.from({ length: 5 }, (_, i) => JSON.stringify({ n: i })).join('\n') + '\n');
    const t0 = Date.now();
    const keys = await waitFor(
      'the quiet file to be completed',
      async () => {
        const k = await listKeys(bucket);
        return k.length >= 1 ? k : null;
      },
      30_000,
      100,
    );
    console.log(
      `# quiet partition: ${keys[0]} appeared ${Date.now() - t0} ms after 5 records were appended (rotate.interval.ms=3000)`,
    );
    assert.deepEqual(keys, ['topics/quiet/partition=0/quiet+0+0000000000.json']);
    assert.deepEqual(
      await jsonLines(bucket, keys[0]!),
      [0, 1, 2, 3, 4].map((n) => ({ n })),
    );
    const committed = await waitFor(
      'offset 5 committed',
      async () => {
        const r = await w.request<{ offsets: { offset: Record<string, number> }[] }>(
          'GET',
          '/connectors/quiet-out/offsets',
        );
        return JSON.stringify(r.body).includes('"kafka_offset":5') ? r.body : null;
      },
      10_000,
      200,
    );
    console.log(`# quiet partition offsets: ${JSON.stringify(committed)}`);
    // The next records start a new object at offset 5.
    await appendFile(file, JSON.stringify({ n: 5 }) + '\n');
    await waitFor(
      'second quiet object',
      async () => (await listKeys(bucket)).includes('topics/quiet/partition=0/quiet+0+0000000005.json'),
      30_000,
      200,
    );
  });
});
