import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Log, ProduceRecord } from '../log.js';
import { openEmbeddedLog, type EmbeddedLogOptions } from './index.js';
import { captureLogger, readAll, tempDir, text } from './test-support.js';

const segments = (dir: string, topic: string): string[] =>
  readdirSync(join(dir, 'topics', topic, '0'))
    .filter((f) => f.endsWith('.log'))
    .sort();

const records = (topic: string, from: number, n: number, timestamp?: number): ProduceRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    topic,
    key: null,
    value: Buffer.from(`v${from + i}`.padEnd(40, '.')),
    timestamp,
  }));

async function until(cond: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await cond())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function withLog(
  options: Omit<EmbeddedLogOptions, 'dir'>,
  body: (log: Log, dir: string) => Promise<void>,
): Promise<void> {
  const dir = await tempDir();
  const log = await openEmbeddedLog({ dir, logger: captureLogger(), ...options });
  try {
    await body(log, dir);
  } finally {
    await log.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const low = async (log: Log, topic: string): Promise<number> => (await log.admin().partitionOffsets(topic))[0]!.low;

describe('embedded log: segments and retention', () => {
  it('rolls segments and reads across them, seeking through the sparse index', async () => {
    await withLog({ segmentBytes: 4096 }, async (log, dir) => {
      const producer = log.producer();
      for (let i = 0; i < 100; i++) await producer.send(records('t', i * 10, 10));
      assert.ok(segments(dir, 't').length > 10, 'rolled');
      const all = await readAll(log, 't');
      assert.deepEqual(
        all.map((r) => r.offset),
        Array.from({ length: 1000 }, (_, i) => i),
      );
      assert.ok(all.every((r) => text(r.value)!.startsWith(`v${r.offset}.`)));

      const consumer = log.consumer({ groupId: 'seek', topics: ['t'], maxPollRecords: 3 });
      await consumer.start();
      for (const offset of [999, 0, 517, 123, 950, 10, 11]) {
        consumer.seek({ topic: 't', partition: 0 }, offset);
        const got = await consumer.poll(1000);
        assert.deepEqual(
          got.map((r) => r.offset),
          [offset, offset + 1, offset + 2].filter((o) => o < 1000),
        );
      }
      await consumer.close();
    });
  });

  it('deletes the oldest segments beyond retentionBytes, never the active one', async () => {
    await withLog({ segmentBytes: 2048, retentionBytes: 6000 }, async (log, dir) => {
      const producer = log.producer();
      for (let i = 0; i < 60; i++) await producer.send(records('t', i * 10, 10));
      await until(async () => segments(dir, 't').length <= 4, 'retention to delete old segments');
      const start = await low(log, 't');
      assert.ok(start > 0);
      const left = await readAll(log, 't');
      assert.equal(left[0]!.offset, start);
      assert.equal(left.at(-1)!.offset, 599);
    });
  });

  it('deletes segments whose newest record is older than retentionMs, but keeps compacted topics', async () => {
    await withLog({ segmentBytes: 2048, retentionMs: 60_000 }, async (log, dir) => {
      await log.admin().createTopics([{ topic: 'compacted', configs: { 'cleanup.policy': 'compact' } }]);
      const producer = log.producer();
      const old = Date.now() - 3_600_000;
      for (let i = 0; i < 30; i++) {
        await producer.send(records('t', i * 10, 10, old));
        await producer.send(records('compacted', i * 10, 10, old));
      }
      await producer.send(records('t', 300, 10));
      await until(async () => (await low(log, 't')) > 0, 'age retention');
      assert.ok(segments(dir, 't').length < 5);
      assert.equal(await low(log, 'compacted'), 0, 'compacted topics are never deleted by retention');
      assert.ok(segments(dir, 'compacted').length > 5);
    });
  });

  it('honours a topic’s own retention.ms over the log’s', async () => {
    await withLog({ segmentBytes: 2048 }, async (log) => {
      await log.admin().createTopics([{ topic: 'short', configs: { 'retention.ms': '60000' } }]);
      const producer = log.producer();
      const old = Date.now() - 3_600_000;
      for (let i = 0; i < 30; i++) {
        await producer.send(records('short', i * 10, 10, old));
        await producer.send(records('default', i * 10, 10, old));
      }
      await until(async () => (await low(log, 'short')) > 0, 'the topic’s retention.ms');
      assert.equal(await low(log, 'default'), 0, 'the log’s 7 days apply to the other topic');
    });
  });

  it('resets a committed offset that retention deleted to autoOffsetReset', async () => {
    const logger = captureLogger();
    await withLog({ segmentBytes: 2048, retentionBytes: 4000, logger }, async (log) => {
      await log.admin().setGroupOffsets('slow', [{ topic: 't', partition: 0, offset: 0 }]);
      const producer = log.producer();
      for (let i = 0; i < 50; i++) await producer.send(records('t', i * 10, 10));
      await until(async () => (await low(log, 't')) > 0, 'retention');
      const start = await low(log, 't');
      const consumer = log.consumer({ groupId: 'slow', topics: ['t'] });
      await consumer.start();
      const got = await consumer.poll(1000);
      assert.equal(got[0]!.offset, start);
      assert.ok(logger.messages('warn').some((m) => /out of range/.test(m)));
      await consumer.close();
    });
  });
});
