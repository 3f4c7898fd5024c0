import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { objectKey } from './object-names.js';

describe('object names', () => {
  const o = { topicsDir: 'topics', directoryDelim: '/', fileDelim: '+', zeroPadWidth: 10, extension: '.json' };
  it("are Confluent's: topics/<topic>/<encoded>/<topic>+<p>+<start, 10 digits><ext>", () => {
    assert.equal(objectKey(o, 'orders', 'partition=3', 3, 1200), 'topics/orders/partition=3/orders+3+0000001200.json');
  });
  it('follow topics.dir (empty means none), directory.delim and file.delim', () => {
    assert.equal(
      objectKey({ ...o, topicsDir: '', fileDelim: '_', directoryDelim: '|' }, 'o', 'region=eu', 0, 7),
      'o|region=eu|o_0_0000000007.json',
    );
  });
});
