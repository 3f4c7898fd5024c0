import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedLog } from '../log/embedded/index.js';
import { browseDlq, redrive, REDRIVEN_HEADER, AlreadyRedriven } from './dlq.js';
import { viewBytes } from './record-view.js';

const b = (s: string) => Buffer.from(s);

describe('viewBytes', () => {
  it('shows printable UTF-8 as text, cut at the limit with the full size', () => {
    assert.deepEqual(viewBytes(b('héllo'), 100), { text: 'héllo', size: 6, truncated: false });
    const big = viewBytes(Buffer.alloc(1024 * 1024, 'a'), 4096)!;
    assert.equal(big.text!.length, 4096);
    assert.equal(big.size, 1024 * 1024);
    assert.equal(big.truncated, true);
    assert.equal(viewBytes(null, 10), null);
  });

  it('shows binary as hex, cut to half the limit in bytes', () => {
    assert.deepEqual(viewBytes(Uint8Array.from([0, 1, 0xff, 0x10]), 100), {
      hex: '0001ff10',
      size: 4,
      truncated: false,
    });
    const v = viewBytes(Uint8Array.from(Array.from({ length: 100 }, (_, i) => i)), 10)!;
    assert.equal(v.hex, '0001020304');
    assert.equal(v.truncated, true);
    assert.equal(viewBytes(Uint8Array.from([0xc3, 0x28]), 10)!.hex, 'c328', 'invalid UTF-8 is binary');
  });
});

describe('dead letter queue re-drive', () => {
  it('reports which records were sent and which were not (topic gone), notes the sent ones, and asks before a second re-drive', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tributary-dlq-'));
    const log = await openEmbeddedLog({ dir });
    try {
      await log.admin().createTopics([{ topic: 'orders', partitions: 1 }]);
      const p = log.producer();
      const dead = (i: number, topic: string) => ({
        topic: 'orders-dlq',
        key: b(`k${i}`),
        value: b(`v${i}`),
        headers: [
          { key: '__connect.errors.topic', value: b(topic) },
          { key: '__connect.errors.stage', value: b('VALUE_CONVERTER') },
          { key: 'trace-id', value: b(`t${i}`) },
        ],
      });
      await p.send([dead(0, 'orders'), dead(1, 'gone'), dead(2, 'orders')]);
      await p.close();

      const before = await browseDlq(log, 'orders-dlq', 100, 100);
      assert.equal(before.records.length, 3);
      assert.deepEqual(before.records[0]!.error, { topic: 'orders', stage: 'VALUE_CONVERTER' });

      const report = await redrive(log, 'orders-dlq', { force: false, fallbackTopic: null }, 100);
      assert.equal(report.sent, 2);
      assert.deepEqual(report.not_sent, [{ partition: 0, offset: 1, reason: 'topic gone does not exist' }]);

      const c = log.consumer({ groupId: 'check', topics: ['orders'], autoOffsetReset: 'earliest' });
      await c.start();
      const got = [];
      while (got.length < 2) got.push(...(await c.poll(500)));
      await c.close();
      assert.deepEqual(
        got.map((r) => Buffer.from(r.value!).toString()),
        ['v0', 'v2'],
      );
      assert.deepEqual(
        got[0]!.headers.map((h) => [h.key, Buffer.from(h.value!).toString()]),
        [
          ['trace-id', 't0'],
          [REDRIVEN_HEADER, 'orders-dlq/0/0'],
        ],
      );

      const after = await browseDlq(log, 'orders-dlq', 100, 100);
      assert.deepEqual(
        after.records.map((r) => r.redriven.length),
        [1, 0, 1],
      );
      await assert.rejects(
        redrive(log, 'orders-dlq', { records: [{ partition: 0, offset: 0 }], force: false, fallbackTopic: null }, 100),
        AlreadyRedriven,
      );
      const again = await redrive(
        log,
        'orders-dlq',
        {
          records: [
            { partition: 0, offset: 0 },
            { partition: 0, offset: 9 },
          ],
          force: true,
          fallbackTopic: null,
        },
        100,
      );
      assert.equal(again.sent, 1);
      assert.deepEqual(again.not_sent, [
        { partition: 0, offset: 9, reason: 'no such record in the dead letter queue' },
      ]);
      await log.admin().createTopics([{ topic: 'orders-replay', partitions: 1 }]);
      const elsewhere = await redrive(
        log,
        'orders-dlq',
        { records: [{ partition: 0, offset: 1 }], force: false, fallbackTopic: null, toTopic: 'orders-replay' },
        100,
      );
      assert.deepEqual(
        elsewhere,
        { sent: 1, not_sent: [] },
        'the record whose topic is gone goes to the topic asked for',
      );
    } finally {
      await log.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
