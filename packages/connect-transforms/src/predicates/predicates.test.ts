import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SchemaBuilder, Schemas, Struct } from '@tributary/connect-api';
import { configured, sourceRecord, withValue } from '../test-helpers.js';
import { FieldValueMatches, splitPatterns } from './field-value-matches.js';
import { HasHeaderKey } from './has-header-key.js';
import { RecordIsTombstone } from './record-is-tombstone.js';
import { TopicNameMatches } from './topic-name-matches.js';

describe('TopicNameMatches', () => {
  it('matches the whole topic name', () => {
    const p = configured(new TopicNameMatches(), { pattern: 'my-prefix-.*' });
    assert.equal(p.test(sourceRecord({ topic: 'my-prefix-foo' })), true);
    assert.equal(p.test(sourceRecord({ topic: 'x-my-prefix-foo' })), false);
    assert.equal(configured(new TopicNameMatches(), { pattern: 'foo' }).test(sourceRecord({ topic: 'foobar' })), false);
  });

  it('rejects empty and invalid patterns', () => {
    assert.throws(() => configured(new TopicNameMatches(), { pattern: '' }), /String must be non-empty/);
    assert.throws(() => configured(new TopicNameMatches(), { pattern: '[' }), /pattern/);
  });
});

describe('HasHeaderKey', () => {
  it('is true when a header has the name', () => {
    const p = configured(new HasHeaderKey(), { name: 'h' });
    assert.equal(p.test(sourceRecord({ headers: [{ key: 'h', value: null }] })), true);
    assert.equal(p.test(sourceRecord({ headers: [{ key: 'x', value: 1 }] })), false);
  });
});

describe('RecordIsTombstone', () => {
  it('is true for null values', () => {
    const p = configured(new RecordIsTombstone(), {});
    assert.equal(p.test(withValue(null, null)), true);
    assert.equal(p.test(withValue(null, {})), false);
  });
});

describe('FieldValueMatches', () => {
  // examples/syslog-record-sample.json
  const syslog = {
    date: 1520176464000,
    facility: 4,
    host: 'rpi-03',
    level: 6,
    message: 'rpi-03 sshd[24150]: Invalid user mini from 114.130.4.16',
  };

  it("expresses HOST = 'rpi-03' AND MESSAGE LIKE '%Invalid user%' on a map value", () => {
    const p = configured(new FieldValueMatches(), {
      field: 'host,message',
      pattern: 'rpi-03,Invalid user',
      'full.match': 'false',
    });
    assert.equal(p.test(withValue(null, syslog)), true);
    assert.equal(p.test(withValue(null, { ...syslog, host: 'rpi-04' })), false);
    assert.equal(p.test(withValue(null, { ...syslog, message: 'Accepted publickey' })), false);
    const exact = configured(new FieldValueMatches(), { field: 'host', pattern: 'rpi', 'full.match': 'true' });
    assert.equal(exact.test(withValue(null, syslog)), false);
  });

  it('reads nested Struct fields and compares exact values', () => {
    const inner = SchemaBuilder.struct().field('host', Schemas.STRING).build();
    const schema = SchemaBuilder.struct().field('src', inner).field('level', Schemas.INT32).build();
    const v = new Struct(schema).put('src', new Struct(inner).put('host', 'rpi-03')).put('level', 6);
    assert.equal(
      configured(new FieldValueMatches(), { field: 'src.host,level', value: 'rpi-03,6' }).test(withValue(schema, v)),
      true,
    );
    assert.equal(
      configured(new FieldValueMatches(), { field: 'src.host', value: 'RPI-03', 'case.insensitive': 'true' }).test(
        withValue(schema, v),
      ),
      true,
    );
    assert.equal(
      configured(new FieldValueMatches(), { field: 'src.nope', value: 'x' }).test(withValue(schema, v)),
      false,
    );
    assert.equal(configured(new FieldValueMatches(), { field: 'a', value: 'x' }).test(withValue(null, null)), false);
  });

  it('splits patterns on commas outside quantifiers, groups and classes', () => {
    assert.deepEqual(splitPatterns('\\d{1,3},[a,b],(x|y),a\\,b'), ['\\d{1,3}', '[a,b]', '(x|y)', 'a,b']);
  });

  it('needs matching counts and exactly one of pattern and value', () => {
    assert.throws(() => configured(new FieldValueMatches(), { field: 'a,b', pattern: 'x' }), /1 patterns for 2 fields/);
    assert.throws(() => configured(new FieldValueMatches(), { field: 'a' }), /Exactly one of pattern and value/);
  });
});
