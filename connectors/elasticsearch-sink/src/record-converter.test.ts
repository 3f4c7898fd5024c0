import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SinkRecord } from '@tributary/connect-api';
import { parseSettings } from './config.js';
import { RecordConverter } from './record-converter.js';

const rec = (over: Partial<SinkRecord>): SinkRecord => ({
  topic: 'Orders',
  kafkaPartition: 2,
  kafkaOffset: 41,
  key: 'k1',
  value: { a: 1 },
  headers: [],
  originalTopic: 'Orders',
  originalKafkaPartition: 2,
  originalKafkaOffset: 41,
  ...over,
});
const conv = (extra: Record<string, string> = {}) =>
  new RecordConverter(parseSettings({ 'connection.url': 'localhost:9200', ...extra }));

describe('RecordConverter', () => {
  it('indexes by key with the offset as external version, into the lower-cased topic', () => {
    const a = conv().toAction(rec({}))!;
    assert.equal(
      a.ndjson,
      '{"index":{"_index":"orders","_id":"k1","version":41,"version_type":"external"}}\n{"a":1}\n',
    );
    assert.equal(a.versioned, true);
  });

  it('uses topic+partition+offset ids with key.ignore, and topic.index.map names', () => {
    const a = conv({ 'key.ignore': 'true', 'topic.index.map': 'Orders:orders_v2' }).toAction(rec({ key: null }))!;
    assert.equal(a.ndjson, '{"index":{"_index":"orders_v2","_id":"Orders+2+41"}}\n{"a":1}\n');
  });

  it('upserts with doc_as_upsert, and deletes tombstones by policy', () => {
    assert.equal(
      conv({ 'write.method': 'upsert' }).toAction(rec({ key: 7 }))!.ndjson,
      '{"update":{"_index":"orders","_id":"7","retry_on_conflict":5}}\n{"doc":{"a":1},"doc_as_upsert":true}\n',
    );
    assert.equal(
      conv({ 'behavior.on.null.values': 'delete' }).toAction(rec({ value: null }))!.ndjson,
      '{"delete":{"_index":"orders","_id":"k1","version":41,"version_type":"external"}}\n',
    );
    assert.equal(conv({ 'behavior.on.null.values': 'ignore' }).toAction(rec({ value: null })), null);
    assert.throws(() => conv().toAction(rec({ value: null })), /behavior\.on\.null\.values is fail/);
  });

  it('refuses keys that cannot be ids, saying how to fix it', () => {
    assert.throws(() => conv().toAction(rec({ key: null })), /null key.*key\.ignore=true/);
    assert.throws(() => conv().toAction(rec({ key: { id: 1 } })), /a map\/object key.*ExtractField\$Key/);
    assert.throws(() => conv().toAction(rec({ key: 1.5 })), /a number key/);
  });

  it('takes the version from external.version.header', () => {
    const c = conv({ 'external.version.header': 'v' });
    assert.match(c.toAction(rec({ headers: [{ key: 'v', value: 99 }] }))!.ndjson, /"version":99,/);
    assert.throws(() => c.toAction(rec({})), /external\.version\.header.*no such header/);
  });

  it('writes data streams with create and @timestamp', () => {
    const a = conv({ 'data.stream.type': 'LOGS', 'data.stream.dataset': 'app' }).toAction(rec({ timestamp: 1000 }))!;
    assert.equal(a.ndjson, '{"create":{"_index":"logs-app-orders","_id":"k1"}}\n{"@timestamp":1000,"a":1}\n');
  });
});
