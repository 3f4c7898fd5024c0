import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunkQuery, WHOLE_TABLE } from './snapshot-chunks.js';

const ref = { oid: 1, schema: 'public', table: 'Orders', replicaIdentity: 'd' };

describe('chunkQuery', () => {
  it('reads an unsplit table whole, in physical order', () => {
    assert.deepEqual(chunkQuery(ref, ['id'], WHOLE_TABLE[0]!), { text: 'SELECT * FROM "public"."Orders"', values: [] });
  });

  it('reads a key range in key order, bounds as parameters (open at either end)', () => {
    assert.deepEqual(chunkQuery(ref, ['id'], { lower: null, upper: ['100'] }), {
      text: 'SELECT * FROM "public"."Orders" WHERE ("id") < ($1) ORDER BY "id"',
      values: ['100'],
    });
    assert.deepEqual(chunkQuery(ref, ['region', 'id'], { lower: ['eu', '7'], upper: ['us', '3'] }), {
      text: 'SELECT * FROM "public"."Orders" WHERE ("region", "id") >= ($1, $2) AND ("region", "id") < ($3, $4) ORDER BY "region", "id"',
      values: ['eu', '7', 'us', '3'],
    });
  });
});
