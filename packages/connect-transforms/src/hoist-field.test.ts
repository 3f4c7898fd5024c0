import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Schemas, Struct } from '@tributary/connect-api';
import { HoistField } from './hoist-field.js';
import { configured, sourceRecord } from './test-helpers.js';

describe('HoistField', () => {
  it('wraps a schemaless key in a map', () => {
    const out = configured(new HoistField('key'), { field: 'magic' }).apply(sourceRecord({ key: 42 }))!;
    assert.deepEqual(out.key, { magic: 42 });
  });

  it("wraps a schema'd key in a Struct", () => {
    const t = configured(new HoistField('key'), { field: 'magic' });
    const out = t.apply(sourceRecord({ keySchema: Schemas.INT32, key: 42 }))!;
    assert.deepEqual(
      out.keySchema!.fields!.map((f) => [f.name, f.schema]),
      [['magic', Schemas.INT32]],
    );
    assert.equal((out.key as Struct).get('magic'), 42);
    assert.equal(t.apply(sourceRecord({ keySchema: Schemas.INT32, key: 1 }))!.keySchema, out.keySchema);
  });
});
