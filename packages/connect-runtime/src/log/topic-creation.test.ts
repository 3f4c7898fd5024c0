import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@tributary/connect-api';
import { topicCreationGroup, topicCreationProblems, topicCreationSpec } from './topic-creation.js';

const base = { name: 'src', 'connector.class': 'FileStreamSource', topic: 'lines' };

describe('topicCreationSpec (KIP-158)', () => {
  it('is null when the connector has no topic.creation.* key', () => {
    assert.equal(topicCreationSpec(base, 'lines'), null);
  });

  it('uses the default group for every topic when no group is listed', () => {
    const config = {
      ...base,
      'topic.creation.default.partitions': '6',
      'topic.creation.default.replication.factor': '3',
      'topic.creation.default.cleanup.policy': 'compact',
    };
    assert.deepEqual(topicCreationSpec(config, 'anything'), {
      topic: 'anything',
      partitions: 6,
      replicationFactor: 3,
      configs: { 'cleanup.policy': 'compact' },
    });
  });

  it('keeps -1 for the broker default', () => {
    const config = {
      ...base,
      'topic.creation.default.partitions': '-1',
      'topic.creation.default.replication.factor': '-1',
    };
    assert.deepEqual(topicCreationSpec(config, 't'), {
      topic: 't',
      partitions: -1,
      replicationFactor: -1,
      configs: {},
    });
  });

  const grouped = {
    ...base,
    'topic.creation.default.partitions': '1',
    'topic.creation.default.replication.factor': '1',
    'topic.creation.default.retention.ms': '86400000',
    'topic.creation.groups': 'compacted, big',
    'topic.creation.compacted.include': 'status\\..*, .*-state',
    'topic.creation.compacted.exclude': 'status\\.tmp',
    'topic.creation.compacted.cleanup.policy': 'compact',
    'topic.creation.big.include': 'status\\..*,events.*',
    'topic.creation.big.partitions': '12',
  };

  it('picks the first listed group that includes and does not exclude the topic', () => {
    assert.equal(topicCreationGroup(grouped, 'status.orders'), 'compacted');
    assert.equal(topicCreationGroup(grouped, 'orders-state'), 'compacted');
    assert.equal(topicCreationGroup(grouped, 'status.tmp'), 'big', 'excluded from compacted, included by big');
    assert.equal(topicCreationGroup(grouped, 'events-1'), 'big');
    assert.equal(topicCreationGroup(grouped, 'other'), 'default');
  });

  it('matches whole topic names, not substrings', () => {
    assert.equal(topicCreationGroup(grouped, 'xstatus.orders'), 'default');
    assert.equal(topicCreationGroup(grouped, 'orders-state-old'), 'default');
  });

  it('gives a group its own overrides and topic configs, inheriting the rest from default', () => {
    assert.deepEqual(topicCreationSpec(grouped, 'status.orders'), {
      topic: 'status.orders',
      partitions: 1,
      replicationFactor: 1,
      configs: { 'retention.ms': '86400000', 'cleanup.policy': 'compact' },
    });
    assert.deepEqual(topicCreationSpec(grouped, 'events-1'), {
      topic: 'events-1',
      partitions: 12,
      replicationFactor: 1,
      configs: { 'retention.ms': '86400000' },
    });
    assert.deepEqual(topicCreationSpec(grouped, 'other'), {
      topic: 'other',
      partitions: 1,
      replicationFactor: 1,
      configs: { 'retention.ms': '86400000' },
    });
  });

  it('requires the default partitions and replication factor once any key is set', () => {
    const config = { ...base, 'topic.creation.groups': 'g', 'topic.creation.g.include': '.*' };
    assert.throws(
      () => topicCreationSpec(config, 't'),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.deepEqual(err.problems.map((p) => p.key).sort(), [
          'topic.creation.default.partitions',
          'topic.creation.default.replication.factor',
        ]);
        return true;
      },
    );
  });

  it('names every bad key: values, regexes, a listed group without include', () => {
    const problems = topicCreationProblems({
      ...base,
      'topic.creation.default.partitions': '0',
      'topic.creation.default.replication.factor': 'three',
      'topic.creation.groups': 'a,b',
      'topic.creation.a.include': '(unclosed',
      'topic.creation.a.partitions': '-2',
    });
    assert.deepEqual(problems.map((p) => p.key).sort(), [
      'topic.creation.a.include',
      'topic.creation.a.partitions',
      'topic.creation.b.include',
      'topic.creation.default.partitions',
      'topic.creation.default.replication.factor',
    ]);
  });
});
