import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceRecord } from '@tributary/connect-api';
import { parseConfig } from './config.js';
import { ChangeEventFactory } from './change-events.js';
import { buildTableSchema } from './change-event-schemas.js';
import { ChangeStream, type StreamPosition } from './change-stream.js';

const cfg = parseConfig({
  'database.hostname': 'h',
  'database.user': 'u',
  'database.dbname': 'db',
  'topic.prefix': 'p',
});
const table = buildTableSchema(
  cfg,
  'public',
  't',
  [
    { name: 'id', typeOid: 23, typeMod: -1 },
    { name: 'v', typeOid: 25, typeMod: -1 },
  ],
  new Map([['id', true]]),
  ['id'],
  () => undefined,
  () => {},
);

const msg = {
  begin: (xid: number) => {
    const b = Buffer.alloc(21);
    b.write('B');
    b.writeUInt32BE(xid, 17);
    return b;
  },
  commit: (end: bigint) => {
    const b = Buffer.alloc(26);
    b.write('C');
    b.writeBigUInt64BE(end, 10);
    return b;
  },
  relation: () =>
    Buffer.concat([
      Buffer.from('R'),
      Buffer.from([0, 0, 0, 1]),
      Buffer.from('public\0t\0d'),
      Buffer.from([0, 2]),
      Buffer.from([1]),
      Buffer.from('id\0'),
      Buffer.from([0, 0, 0, 23, 255, 255, 255, 255]),
      Buffer.from([0]),
      Buffer.from('v\0'),
      Buffer.from([0, 0, 0, 25, 255, 255, 255, 255]),
    ]),
  insert: (id: number) => {
    const s = String(id);
    const h = Buffer.alloc(5);
    h.write('t');
    h.writeUInt32BE(s.length, 1);
    return Buffer.concat([
      Buffer.from('I'),
      Buffer.from([0, 0, 0, 1]),
      Buffer.from('N'),
      Buffer.from([0, 2]),
      h,
      Buffer.from(s),
      Buffer.from('n'),
    ]);
  },
  delete: (id: number) => {
    const s = String(id);
    const h = Buffer.alloc(5);
    h.write('t');
    h.writeUInt32BE(s.length, 1);
    return Buffer.concat([
      Buffer.from('D'),
      Buffer.from([0, 0, 0, 1]),
      Buffer.from('K'),
      Buffer.from([0, 2]),
      h,
      Buffer.from(s),
      Buffer.from('n'),
    ]);
  },
};

async function run(
  start: StreamPosition,
  feed: Array<[Buffer, bigint]>,
): Promise<{ out: SourceRecord[]; stream: ChangeStream }> {
  const out: SourceRecord[] = [];
  const stream = new ChangeStream(
    cfg,
    new ChangeEventFactory({ server: 'p' }, 'x', true),
    async () => table,
    (rs) => out.push(...rs),
    start,
  );
  for (const [m, lsn] of feed) await stream.handle(m, lsn);
  return { out, stream };
}

const twoTransactions: Array<[Buffer, bigint]> = [
  [msg.relation(), 0n],
  [msg.begin(10), 100n],
  [msg.insert(1), 101n],
  [msg.delete(2), 102n],
  [msg.commit(110n), 110n],
  [msg.begin(11), 120n],
  [msg.insert(3), 121n],
  [msg.commit(130n), 130n],
];

describe('ChangeStream offsets and resume', () => {
  it('holds back the last record of a transaction until COMMIT, which gives it the end LSN', async () => {
    const { out, stream } = await run({ lsnCommit: 50n, txId: null, txEvents: 0 }, twoTransactions);
    assert.deepEqual(
      out.map((r) => [
        r.value === null ? 'tomb' : (r.value as { get(k: string): unknown }).get('op'),
        r.sourceOffset.lsn_commit,
        r.sourceOffset.events_in_tx,
      ]),
      [
        ['c', 50, 1],
        ['d', 50, 2],
        ['tomb', 110, 0],
        ['c', 130, 0],
      ],
    );
    assert.deepEqual(stream.position, { lsnCommit: 130n, txId: null, txEvents: 0 });
  });

  it('after a restart inside a transaction, skips the records already emitted and nothing else', async () => {
    const { out, stream } = await run({ lsnCommit: 50n, txId: 10, txEvents: 2 }, twoTransactions);
    assert.equal(stream.skipped, 2);
    assert.deepEqual(
      out.map((r) => (r.value === null ? 'tomb' : 'event')),
      ['tomb', 'event'],
    );
  });

  it('does not skip when the transaction that was partly emitted is not the one re-sent', async () => {
    const { out } = await run({ lsnCommit: 50n, txId: 99, txEvents: 2 }, twoTransactions);
    assert.equal(out.length, 4);
  });

  it('advances an idle position to a keepalive only outside transactions', async () => {
    const { stream } = await run({ lsnCommit: 50n, txId: null, txEvents: 0 }, twoTransactions.slice(0, 3));
    assert.equal(stream.idleAdvance(500n), null);
    const done = await run({ lsnCommit: 50n, txId: null, txEvents: 0 }, twoTransactions);
    assert.deepEqual(done.stream.idleAdvance(500n), { lsnCommit: 500n, txId: null, txEvents: 0 });
  });
});
