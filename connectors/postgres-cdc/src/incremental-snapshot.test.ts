import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import type { SourceOffset, SourceRecord } from '@tributary/connect-api';
import type { TableSchema } from './change-event-schemas.js';
import type { ChangeEventFactory } from './change-events.js';
import { IncrementalSnapshot, OFFSET_COLLECTIONS, recordEnd, type IncrementalHost } from './incremental-snapshot.js';
import type { Notifier } from './notifications.js';
import type { CdcConfig } from './config.js';
import type { SignalConfig } from './signals/signal-config.js';

const TABLE = {
  schema: 'public',
  table: 'b',
  keyColumns: [{ name: 'id', position: 0 }],
  valueColumns: [
    { name: 'id', position: 0 },
    { name: 'v', position: 1 },
  ],
} as unknown as TableSchema;

/** A catalog and table `public.b (id int PRIMARY KEY, v text)` holding `rows`, answering the snapshot's queries. */
function fakeClient(rows: string[][], log: Array<{ text: string; values: unknown[] }>): pg.Client {
  let positions = 0; // read-only chunks: WAL positions 1000, 2000, ...
  const query = async (q: string | { text: string; values?: unknown[] }, values?: unknown[]) => {
    const text = typeof q === 'string' ? q : q.text;
    const params = (typeof q === 'string' ? values : q.values) ?? [];
    log.push({ text, values: params });
    if (text.includes('atttypid, atttypmod'))
      return {
        rows: [
          { attname: 'id', atttypid: '23', atttypmod: '-1' },
          { attname: 'v', atttypid: '25', atttypmod: '-1' },
        ],
      };
    if (text.includes('indisprimary')) return { rows: [{ attname: 'id' }] };
    if (text.includes('attnotnull')) return { rows: [] };
    if (text.includes('format_type')) return { rows: [['integer']] };
    if (text.includes('pg_current_wal_insert_lsn')) return { rows: [[String(1000 * ++positions)]] };
    if (text.includes('DESC LIMIT 1')) return { rows: [[rows[rows.length - 1]![0]]] };
    if (text.startsWith('SELECT * FROM')) {
      const after = text.includes(') > (') ? Number(params[0]) : -Infinity;
      const limit = Number(/LIMIT (\d+)/.exec(text)![1]);
      return { rows: rows.filter((r) => Number(r[0]) > after).slice(0, limit) };
    }
    return { rows: [], rowCount: 1 };
  };
  return { query } as unknown as pg.Client;
}

function setup(rows: string[][], chunkSize: number, readOnly = false) {
  const log: Array<{ text: string; values: unknown[] }> = [];
  const emitted: SourceRecord[] = [];
  const notes: Array<{ type: string; data: Record<string, string> }> = [];
  let pings = 0;
  const client = fakeClient(rows, log);
  const host: IncrementalHost = {
    cfg: { prefix: 'p', dbname: 'db' } as CdcConfig,
    signals: { table: { schema: 'public', table: 'sig' }, chunkSize, insertDelete: false, readOnly } as SignalConfig,
    events: {
      change: (_t: TableSchema, op: string, _b: unknown, after: string[], _i: unknown, offset: () => SourceOffset) => [
        { topic: 'p.public.b', key: after[0], value: { op, after }, headers: [], sourceOffset: offset() },
      ],
    } as unknown as ChangeEventFactory,
    notifier: {
      notify: (_a: string, type: string, data: Record<string, string>) => notes.push({ type, data }),
    } as unknown as Notifier,
    connection: async () => client,
    schemaOf: async () => TABLE,
    findTable: async (_c, id) =>
      id === 'public.b' ? { oid: 1, schema: 'public', table: 'b', replicaIdentity: 'd' } : null,
    emitBetween: (build) => emitted.push(...build({ lsn: 100, lsn_commit: 100, events_in_tx: 0 }, 100n)),
    ping: () => pings++,
    log: () => {},
    warn: () => {},
  };
  const windowIds = () => log.filter((q) => q.text.startsWith('INSERT INTO')).map((q) => String(q.values[0]));
  return { snap: new IncrementalSnapshot(host), log, emitted, notes, windowIds, pings: () => pings };
}

describe('IncrementalSnapshot', () => {
  it('emits a chunk at its close watermark, without the rows the stream changed inside the window', async () => {
    const { snap, emitted, notes, windowIds } = setup(
      [
        ['1', 'a'],
        ['2', 'b'],
        ['3', 'c'],
      ],
      10,
    );
    await snap.add(['public.b'], () => null, null, 'sig-1');
    const [open, close] = windowIds();
    assert.match(open!, /-open$/);
    snap.streamed(TABLE, ['2', 'changed']); // before the open watermark: no effect
    await snap.watermark(open!, 'open');
    snap.streamed(TABLE, ['2', 'changed']); // inside the window: the streamed change wins
    assert.equal(emitted.length, 0);
    await snap.watermark(close!, 'close');
    assert.deepEqual(
      emitted.map((r) => r.key),
      ['1', '3'],
    );
    assert.ok(emitted.every((r) => (r.value as { op: string }).op === 'r'));
    assert.equal(emitted[0]!.sourceOffset[OFFSET_COLLECTIONS] !== undefined, true, 'the state rides on the offset');
    assert.equal(emitted[1]!.sourceOffset[OFFSET_COLLECTIONS], undefined, 'the last record: the snapshot is done');
    assert.deepEqual(
      notes.map((n) => n.type),
      ['STARTED', 'IN_PROGRESS', 'TABLE_SCAN_COMPLETED', 'COMPLETED'],
    );
    assert.equal(notes[1]!.data.last_processed_key, '3', 'the last chunk reports its progress too, as in Debezium');
    assert.equal(notes[2]!.data.total_rows_scanned, '3');
    assert.equal(snap.active, false);
  });

  it('stores its position in the offsets and resumes after the last stored chunk', async () => {
    const rows = [
      ['1', 'a'],
      ['2', 'b'],
      ['3', 'c'],
      ['4', 'd'],
      ['5', 'e'],
    ];
    const first = setup(rows, 2);
    await first.snap.add(['public.b'], () => "v <> 'x'", null, 'sig-2');
    const [open, close] = first.windowIds();
    await first.snap.watermark(open!, 'open');
    await first.snap.watermark(close!, 'close');
    const stored = first.emitted[first.emitted.length - 1]!.sourceOffset;
    assert.equal(first.notes[1]!.type, 'IN_PROGRESS');
    assert.equal(first.notes[1]!.data.last_processed_key, '2');

    const second = setup(rows, 2);
    second.snap.restore(stored);
    assert.equal(second.snap.active, true);
    await second.snap.kick();
    const select = second.log.find((q) => q.text.startsWith('SELECT * FROM'))!;
    assert.match(select.text, /\("id"\) > \(\$1::integer\)/);
    assert.match(select.text, /\(v <> 'x'\)/, 'the additional condition is kept');
    assert.deepEqual(select.values, ['2', '5']);
  });

  it('stop-snapshot aborts without completing; an unknown table is skipped with UNKNOWN_SCHEMA', async () => {
    const { snap, notes } = setup([['1', 'a']], 10);
    await snap.add(['public.nope', 'public.b'], () => null, null, 'sig-3');
    await snap.stop([]);
    assert.deepEqual(
      notes.map((n) => [n.type, n.data.status]),
      [
        ['STARTED', undefined],
        ['TABLE_SCAN_COMPLETED', 'UNKNOWN_SCHEMA'],
        ['ABORTED', undefined],
      ],
    );
    assert.equal(snap.active, false);
  });

  it('read.only: no writes; the window closes once the stream passes the WAL position of the chunk', async () => {
    const rows = [
      ['1', 'a'],
      ['2', 'b'],
      ['3', 'c'],
    ];
    const { snap, emitted, log, pings } = setup(rows, 2, true);
    await snap.add(['public.b'], () => null, null, 'sig-ro');
    assert.ok(!log.some((q) => /^(INSERT|DELETE|UPDATE)/.test(q.text)), 'nothing written');
    assert.ok(log.some((q) => q.text.startsWith('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')));
    snap.streamed(TABLE, ['1', 'changed']); // inside the window from the start
    await snap.beforeTransaction(999n); // committed before the chunk's snapshot: still inside
    await snap.walReached(999n);
    assert.equal(emitted.length, 0);
    assert.equal(pings(), 3, 'a ping after each chunk (both read ahead), another while no position is reached');
    await snap.beforeTransaction(1000n); // committed after the first chunk's snapshot: that chunk goes first
    assert.deepEqual(
      emitted.map((r) => r.key),
      ['2'],
    );
    await snap.walReached(2000n); // the second chunk, closed by a keepalive
    assert.deepEqual(
      emitted.map((r) => r.key),
      ['2', '3'],
    );
    assert.equal(snap.active, false);
  });

  it('recordEnd: an insert position just past a page header stands for the page start', () => {
    assert.equal(recordEnd(8192n * 5n + 24n), 8192n * 5n);
    assert.equal(recordEnd(16n * 1024n * 1024n + 40n), 16n * 1024n * 1024n);
    assert.equal(recordEnd(8192n * 5n + 100n), 8192n * 5n + 100n);
  });

  it('resumes a snapshot from the offsets Debezium wrote (Java-serialized keys, database.schema.table ids)', async () => {
    const rows = [
      ['1', 'a'],
      ['2', 'b'],
      ['3', 'c'],
    ];
    const { snap, log } = setup(rows, 10);
    // Object[] { 1 } and Object[] { 3 } as java.io.ObjectOutputStream writes them.
    const javaInt = (n: number) =>
      'aced0005757200135b4c6a6176612e6c616e672e4f626a6563743b90ce589f1073296c020000787000000001' +
      '737200116a6176612e6c616e672e496e746567657212e2a0a4f781873802000149000576616c7565787200106a6176612e6c616e672e4e756d62657286ac951d0b94e08b0200007870' +
      n.toString(16).padStart(8, '0');
    snap.restore({
      lsn: 100,
      [OFFSET_COLLECTIONS]: JSON.stringify([
        {
          incremental_snapshot_collections_id: 'db.public.b',
          incremental_snapshot_collections_additional_condition: null,
          incremental_snapshot_collections_surrogate_key: null,
        },
      ]),
      incremental_snapshot_primary_key: javaInt(1),
      incremental_snapshot_maximum_key: javaInt(3),
      incremental_snapshot_correlation_id: 'dbz-1',
    });
    assert.equal(snap.active, true);
    await snap.kick();
    const select = log.find((q) => q.text.startsWith('SELECT * FROM'))!;
    assert.deepEqual(select.values, ['1', '3'], 'after key 1, up to key 3');
  });
});
