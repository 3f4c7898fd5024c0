import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Struct } from '@tributary/connect-api';
import { TransactionMetadata, TX_KEY_SCHEMA, TX_VALUE_SCHEMA } from './transaction-metadata.js';

describe('TransactionMetadata', () => {
  it("numbers events per transaction and per table, with Debezium's <xid>:<lsn> ids", () => {
    const m = new TransactionMetadata(571, 1_700_000_000_000);
    assert.deepEqual(m.event('public.a', 100n), { id: '571:100', totalOrder: 1, collectionOrder: 1 });
    assert.deepEqual(m.event('public.b', 120n), { id: '571:120', totalOrder: 2, collectionOrder: 1 });
    assert.deepEqual(m.event('public.a', 140n), { id: '571:140', totalOrder: 3, collectionOrder: 2 });
  });

  it('BEGIN has no counts; END has event_count and data_collections; both keyed by their id', () => {
    const m = new TransactionMetadata(9, 1234);
    const begin = m.begin('db.transaction', { server: 'db' }, 90n);
    m.event('public.a', 100n);
    m.event('public.a', 110n);
    m.event('public.b', 120n);
    const end = m.end('db.transaction', { server: 'db' }, 200n);
    assert.equal(begin.topic, 'db.transaction');
    assert.equal(begin.keySchema, TX_KEY_SCHEMA);
    assert.equal(begin.valueSchema, TX_VALUE_SCHEMA);
    assert.equal((begin.key as Struct).get('id'), '9:90');
    const b = begin.value as Struct;
    assert.deepEqual(
      [b.get('status'), b.get('id'), b.get('event_count'), b.get('data_collections'), b.get('ts_ms')],
      ['BEGIN', '9:90', null, null, 1234],
    );
    const e = end.value as Struct;
    assert.deepEqual([e.get('status'), e.get('id'), e.get('event_count')], ['END', '9:200', 3]);
    assert.deepEqual(
      (e.get('data_collections') as Struct[]).map((c) => [c.get('data_collection'), c.get('event_count')]),
      [
        ['public.a', 2],
        ['public.b', 1],
      ],
    );
    assert.equal(end.timestamp, 1234);
  });
});
