import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import cassandra from 'cassandra-driver';
import { DataError, SchemaBuilder, Schemas, Struct, type SinkRecord } from '@tributary/connect-api';
import { tableSettings } from './config.js';
import { parseMapping } from './mapping.js';
import { checkMapping, TableWriter, type TableShape } from './table-writer.js';

const { types } = cassandra;
const D = types.dataTypes;

// admintome.logs from the brief, plus a natural-key table.
const logs: TableShape = {
  keyspace: 'admintome',
  name: 'logs',
  columns: new Map([
    ['log_source', { code: D.text }],
    ['log_type', { code: D.text }],
    ['log_id', { code: D.timeuuid }],
    ['log', { code: D.text }],
    ['log_datetime', { code: D.text }],
  ]),
  partitionKey: ['log_source', 'log_type'],
  clusteringKey: ['log_id'],
};
const users: TableShape = {
  keyspace: 'ks',
  name: 'users',
  columns: new Map([
    ['id', { code: D.int }],
    ['name', { code: D.text }],
    ['tags', { code: D.set, info: { code: D.text } }],
  ]),
  partitionKey: ['id'],
  clusteringKey: [],
};

function writer(shape: TableShape, mapping: string, extra: Record<string, string> = {}): TableWriter {
  const key = `topic.t.${shape.keyspace}.${shape.name}.`;
  const { tables } = tableSettings({
    [`${key}mapping`]: mapping,
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [key + k, v])),
  });
  return new TableWriter(tables[0]!, parseMapping(mapping), shape);
}

function rec(value: unknown, more: Partial<SinkRecord> = {}): SinkRecord {
  return {
    topic: 't',
    kafkaPartition: 0,
    kafkaOffset: 7,
    timestamp: 1_700_000_000_123,
    key: null,
    value,
    headers: [],
    originalTopic: 't',
    originalKafkaPartition: 0,
    originalKafkaOffset: 7,
    ...more,
  };
}

describe('checkMapping', () => {
  it("accepts the brief's mapping", () => {
    assert.deepEqual(
      checkMapping(
        parseMapping(
          'log_source=value.log.source, log_type=value.log.type, log_id=now(), log=value.log.log, log_datetime=value.log.datetime',
        ),
        logs,
      ),
      [],
    );
  });
  it('names missing columns, unmapped key columns and function type mismatches', () => {
    const problems = checkMapping(parseMapping('log_source=value.s, log=now(), nope=value.x'), logs);
    assert.equal(problems.length, 4);
    assert.match(problems[0]!, /Column log of admintome\.logs is text, but now\(\) produces timeuuid/);
    assert.match(problems[1]!, /Column nope \(mapped from value\.x\) does not exist in admintome\.logs/);
    assert.match(problems[2]!, /Primary key column log_type .* is not mapped/);
    assert.match(problems[3]!, /Primary key column log_id .* is not mapped/);
  });
});

describe('TableWriter', () => {
  it('inserts with the record time as write time, a generated timeuuid, grouped by partition key', () => {
    const w = writer(
      logs,
      'log_source=value.log.source, log_type=value.log.type, log_id=now(), log=value.log.log, log_datetime=value.log.datetime',
    );
    assert.equal(
      w.insertStatement,
      'INSERT INTO admintome.logs (log_source, log_type, log_id, log, log_datetime) VALUES (?, ?, now(), ?, ?) USING TIMESTAMP ?',
    );
    const op = w.toOp(rec({ log: { source: 'www2', type: 'www_access', datetime: '2018-08-08 17:44', log: 'GET /' } }));
    assert.deepEqual(op.params.slice(0, 4), ['www2', 'www_access', 'GET /', '2018-08-08 17:44']);
    assert.equal(String(op.params[4]), '1700000000123000');
    assert.equal(op.group, 't/admintome.logs\u0000www2\u0000www_access');
    assert.equal(op.consistency, types.consistencies.localOne);
    assert.equal(w.deleteStatement, null, 'no delete when a key column is generated');
  });

  it('binds null as unset (no tombstone) unless nullToUnset=false', () => {
    const op = writer(users, 'id=key, name=value.name').toOp(rec({ name: null }, { key: 5 }));
    assert.equal(op.query.startsWith('DELETE'), true, 'only the key is non-null: a delete');
    const ins = writer(users, 'id=key, name=value.name, tags=value.tags').toOp(
      rec({ name: null, tags: ['a'] }, { key: 5 }),
    );
    assert.equal(ins.params[1], types.unset);
    const keep = writer(users, 'id=key, name=value.name, tags=value.tags', { nullToUnset: 'false' }).toOp(
      rec({ name: null, tags: ['a'] }, { key: 5 }),
    );
    assert.equal(keep.params[1], null);
  });

  it('turns a tombstone into DELETE … USING TIMESTAMP when every key column is mapped, unless deletes are off', () => {
    const w = writer(users, 'id=key, name=value.name');
    assert.equal(w.deleteStatement, 'DELETE FROM ks.users USING TIMESTAMP ? WHERE id = ?');
    const op = w.toOp(rec(null, { key: '42' }));
    assert.equal(op.query, w.deleteStatement);
    assert.equal(String(op.params[0]), '1700000000123000');
    assert.equal(op.params[1], 42);
    const off = writer(users, 'id=key, name=value.name', { deletesEnabled: 'false' });
    assert.equal(off.toOp(rec(null, { key: 42 })).query, off.insertStatement);
  });

  it('applies a static TTL and per-record __ttl / __timestamp in their units', () => {
    assert.match(
      writer(users, 'id=key, name=value.name', { ttl: '2', ttlTimeUnit: 'HOURS' }).insertStatement,
      /USING TIMESTAMP \? AND TTL 7200$/,
    );
    const w = writer(users, 'id=key, name=value.name, __ttl=value.ttl, __timestamp=value.ts', {
      ttlTimeUnit: 'MINUTES',
      timestampTimeUnit: 'MILLISECONDS',
    });
    assert.match(w.insertStatement, /USING TIMESTAMP \? AND TTL \?$/);
    const op = w.toOp(rec({ name: 'a', ttl: 3, ts: 1000 }, { key: 1 }));
    assert.equal(String(op.params[2]), '1000000');
    assert.equal(op.params[3], 180);
  });

  it('reads Struct values, headers and nested paths', () => {
    const schema = SchemaBuilder.struct().field('id', Schemas.INT32).field('name', Schemas.OPTIONAL_STRING).build();
    const w = writer(users, 'id=value.id, name=header.who');
    const op = w.toOp(
      rec(new Struct(schema).put('id', 9).put('name', 'x'), { headers: [{ key: 'who', value: 'alice' }] }),
    );
    assert.deepEqual(op.params.slice(0, 2), [9, 'alice']);
  });

  it('rejects records that do not fit, with the field, column and offset', () => {
    const w = writer(users, 'id=value.id, name=value.name');
    assert.throws(
      () => w.toOp(rec({ name: 'a' })),
      (e: Error) =>
        e instanceof DataError &&
        /Required field value\.id \(mapped to column id\) was missing from the record at t-0@7/.test(e.message),
    );
    assert.throws(() => w.toOp(rec({ id: null, name: 'a' })), /Primary key column id of t\/ks\.users would be null/);
    assert.throws(() => w.toOp(rec({ id: 'abc', name: 'a' })), /Cannot write "abc" to column id of type int/);
    assert.throws(() => w.toOp(rec('just text')), /the value of the record at t-0@7 is a string, not an object/);
  });
});
