import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plugins } from './index.js';

describe('plugins', () => {
  it('lists every Kafka SMT with $Key/$Value where Kafka has them', () => {
    const classes = new Set(plugins.map((p) => p.class));
    for (const kv of [
      'InsertField',
      'ReplaceField',
      'MaskField',
      'ExtractField',
      'HoistField',
      'Cast',
      'TimestampConverter',
      'Flatten',
      'SetSchemaMetadata',
      'HeaderFrom',
    ]) {
      for (const half of ['Key', 'Value'])
        assert.ok(classes.has(`org.apache.kafka.connect.transforms.${kv}$${half}`), `${kv}$${half}`);
    }
    for (const single of ['ValueToKey', 'TimestampRouter', 'RegexRouter', 'Filter', 'InsertHeader', 'DropHeaders']) {
      assert.ok(classes.has(`org.apache.kafka.connect.transforms.${single}`), single);
    }
    for (const p of ['TopicNameMatches', 'HasHeaderKey', 'RecordIsTombstone']) {
      assert.ok(
        plugins.some(
          (d) => d.type === 'predicate' && d.class === `org.apache.kafka.connect.transforms.predicates.${p}`,
        ),
        p,
      );
    }
    assert.ok(plugins.some((p) => p.aliases?.includes('io.debezium.transforms.UnwrapFromEnvelope')));
    assert.ok(plugins.some((p) => p.aliases?.includes('FieldValueMatches')));
  });

  it('has unique names and declares each config', () => {
    const names = plugins.flatMap((p) => [p.class, ...(p.aliases ?? [])]);
    assert.equal(new Set(names).size, names.length);
    for (const p of plugins) assert.ok((p.create() as { config(): { keys(): unknown[] } }).config().keys(), p.class);
  });
});
