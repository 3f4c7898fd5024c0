import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileOffsetStore, offsetKey } from './offset-store.js';

describe('FileOffsetStore', () => {
  it('keeps offsets across instances, keyed as Kafka Connect keys them', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'offsets-')), 'connect.offsets');
    const s = new FileOffsetStore(path);
    await s.start();
    await s.set('src', [[{ filename: '/a', x: 1 }, { position: 5 }]]);
    const again = new FileOffsetStore(path);
    await again.start();
    assert.deepEqual(await again.get('src', { x: 1, filename: '/a' }), { position: 5 });
    assert.deepEqual(await again.list('src'), [{ partition: { filename: '/a', x: 1 }, offset: { position: 5 } }]);
    await again.set('src', [[{ filename: '/a', x: 1 }, null]]);
    assert.deepEqual(await again.list('src'), []);
    assert.equal(offsetKey('src', { b: 1, a: 'x' }), '["src",{"a":"x","b":1}]');
    // The file format is versioned and pinned: {"version":1,"offsets":{<key>:<offset>}}.
    await again.set('src', [[{ filename: '/a' }, { position: 7 }]]);
    assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), {
      version: 1,
      offsets: { '["src",{"filename":"/a"}]': { position: 7 } },
    });
  });
});
