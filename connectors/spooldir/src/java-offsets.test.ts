import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { afterLine, isJavaOffset, javaOffsetOf, javaResume } from './java-offsets.js';
import type { Item, RecordReader } from './record-reader.js';

describe('kafka-connect-spooldir offsets', () => {
  it('tells his offsets from ours by the missing file identity', () => {
    assert.equal(isJavaOffset({ offset: 51 }), true);
    assert.equal(isJavaOffset({ offset: 50, length: 9, lastModified: 1, headHash: 'h', javaOffset: 51 }), false);
    assert.equal(isJavaOffset(null), false);
  });

  it('resumes after line n for CSV and lines, after his 0-based record n for JSON', () => {
    assert.deepEqual(javaResume({ offset: 51 }, 'lines'), { afterLine: 51 });
    assert.deepEqual(javaResume({ offset: 49 }, 'records'), { afterRecord: 50 });
    assert.equal(javaOffsetOf({ offset: 50, line: 51 }, 'lines'), 51);
    assert.equal(javaOffsetOf({ offset: 50, line: 3 }, 'records'), 50);
  });

  it('passes over the records that end on or before the line, a multi-line record by its last line', async () => {
    const items: Item[] = [
      { offset: 1, line: 2 },
      { offset: 2, line: 4 }, // a quoted field over lines 3-4
      { offset: 3, line: 5 },
    ];
    const inner: RecordReader = { read: () => Promise.resolve(items), done: true, close: () => Promise.resolve() };
    assert.deepEqual(
      (await afterLine(inner, 3).read(10)).map((i) => i.offset),
      [2, 3],
    );
    assert.deepEqual(
      (await afterLine(inner, 4).read(10)).map((i) => i.offset),
      [3],
    );
  });
});
