import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DataError, RetriableError, type SinkRecord } from '@tributary/connect-api';
import { jsonFormat } from './format/json-format.js';
import { createPartitioner } from './partitioner/partitioner.js';
import { s3SinkConfigDef } from './config.js';
import { MemoryBudget } from './spill-buffer.js';
import { TopicPartitionWriter, type WriterSettings } from './topic-partition-writer.js';

/** A fake bucket: objects become visible on complete(); `failNext` makes the next complete() fail. */
function fakeStorage() {
  const objects = new Map<string, string>();
  const state = { failNext: 0, aborted: 0, gate: null as Promise<void> | null };
  return {
    objects,
    state,
    object(key: string) {
      const chunks: Buffer[] = [];
      return {
        key,
        write: (c: Buffer) => {
          chunks.push(c);
        },
        uploadFullParts: async () => {},
        complete: async () => {
          if (state.gate) await state.gate;
          if (state.failNext > 0) {
            state.failNext--;
            throw new RetriableError('S3 away');
          }
          objects.set(key, Buffer.concat(chunks).toString());
        },
        abort: async () => {
          state.aborted++;
        },
      };
    },
  };
}

const rec = (offset: number, value: unknown = { n: offset }): SinkRecord => ({
  topic: 't',
  kafkaPartition: 0,
  kafkaOffset: offset,
  key: null,
  value,
  headers: [],
  timestamp: 1000 + offset,
  originalTopic: 't',
  originalKafkaPartition: 0,
  originalKafkaOffset: offset,
});

function setup(extra: Partial<WriterSettings> = {}, props: Record<string, string> = {}) {
  const storage = fakeStorage();
  const bad: string[] = [];
  let now = 0;
  const c = s3SinkConfigDef.parse({ 's3.bucket.name': 'b', 'flush.size': '3', 'format.class': 'JsonFormat', ...props });
  const w = new TopicPartitionWriter(
    { topic: 't', partition: 0 },
    {
      storage: storage as never,
      budget: new MemoryBudget(1 << 20, ''),
      format: jsonFormat(null, false),
      partitioner: createPartitioner(c),
      naming: { topicsDir: 'topics', directoryDelim: '/', fileDelim: '+', zeroPadWidth: 10, extension: '.json' },
      flushSize: 3,
      rotateIntervalMs: -1,
      rotateScheduleIntervalMs: -1,
      timezone: 'UTC',
      maxOpenFiles: -1,
      ignoreNulls: false,
      reportBad: async (r, e) => {
        bad.push(`${r.kafkaOffset}: ${e.message}`);
      },
      now: () => now,
      ...extra,
    },
  );
  return {
    w,
    storage,
    bad,
    tick: (ms: number) => {
      now += ms;
    },
  };
}

describe('TopicPartitionWriter', () => {
  it('rotates every flush.size records and commits only what is complete', async () => {
    const { w, storage } = setup();
    await w.write([0, 1, 2, 3, 4].map((o) => rec(o)));
    await w.idle(); // rotated objects are uploaded in the background
    assert.deepEqual([...storage.objects.keys()], ['topics/t/partition=0/t+0+0000000000.json']);
    assert.equal(storage.objects.get('topics/t/partition=0/t+0+0000000000.json'), '{"n":0}\n{"n":1}\n{"n":2}\n');
    assert.equal(w.committable, 3);
  });

  it('S3 failing on complete: the re-delivered batch writes nothing twice and loses nothing', async () => {
    const { w, storage } = setup();
    storage.state.failNext = 3;
    const batch = [0, 1, 2, 3, 4, 5, 6].map((o) => rec(o));
    // Uploads run in the background; a failure surfaces in a later write, and the runtime re-delivers
    // the batch after a RetriableError until a write succeeds.
    let failures = 0;
    for (;;) {
      try {
        await w.write(batch);
        await w.idle();
        break;
      } catch (err) {
        assert.ok(err instanceof RetriableError);
        if (failures++ === 0) assert.equal(w.committable, null);
        assert.ok(failures < 10);
      }
    }
    assert.ok(failures >= 1);
    assert.equal(storage.state.failNext, 0);
    assert.deepEqual(
      [...storage.objects.keys()],
      ['topics/t/partition=0/t+0+0000000000.json', 'topics/t/partition=0/t+0+0000000003.json'],
    );
    assert.equal(storage.objects.get('topics/t/partition=0/t+0+0000000003.json'), '{"n":3}\n{"n":4}\n{"n":5}\n');
    assert.equal(w.committable, 6);
  });

  it('uploads a rotation in the background while the next records are written; commits only once it is complete', async () => {
    let commits = 0;
    const { w, storage } = setup({
      onCommittable: () => {
        commits++;
      },
    });
    let open!: () => void;
    storage.state.gate = new Promise((resolve) => {
      open = resolve;
    });
    await w.write([0, 1, 2, 3].map((o) => rec(o))); // returns with the first object still uploading
    assert.equal(storage.objects.size, 0);
    assert.equal(w.committable, null);
    assert.equal(w.openFiles, 1);
    await w.write([4].map((o) => rec(o)));
    open();
    await w.idle();
    assert.equal(commits, 1);
    assert.equal(w.committable, 3);
    await w.write([5, 6].map((o) => rec(o))); // the second rotation
    await w.idle();
    assert.equal(storage.objects.get('topics/t/partition=0/t+0+0000000003.json'), '{"n":3}\n{"n":4}\n{"n":5}\n');
    assert.equal(w.committable, 6);
  });

  it('sends tombstones and records the partitioner rejects to the error handler, and still commits past them', async () => {
    const { w, bad } = setup({
      partitioner: {
        deterministic: true,
        timestamp: () => 0,
        encodePartition: (r) => {
          if ((r.value as { n: number }).n === 1) throw new DataError('no field');
          return 'x';
        },
      },
    });
    await w.write([rec(0, null), rec(1)]);
    assert.deepEqual(
      bad.map((b) => b.split(':')[0]),
      ['0', '1'],
    );
    assert.equal(w.committable, 2);
  });

  it('rotate.interval.ms: by record time while busy, by the timer once the partition is quiet', async () => {
    const { w, storage, tick } = setup({ flushSize: 100, rotateIntervalMs: 50 });
    await w.write([rec(0), rec(10), rec(60)]); // record 60 is 60 ms after record 0 → rotation before it
    assert.deepEqual([...storage.objects.keys()], ['topics/t/partition=0/t+0+0000000000.json']);
    assert.equal(await w.rotateIfDue(), false);
    tick(1060 + 2000); // wall clock well past the open file's first record, and quiet
    assert.equal(await w.rotateIfDue(), true);
    assert.equal(storage.objects.get('topics/t/partition=0/t+0+0000000060.json'), '{"n":60}\n');
    assert.equal(w.committable, 61);
  });
});
