import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sinkConfigDef, tableSettings, toMicros, ignoreErrorsOf } from './config.js';

describe('tableSettings', () => {
  it('collects topic.<topic>.<keyspace>.<table>.* groups with DataStax defaults; topics may contain dots', () => {
    const { tables, problems } = tableSettings({
      'topic.www.logs.admintome.logs.mapping': 'a=key',
      'topic.www.logs.admintome.logs.ttl': '90',
      'topic.www.logs.admintome.logs.ttlTimeUnit': 'minutes',
      'topic.t.ks.other.mapping': 'b=value',
      'topic.t.ks.other.consistencyLevel': 'LOCAL_QUORUM',
    });
    assert.deepEqual(problems, []);
    assert.equal(tables.length, 2);
    assert.deepEqual(
      { ...tables[0], mappingText: undefined },
      {
        topic: 'www.logs',
        keyspace: 'admintome',
        table: 'logs',
        mappingKey: 'topic.www.logs.admintome.logs.mapping',
        mappingText: undefined,
        consistencyLevel: 'LOCAL_ONE',
        ttlSeconds: 5400,
        ttlTimeUnit: 'MINUTES',
        timestampTimeUnit: 'MICROSECONDS',
        nullToUnset: true,
        deletesEnabled: true,
      },
    );
    assert.equal(tables[1]!.consistencyLevel, 'LOCAL_QUORUM');
  });

  it('names bad settings by their key', () => {
    const { problems } = tableSettings({
      'topic.t.ks.a.mapping': 'x=key',
      'topic.t.ks.a.consistencyLevel': 'SOME',
      'topic.t.ks.a.ttl': 'soon',
      'topic.t.ks.a.deletesEnabled': 'yes',
      'topic.t.ks.b.ttl': '5',
      'topic.t.ks.c.mapping': 'x=key',
      'topic.t.ks.c.query': 'INSERT …',
    });
    assert.deepEqual(problems.map((p) => p.key).sort(), [
      'topic.t.ks.a.consistencyLevel',
      'topic.t.ks.a.deletesEnabled',
      'topic.t.ks.a.ttl',
      'topic.t.ks.b.mapping',
      'topic.t.ks.c.query',
    ]);
  });
});

describe('global keys', () => {
  it('accepts the old true/false spellings of ignoreErrors', () => {
    assert.equal(ignoreErrorsOf(sinkConfigDef.parse({ ignoreErrors: 'true' })), 'Driver');
    assert.equal(ignoreErrorsOf(sinkConfigDef.parse({ ignoreErrors: 'false' })), 'None');
    assert.equal(ignoreErrorsOf(sinkConfigDef.parse({ ignoreErrors: 'ALL' })), 'All');
    assert.throws(() => sinkConfigDef.parse({ compression: 'LZ4' }), /compression/);
  });
  it('converts write-time units to microseconds', () => {
    assert.equal(toMicros(1500, 'MILLISECONDS'), 1_500_000n);
    assert.equal(toMicros(1_700_000_000_123_456_789n, 'NANOSECONDS'), 1_700_000_000_123_456n);
  });
});
