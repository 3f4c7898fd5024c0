import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Log, ProduceRecord } from '../log.js';
import { openEmbeddedLog } from './index.js';
import { captureLogger, readAll, tempDir, text } from './test-support.js';

const segmentOf = (dir: string, topic: string, partition = 0): string => {
  const pdir = join(dir, 'topics', topic, String(partition));
  return join(
    pdir,
    readdirSync(pdir)
      .filter((f) => f.endsWith('.log'))
      .sort()
      .at(-1)!,
  );
};

const batchOf = (topic: string, prefix: string, n: number): ProduceRecord[] =>
  Array.from({ length: n }, (_, i) => ({ topic, key: null, value: Buffer.from(`${prefix}-${i}`) }));

/** Writes three batches of five records to `topic`, closes, and returns the segment size after each. */
async function threeBatches(dir: string, topic: string): Promise<number[]> {
  const log = await openEmbeddedLog({ dir, logger: captureLogger() });
  const sizes: number[] = [];
  for (const b of ['b0', 'b1', 'b2']) {
    await log.producer().send(batchOf(topic, b, 5));
    sizes.push(statSync(segmentOf(dir, topic)).size);
  }
  await log.close();
  return sizes;
}

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await tempDir();
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('embedded log: crash recovery', () => {
  it('truncates a torn last batch; earlier records stay and new appends follow them', async () => {
    await withDir(async (dir) => {
      const sizes = await threeBatches(dir, 't');
      truncateSync(segmentOf(dir, 't'), sizes[2]! - 7);

      const logger = captureLogger();
      const log = await openEmbeddedLog({ dir, logger });
      try {
        assert.ok(logger.messages('warn').some((m) => /truncated a torn or corrupt tail/.test(m)));
        assert.equal(statSync(segmentOf(dir, 't')).size, sizes[1], 'cut back to the end of the last whole batch');
        assert.deepEqual(await log.admin().partitionOffsets('t'), [{ partition: 0, low: 0, high: 10 }]);
        const acks = await log.producer().send(batchOf('t', 'new', 2));
        assert.deepEqual(
          acks.map((a) => a.offset),
          [10, 11],
        );
        const records = await readAll(log, 't');
        assert.deepEqual(
          records.map((r) => text(r.value)),
          [
            ...Array.from({ length: 5 }, (_, i) => `b0-${i}`),
            ...Array.from({ length: 5 }, (_, i) => `b1-${i}`),
            'new-0',
            'new-1',
          ],
        );
        assert.deepEqual(
          records.map((r) => r.offset),
          Array.from({ length: 12 }, (_, i) => i),
        );
      } finally {
        await log.close();
      }
    });
  });

  it('cuts from a corrupt batch on (CRC mismatch), keeping the batches before it', async () => {
    await withDir(async (dir) => {
      const sizes = await threeBatches(dir, 't');
      const path = segmentOf(dir, 't');
      const bytes = readFileSync(path);
      bytes[sizes[0]! + 40]! ^= 0xff; // inside the second batch's first record
      writeFileSync(path, bytes);

      const logger = captureLogger();
      const log = await openEmbeddedLog({ dir, logger });
      try {
        const warning = logger.lines.find((l) => l.level === 'warn' && /truncated/.test(l.msg));
        assert.ok(warning, 'the cut is logged');
        assert.match(JSON.stringify(warning.obj), /CRC mismatch/);
        assert.deepEqual(await log.admin().partitionOffsets('t'), [{ partition: 0, low: 0, high: 5 }]);
        await log.producer().send(batchOf('t', 'new', 1));
        const values = (await readAll(log, 't')).map((r) => text(r.value));
        assert.deepEqual(values, ['b0-0', 'b0-1', 'b0-2', 'b0-3', 'b0-4', 'new-0']);
      } finally {
        await log.close();
      }
    });
  });

  it('keeps every acked record when the writing process is killed with SIGKILL', async () => {
    await withDir(async (dir) => {
      const script = join(dir, 'producer.mjs');
      const index = new URL('./index.js', import.meta.url).href;
      writeFileSync(
        script,
        `import { openEmbeddedLog } from ${JSON.stringify(index)};
const noop = () => {};
const log = await openEmbeddedLog({ dir: process.argv[2], defaultPartitions: 2, segmentBytes: 32768,
  logger: { debug: noop, info: noop, warn: noop, error: noop } });
const producer = log.producer();
let seq = 0;
for (;;) {
  const batch = [];
  for (let i = 0; i < 50; i++, seq++) batch.push({ topic: 'crash', partition: seq % 2, key: null, value: Buffer.from('v-' + seq) });
  await producer.send(batch);
  process.stdout.write(seq + '\\n');
}
`,
      );
      const data = join(dir, 'data');
      const child = spawn(process.execPath, [script, data], { stdio: ['ignore', 'pipe', 'inherit'] });
      let acked = 0;
      const exited = new Promise((r) => child.once('exit', r));
      for await (const line of createInterface({ input: child.stdout! })) {
        acked = Number(line);
        if (acked >= 20_000) {
          child.kill('SIGKILL');
          break;
        }
      }
      await exited;
      assert.equal(child.signalCode, 'SIGKILL');

      const logger = captureLogger();
      const log: Log = await openEmbeddedLog({ dir: data, logger });
      try {
        assert.ok(
          logger.messages('warn').some((m) => /stale lock/.test(m)),
          'the dead writer’s lock is taken over',
        );
        const records = await readAll(log, 'crash', 30_000);
        const seen = new Set<number>();
        for (const r of records) {
          const seq = Number(text(r.value)!.slice(2));
          assert.equal(
            seq,
            r.offset * 2 + r.partition,
            `record at ${r.partition}:${r.offset} is the one written there`,
          );
          seen.add(seq);
        }
        for (let s = 0; s < acked; s++) assert.ok(seen.has(s), `acked record ${s} survives`);
        const acks = await log.producer().send([{ topic: 'crash', partition: 0, key: null, value: null }]);
        assert.equal(
          acks[0]!.offset,
          records.filter((r) => r.partition === 0).length,
          'appends continue after recovery',
        );
      } finally {
        await log.close();
      }
    });
  });
});

describe('embedded log: persistence', () => {
  it('keeps topics, configs, committed offsets and offsets across reopen', async () => {
    await withDir(async (dir) => {
      let log = await openEmbeddedLog({ dir, defaultPartitions: 2, logger: captureLogger() });
      await log.admin().createTopics([{ topic: 'configs', partitions: 1, configs: { 'cleanup.policy': 'compact' } }]);
      await log.producer().send(batchOf('auto', 'a', 4));
      const consumer = log.consumer({ groupId: 'g', topics: ['subscribed'] });
      await consumer.start();
      await log.admin().setGroupOffsets('other', [{ topic: 'auto', partition: 1, offset: 1 }]);
      await log.close();

      assert.equal(
        readFileSync(join(dir, 'topics', 'configs', 'meta.json'), 'utf8'),
        '{\n  "version": 1,\n  "topic": "configs",\n  "partitions": 1,\n  "configs": {\n    "cleanup.policy": "compact"\n  }\n}\n',
        'meta.json version 1 (golden)',
      );

      log = await openEmbeddedLog({ dir, logger: captureLogger() });
      try {
        const admin = log.admin();
        assert.deepEqual(await admin.listTopics(), ['auto', 'configs', 'subscribed']);
        assert.equal(await admin.partitionCount('auto'), 2, 'auto-created with defaultPartitions');
        assert.equal(await admin.partitionCount('subscribed'), 2, 'auto-created on subscribe');
        assert.deepEqual(await admin.groupOffsets('other'), [{ topic: 'auto', partition: 1, offset: 1 }]);
        const before = await admin.partitionOffsets('auto');
        assert.equal(
          before.reduce((n, p) => n + p.high, 0),
          4,
        );
        const acks = await log.producer().send([{ topic: 'auto', partition: 0, key: null, value: null }]);
        assert.equal(acks[0]!.offset, before[0]!.high);
      } finally {
        await log.close();
      }
    });
  });

  it('spreads keyless records over partitions between sends, keeping one send together', async () => {
    await withDir(async (dir) => {
      const log = await openEmbeddedLog({ dir, defaultPartitions: 3, logger: captureLogger() });
      try {
        const producer = log.producer();
        const partitions = new Set<number>();
        for (let i = 0; i < 3; i++) {
          const acks = await producer.send(batchOf('keyless', `s${i}`, 4));
          assert.equal(new Set(acks.map((a) => a.partition)).size, 1, 'one send sticks to one partition');
          partitions.add(acks[0]!.partition);
        }
        assert.equal(partitions.size, 3);
        await assert.rejects(
          producer.send([{ topic: 'keyless', partition: 3, key: null, value: null }]),
          /no partition 3/,
        );
        await assert.rejects(producer.send([{ topic: 'bad/name', key: null, value: null }]), /invalid topic name/);
      } finally {
        await log.close();
      }
    });
  });

  it('keeps the send order of a partition when an earlier send waits for a new topic', async () => {
    await withDir(async (dir) => {
      const log = await openEmbeddedLog({ dir, logger: captureLogger() });
      try {
        const producer = log.producer();
        await producer.send(batchOf('existing', 'first', 1));
        // The first send creates 'fresh' before it places its record for 'existing'; the second need not wait.
        const sends = [
          producer.send([...batchOf('fresh', 'a', 1), ...batchOf('existing', 'a', 1)]),
          producer.send(batchOf('existing', 'b', 1)),
        ];
        await Promise.all(sends);
        const values = (await readAll(log, 'existing')).map((r) => text(r.value));
        assert.deepEqual(values, ['first-0', 'a-0', 'b-0']);
      } finally {
        await log.close();
      }
    });
  });

  it('rejects invalid options with every problem named', async () => {
    await assert.rejects(openEmbeddedLog({ dir: '/tmp/x', segmentBytes: 10, retentionMs: -5 }), (err: Error) => {
      assert.match(err.message, /segmentBytes/);
      assert.match(err.message, /retentionMs/);
      return true;
    });
  });

  it('resolves a waiting poll empty when the log closes', async () => {
    await withDir(async (dir) => {
      const log = await openEmbeddedLog({ dir, logger: captureLogger() });
      const consumer = log.consumer({ groupId: 'g', topics: ['t'] });
      await consumer.start();
      const waiting = consumer.poll(30_000);
      await new Promise((r) => setTimeout(r, 50));
      const started = Date.now();
      await log.close();
      assert.deepEqual(await waiting, []);
      assert.ok(Date.now() - started < 5000);
      assert.throws(() => log.producer(), /closed/);
    });
  });
});

describe('embedded log: read-only', () => {
  it('tails what a writer appends, never writes, and stops before a torn tail without cutting it', async () => {
    await withDir(async (dir) => {
      const writer = await openEmbeddedLog({ dir, logger: captureLogger() });
      const reader = await openEmbeddedLog({ dir, readOnly: true, tailIntervalMs: 20, logger: captureLogger() });
      try {
        await writer.producer().send(batchOf('t', 'first', 3));
        const consumer = reader.consumer({ groupId: 'cli', topics: ['t'] });
        await consumer.start();
        const seen: string[] = [];
        const deadline = Date.now() + 10_000;
        while (seen.length < 3 && Date.now() < deadline)
          seen.push(...(await consumer.poll(200)).map((r) => text(r.value)!));
        assert.deepEqual(seen, ['first-0', 'first-1', 'first-2'], 'sees a topic created after it opened');

        const polled = consumer.poll(10_000);
        await writer.producer().send(batchOf('t', 'second', 2));
        assert.deepEqual(
          (await polled).map((r) => text(r.value)),
          ['second-0', 'second-1'],
          'wakes on the writer’s append',
        );

        await assert.rejects(reader.producer().send(batchOf('t', 'x', 1)), /read-only/);
        await assert.rejects(reader.admin().createTopics([{ topic: 'new' }]), /read-only/);
        await assert.rejects(consumer.commit([{ topic: 't', partition: 0, offset: 5 }]), /read-only/);
        await consumer.close();
      } finally {
        await reader.close();
        await writer.close();
      }

      const path = segmentOf(dir, 't');
      appendFileSync(path, Buffer.from([0, 0, 0, 200, 1, 0, 0])); // a batch the writer had only begun
      const size = statSync(path).size;
      const again = await openEmbeddedLog({ dir, readOnly: true, logger: captureLogger() });
      try {
        assert.deepEqual(await again.admin().partitionOffsets('t'), [{ partition: 0, low: 0, high: 5 }]);
        assert.equal((await readAll(again, 't')).length, 5);
      } finally {
        await again.close();
      }
      assert.equal(statSync(path).size, size, 'a read-only open does not truncate');
    });
  });

  it('refuses a directory that does not exist', async () => {
    await assert.rejects(
      openEmbeddedLog({ dir: '/nonexistent/tributary', readOnly: true }),
      /no embedded log directory/,
    );
  });
});
