import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedLog } from '../log/embedded/index.js';
import type { Log } from '../log/log.js';
import { FileOffsetStore } from '../storage/offset-store.js';
import { FallbackOffsetStore, OffsetTopics, transactionalOffsets } from './source-offsets.js';
import { silentLogger } from './test-support.js';

const logs: Log[] = [];
after(async () => {
  for (const l of logs) await l.close();
});

describe('FallbackOffsetStore (a connector offsets topic, KIP-618)', () => {
  it("reads its topic first and the worker's store for the rest; writes both", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'source-offsets-'));
    const log = await openEmbeddedLog({ dir, logger: silentLogger as never });
    logs.push(log);
    const worker = new FileOffsetStore(join(dir, 'offsets.json'));
    await worker.start();
    await worker.set('c', [
      [{ f: 'a' }, { pos: 1 }],
      [{ f: 'b' }, { pos: 2 }],
    ]);
    const topics = new OffsetTopics(log, log.admin(), {}, silentLogger as never);
    const own = await topics.get('c-offsets');
    await own.set('c', [[{ f: 'a' }, { pos: 10 }]]);

    const store = new FallbackOffsetStore(topics.get('c-offsets'), worker, silentLogger as never);
    await store.start();
    assert.deepEqual(await store.get('c', { f: 'a' }), { pos: 10 }, 'the connector topic wins');
    assert.deepEqual(await store.get('c', { f: 'b' }), { pos: 2 }, "the worker's store is the fallback");
    await store.set('c', [[{ f: 'c' }, { pos: 3 }]]);
    assert.deepEqual(await own.get('c', { f: 'c' }), { pos: 3 });
    assert.deepEqual(await worker.get('c', { f: 'c' }), { pos: 3 });
    assert.deepEqual((await store.list('c')).map((o) => [o.partition.f, o.offset.pos]).sort(), [
      ['a', 10],
      ['b', 2],
      ['c', 3],
    ]);
    // In a transaction: the records go to the connector topic; after the commit the worker's store gets a copy.
    const tx = transactionalOffsets(store)!;
    assert.deepEqual(
      tx.offsetRecords('c', [[{ f: 'd' }, { pos: 4 }]]).map((r) => r.topic),
      ['c-offsets'],
    );
    tx.remember('c', [[{ f: 'd' }, { pos: 4 }]]);
    assert.deepEqual(await own.get('c', { f: 'd' }), { pos: 4 });
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(await worker.get('c', { f: 'd' }), { pos: 4 });
    assert.equal(transactionalOffsets(worker), null, 'a file cannot travel in a transaction');
    await topics.stop();
    await worker.stop();
  });
});
