import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RegexRouter } from './regex-router.js';
import { TimestampRouter } from './timestamp-router.js';
import { configured, sourceRecord } from './test-helpers.js';

describe('TimestampRouter', () => {
  it('appends the UTC date by default', () => {
    const t = configured(new TimestampRouter(), {});
    assert.equal(t.apply(sourceRecord({ topic: 'test', timestamp: 1483425001864 }))!.topic, 'test-20170103');
  });

  it('follows topic.format and timestamp.format', () => {
    const t = configured(new TimestampRouter(), {
      'topic.format': 'logs_${timestamp}_${topic}',
      'timestamp.format': 'yyyy.MM',
    });
    assert.equal(t.apply(sourceRecord({ topic: 'www', timestamp: Date.UTC(2024, 1, 29) }))!.topic, 'logs_2024.02_www');
  });

  it('needs a timestamp', () => {
    assert.throws(
      () => configured(new TimestampRouter(), {}).apply(sourceRecord({ timestamp: null })),
      /Timestamp missing on record/,
    );
  });
});

describe('RegexRouter', () => {
  const route = (regex: string, replacement: string, topic: string) =>
    configured(new RegexRouter(), { regex, replacement }).apply(sourceRecord({ topic }))!.topic;

  it("rewrites topics the regex matches whole (Kafka's tests)", () => {
    assert.equal(route('(.*)', 'prefix-$1', 'orig'), 'prefix-orig');
    assert.equal(route('(.*)', '$1-suffix', 'orig'), 'orig-suffix');
    assert.equal(route('(.*)-(.*)', '$2-$1', 'foo-bar'), 'bar-foo');
    assert.equal(route('asgard\\.public\\.(.*)', '$1', 'asgard.public.customers'), 'customers');
  });

  it('leaves topics that only partly match', () => {
    assert.equal(route('foo', 'bar', 'foobar'), 'foobar');
    assert.equal(route('([a-z]+)', 'x', 'abc-def'), 'abc-def');
  });

  it('reads Java replacement syntax', () => {
    assert.equal(route('(?<name>.*)', 'x-${name}', 'abc'), 'x-abc');
    assert.equal(route('(.*)', '\\$1-$1', 'abc'), '$1-abc');
  });

  it('rejects an invalid regex at configure time', () => {
    assert.throws(() => configured(new RegexRouter(), { regex: '(', replacement: 'x' }), /regex/);
  });
});
