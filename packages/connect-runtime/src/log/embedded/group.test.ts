import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import type { Consumer, Log, TopicPartitionRef } from '../log.js';
import { openEmbeddedLog } from './index.js';
import { captureLogger, tempDir } from './test-support.js';

const parts = (tps: TopicPartitionRef[]): string => tps.map((tp) => tp.partition).join(',');

async function withLog(body: (log: Log, logger: ReturnType<typeof captureLogger>) => Promise<void>): Promise<void> {
  const dir = await tempDir();
  const logger = captureLogger();
  const log = await openEmbeddedLog({ dir, defaultPartitions: 4, logger });
  try {
    await body(log, logger);
  } finally {
    await log.close();
    await rm(dir, { recursive: true, force: true });
  }
}

describe('embedded log: consumer groups', () => {
  it('revokes from the old owner (inside its poll) before assigning to the new one', async () => {
    await withLog(async (log) => {
      const events: string[] = [];
      const member = (name: string): Consumer =>
        log.consumer({
          groupId: 'g',
          topics: ['t'],
          listener: {
            onRevoked: async (tps) => void events.push(`${name} revoked ${parts(tps)}`),
            onAssigned: async (tps) => void events.push(`${name} assigned ${parts(tps)}`),
          },
        });
      const a = member('a');
      await a.start();
      const b = member('b');
      await b.start();
      assert.deepEqual(events, ['a assigned 0,1,2,3', 'b assigned '], 'b joins empty: a still owns everything');
      await b.poll(50);
      assert.equal(b.assignment().length, 0, 'nothing moves until a polls');
      await a.poll(0);
      await b.poll(0);
      assert.deepEqual(events.slice(2), ['a revoked 2,3', 'b assigned 2,3']);
      assert.equal(parts(a.assignment()), '0,1');

      await b.close();
      await a.poll(0);
      assert.deepEqual(events.slice(4), ['b revoked 2,3', 'a assigned 2,3']);
      await a.close();
      assert.deepEqual(events.slice(6), ['a revoked 0,1,2,3']);
    });
  });

  it('wakes a member waiting in poll when it has partitions to hand over', async () => {
    await withLog(async (log) => {
      const a = log.consumer({ groupId: 'g', topics: ['t'] });
      await a.start();
      const waiting = a.poll(10_000);
      const b = log.consumer({ groupId: 'g', topics: ['t'] });
      await b.start();
      const bWaiting = b.poll(10_000);
      const deadline = Date.now() + 2000;
      while (b.assignment().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      assert.equal(b.assignment().length, 2, 'b got its share while both were waiting in poll');
      assert.equal(a.assignment().length, 2);
      await b.close();
      await a.close();
      assert.deepEqual(await waiting, []);
      assert.deepEqual(await bWaiting, []);
    });
  });

  it('skips commits for partitions the member does not own, and refuses admin changes to an active group', async () => {
    await withLog(async (log, logger) => {
      const a = log.consumer({ groupId: 'g', topics: ['t'] });
      await a.start();
      const b = log.consumer({ groupId: 'g', topics: ['t'] });
      await b.start();
      await a.commit([
        { topic: 't', partition: 0, offset: 1 },
        { topic: 't', partition: 3, offset: 1 },
      ]);
      await a.poll(0);
      await a.commit([{ topic: 't', partition: 3, offset: 2 }]);
      assert.deepEqual(await log.admin().groupOffsets('g'), [
        { topic: 't', partition: 0, offset: 1 },
        { topic: 't', partition: 3, offset: 1 },
      ]);
      assert.ok(logger.messages('warn').some((m) => /does not own/.test(m)));
      await assert.rejects(log.admin().setGroupOffsets('g', []), /active members/);
      await assert.rejects(log.admin().deleteGroup('g'), /active members/);
      assert.throws(() => a.seek({ topic: 't', partition: 3 }, 0), /not assigned/);
      await assert.rejects(
        a.poll(0).then(() => Promise.all([a.poll(100), a.poll(100)])),
        /already running/,
      );
      await a.close();
      await b.close();
      await log.admin().deleteGroup('g');
    });
  });
});
