import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkSignal, SignalError } from './signal.js';

describe('checkSignal', () => {
  it("reads Debezium's execute-snapshot data", () => {
    const req = checkSignal({
      type: 'execute-snapshot',
      data: JSON.stringify({
        'data-collections': ['public.b', 'inv\\..*'],
        type: 'INCREMENTAL',
        'additional-conditions': [{ 'data-collection': 'public.b', filter: 'id > 10' }],
        'surrogate-key': 'code',
      }),
    });
    assert.deepEqual(req, {
      dataCollections: ['public.b', 'inv\\..*'],
      type: 'incremental',
      conditions: [{ dataCollection: 'public.b', filter: 'id > 10' }],
      surrogateKey: 'code',
    });
  });

  it('takes Debezium 2.0 additional-condition for every table, and blocking snapshots', () => {
    const req = checkSignal({
      type: 'execute-snapshot',
      data: '{"data-collections": ["a.x", "a.y"], "type": "blocking", "additional-condition": "v = 1"}',
    });
    assert.equal((req as { type: string }).type, 'blocking');
    assert.deepEqual((req as { conditions: unknown[] }).conditions, [
      { dataCollection: 'a.x', filter: 'v = 1' },
      { dataCollection: 'a.y', filter: 'v = 1' },
    ]);
  });

  it('lets stop-snapshot name no table (all of them) and needs no data for pause/resume', () => {
    assert.deepEqual(checkSignal({ type: 'stop-snapshot', data: '{"type": "incremental"}' }), {
      dataCollections: [],
      type: 'incremental',
      conditions: [],
      surrogateKey: null,
    });
    assert.equal(checkSignal({ type: 'pause-snapshot', data: null }), null);
    assert.equal(checkSignal({ type: 'snapshot-window-open', data: '{}' }), null);
  });

  it('rejects unknown types, malformed data and bad fields with a SignalError', () => {
    const bad: Array<[string, string | null, RegExp]> = [
      ['no-such', null, /Unknown signal type "no-such"/],
      ['execute-snapshot', '{oops', /not JSON/],
      ['execute-snapshot', '[]', /JSON object/],
      ['execute-snapshot', '{}', /needs "data-collections"/],
      ['execute-snapshot', '{"data-collections": 42}', /must be an array/],
      ['execute-snapshot', '{"data-collections": []}', /is empty/],
      ['execute-snapshot', '{"data-collections": ["("]}', /not a regular expression/],
      ['execute-snapshot', '{"data-collections": ["a.b"], "type": "parallel"}', /not supported/],
      ['execute-snapshot', '{"data-collections": ["a.b"], "additional-conditions": [{"filter": "x"}]}', /needs/],
      ['stop-snapshot', '{"type": "blocking"}', /Only an incremental snapshot/],
      ['log', '{}', /"message"/],
    ];
    for (const [type, data, message] of bad)
      assert.throws(
        () => checkSignal({ type, data }),
        (e: unknown) => e instanceof SignalError && message.test(e.message),
        `${type} ${data}`,
      );
  });
});
