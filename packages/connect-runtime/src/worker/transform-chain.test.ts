import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, type ConnectRecord } from '@tributary/connect-api';
import { plugins as transformPlugins } from '@tributary/connect-transforms';
import { PluginRegistry } from '../plugins/registry.js';
import { subConfig, TransformChain } from './transform-chain.js';

const registry = new PluginRegistry().register(...transformPlugins);
const record = (value: unknown, topic = 'orders'): ConnectRecord => ({ topic, key: null, value, headers: [] });
const chain = (config: Record<string, string>) => TransformChain.build(config, registry);

describe('TransformChain', () => {
  it('applies the steps in the order transforms lists them', () => {
    const c = chain({
      transforms: 'route,tag',
      'transforms.route.type': 'org.apache.kafka.connect.transforms.RegexRouter',
      'transforms.route.regex': '(.*)',
      'transforms.route.replacement': '$1-v2',
      'transforms.tag.type': 'org.apache.kafka.connect.transforms.InsertField$Value',
      'transforms.tag.topic.field': 'from',
    });
    const out = c.apply(record({ id: 1 }))!;
    assert.equal(out.topic, 'orders-v2');
    assert.deepEqual(out.value, { id: 1, from: 'orders-v2' }, "the second step sees the first step's topic");
  });

  it('runs a step only where its predicate holds (negate inverts it), and a dropped record stops the chain', () => {
    const c = chain({
      transforms: 'dropTombstones,tag',
      'transforms.dropTombstones.type': 'org.apache.kafka.connect.transforms.Filter',
      'transforms.dropTombstones.predicate': 'tombstone',
      'transforms.tag.type': 'org.apache.kafka.connect.transforms.InsertField$Value',
      'transforms.tag.static.field': 'seen',
      'transforms.tag.static.value': 'yes',
      'transforms.tag.predicate': 'isAudit',
      'transforms.tag.negate': 'true',
      predicates: 'tombstone,isAudit',
      'predicates.tombstone.type': 'org.apache.kafka.connect.transforms.predicates.RecordIsTombstone',
      'predicates.isAudit.type': 'org.apache.kafka.connect.transforms.predicates.TopicNameMatches',
      'predicates.isAudit.pattern': 'audit.*',
    });
    assert.equal(c.apply(record(null)), null);
    assert.deepEqual(c.apply(record({ id: 1 }))!.value, { id: 1, seen: 'yes' });
    assert.deepEqual(
      c.apply(record({ id: 2 }, 'audit-log'))!.value,
      { id: 2 },
      'negate: not applied where the predicate holds',
    );
    assert.equal(chain({}).isEmpty, true);
  });

  it('names the key of a missing type, an unknown class or an undefined predicate', () => {
    const problem = (config: Record<string, string>) => {
      try {
        chain(config);
      } catch (e) {
        assert.ok(e instanceof ConfigError);
        return e.problems[0]!.key;
      }
      return assert.fail('no error');
    };
    assert.equal(problem({ transforms: 'a' }), 'transforms.a.type');
    assert.equal(problem({ transforms: 'a', 'transforms.a.type': 'NoSuchTransform' }), 'transforms.a.type');
    assert.equal(problem({ predicates: 'p' }), 'predicates.p.type');
    assert.equal(
      problem({
        transforms: 'a',
        'transforms.a.type': 'org.apache.kafka.connect.transforms.Filter',
        'transforms.a.predicate': 'nope',
      }),
      'transforms.a.predicate',
    );
  });

  it('passes each transform only its own settings', () => {
    assert.deepEqual(subConfig({ 'transforms.a.x': '1', 'transforms.ab.y': '2', other: '3' }, 'transforms.a.'), {
      x: '1',
    });
  });
});
