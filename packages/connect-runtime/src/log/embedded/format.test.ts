import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LogRecord, ProduceRecord } from '../log.js';
import {
  batchCrcMatches,
  decodeBatch,
  encodeBatch,
  headerProblem,
  readBatchHeader,
  readInt64,
  sealBatch,
  writeInt64,
} from './format.js';
import { groupFileName, serializeGroupFile } from './group-store.js';

const records: ProduceRecord[] = [
  {
    topic: 't',
    key: Buffer.from('k1'),
    value: Buffer.from('hello'),
    timestamp: 1_700_000_000_000,
    headers: [
      { key: 'h', value: Buffer.from('v') },
      { key: 'n', value: null },
    ],
  },
  { topic: 't', key: null, value: null, timestamp: 1_700_000_000_001 },
];

/** Version 1 of the batch format. If this test fails, the persisted format changed: bump the magic. */
const GOLDEN_BATCH_V1 =
  '0000006a01000000d0c013d1000000000000002a000000020000018bcfe56801' +
  '0000002e0000018bcfe56800000000026b310000000568656c6c6f0000000200' +
  '000001680000000176000000016effffffff000000140000018bcfe56801ffff' +
  'ffffffffffff00000000';

function sealed(): Buffer {
  const batch = encodeBatch(records, [0, 1], 0);
  sealBatch(batch.buffer, 42);
  return batch.buffer;
}

describe('batch format', () => {
  it('encodes version 1 byte for byte (golden)', () => {
    assert.equal(sealed().toString('hex'), GOLDEN_BATCH_V1);
  });

  it('reads the golden batch back', () => {
    const buf = Buffer.from(GOLDEN_BATCH_V1, 'hex');
    const h = readBatchHeader(buf, 0)!;
    assert.deepEqual(h, {
      length: 106,
      magic: 1,
      crc: 0xd0c013d1,
      baseOffset: 42,
      recordCount: 2,
      maxTimestamp: 1_700_000_000_001,
    });
    assert.equal(headerProblem(h), null);
    assert.ok(batchCrcMatches(buf, 0, h));
    const out: LogRecord[] = [];
    decodeBatch(buf, 0, h, 't', 3, 0, out);
    assert.equal(out.length, 2);
    assert.deepEqual(
      out.map((r) => ({
        ...r,
        key: r.key && Buffer.from(r.key).toString(),
        value: r.value && Buffer.from(r.value).toString(),
        headers: r.headers.map((x) => [x.key, x.value && Buffer.from(x.value).toString()]),
      })),
      [
        {
          topic: 't',
          partition: 3,
          offset: 42,
          timestamp: 1_700_000_000_000,
          key: 'k1',
          value: 'hello',
          headers: [
            ['h', 'v'],
            ['n', null],
          ],
        },
        { topic: 't', partition: 3, offset: 43, timestamp: 1_700_000_000_001, key: null, value: null, headers: [] },
      ],
    );
  });

  it('decodes from an offset inside the batch', () => {
    const buf = sealed();
    const out: LogRecord[] = [];
    decodeBatch(buf, 0, readBatchHeader(buf, 0)!, 't', 0, 43, out);
    assert.deepEqual(
      out.map((r) => r.offset),
      [43],
    );
  });

  it('detects a flipped bit with the CRC, and a bad magic', () => {
    for (const at of [12, 40, 105]) {
      const buf = sealed();
      buf[at]! ^= 0x10;
      assert.equal(batchCrcMatches(buf, 0, readBatchHeader(buf, 0)!), false, `flip at ${at}`);
    }
    const buf = sealed();
    buf[4] = 2;
    assert.match(headerProblem(readBatchHeader(buf, 0)!)!, /magic 2/);
  });

  it('uses the default timestamp and tracks the max timestamp', () => {
    const b = encodeBatch(
      [
        { topic: 't', key: null, value: Buffer.alloc(3) },
        { topic: 't', key: null, value: null, timestamp: 5 },
      ],
      [0, 1],
      99,
    );
    sealBatch(b.buffer, 0);
    assert.equal(b.maxTimestamp, 99);
    const out: LogRecord[] = [];
    decodeBatch(b.buffer, 0, readBatchHeader(b.buffer, 0)!, 't', 0, 0, out);
    assert.deepEqual(
      out.map((r) => r.timestamp),
      [99, 5],
    );
  });

  it('rejects a non-integer timestamp', () => {
    assert.throws(
      () => encodeBatch([{ topic: 't', key: null, value: null, timestamp: 1.5 }], [0], 0),
      /INVALID_RECORD|integer/,
    );
  });

  it('round-trips int64 values within ±2^53', () => {
    const buf = Buffer.alloc(8);
    for (const n of [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, -1, -(2 ** 40) - 7]) {
      writeInt64(buf, 0, n);
      assert.equal(readInt64(buf, 0), n);
      assert.equal(buf.readBigInt64BE(0), BigInt(n), 'the same bytes as a real int64');
    }
  });
});

describe('group offsets file', () => {
  it('is version 1, sorted, byte for byte (golden)', () => {
    const text = serializeGroupFile('g/1', [
      { topic: 'b', partition: 0, offset: 7 },
      { topic: 'a', partition: 10, offset: 3 },
      { topic: 'a', partition: 2, offset: 5 },
    ]);
    assert.equal(
      text,
      '{\n  "version": 1,\n  "groupId": "g/1",\n  "offsets": [\n' +
        '    {\n      "topic": "a",\n      "partition": 2,\n      "offset": 5\n    },\n' +
        '    {\n      "topic": "a",\n      "partition": 10,\n      "offset": 3\n    },\n' +
        '    {\n      "topic": "b",\n      "partition": 0,\n      "offset": 7\n    }\n  ]\n}\n',
    );
  });

  it('names files safely for any group id', () => {
    assert.equal(groupFileName('connect-my-sink'), 'connect-my-sink.json');
    assert.equal(groupFileName('a/b'), 'a%2Fb.json');
    const long = groupFileName('x'.repeat(500));
    assert.ok(long.length < 200 && long.endsWith('.json'));
    assert.notEqual(long, groupFileName(`${'x'.repeat(499)}y`));
  });
});
