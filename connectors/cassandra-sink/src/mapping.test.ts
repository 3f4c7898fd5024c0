import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseMapping } from './mapping.js';

describe('parseMapping', () => {
  it('reads keys, value paths, headers and functions', () => {
    const m = parseMapping('col=key, col2=value.field, col3=header.x, col4=now(), Nested = value.a.b.c');
    assert.deepEqual(
      m.columns.map((e) => [e.column, e.source]),
      [
        ['col', { kind: 'key', path: [] }],
        ['col2', { kind: 'value', path: ['field'] }],
        ['col3', { kind: 'header', name: 'x' }],
        ['col4', { kind: 'function', cql: 'now()', name: 'now' }],
        ['nested', { kind: 'value', path: ['a', 'b', 'c'] }],
      ],
    );
    assert.equal(m.ttl, null);
    assert.equal(m.timestamp, null);
  });

  it('keeps quoted identifiers as written, dots and commas included', () => {
    const m = parseMapping('"MyCol"=value."a.b", "x,y"=key."Field"');
    assert.deepEqual(
      m.columns.map((e) => [e.column, e.source]),
      [
        ['MyCol', { kind: 'value', path: ['a.b'] }],
        ['x,y', { kind: 'key', path: ['Field'] }],
      ],
    );
  });

  it('separates __ttl and __timestamp from the columns', () => {
    const m = parseMapping('id=key, __ttl=value.ttl, __timestamp=header.ts');
    assert.deepEqual(
      m.columns.map((e) => e.column),
      ['id'],
    );
    assert.deepEqual(m.ttl?.source, { kind: 'value', path: ['ttl'] });
    assert.deepEqual(m.timestamp?.source, { kind: 'header', name: 'ts' });
  });

  it('says what is wrong', () => {
    assert.throws(() => parseMapping(''), /Mapping is empty/);
    assert.throws(() => parseMapping('a=value.x, a=key'), /names column a more than once/);
    assert.throws(() => parseMapping('a value.x'), /has no "="/);
    assert.throws(() => parseMapping('a=body.x'), /must start with key, value or header/);
    assert.throws(() => parseMapping('a=random()'), /Unsupported function random\(\)/);
    assert.throws(() => parseMapping('a=value..x'), /empty path segment/);
    assert.throws(() => parseMapping('a-b=value.x'), /is not a column name/);
    assert.throws(() => parseMapping('__ttl=now()'), /cannot be mapped to a function/);
  });
});
