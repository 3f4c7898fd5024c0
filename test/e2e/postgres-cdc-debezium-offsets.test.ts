// postgres-cdc resuming from offsets Debezium wrote (lsn, lsn_proc, lsn_commit, txId, ts_usec, messageType),
// against a real PostgreSQL 15: it resumes exactly where Debezium's WalPositionLocator would, after the last
// stored event, without replaying the transaction it was in. Each case reads the same WAL from its own slot,
// created before the changes, and starts from an offset set through the REST API (KIP-875).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ensureService } from '../support/services.js';
import { WorkerProcess, waitFor } from '../support/worker-process.js';
import {
  connectorConfig,
  freshDatabase,
  JSON_CONVERTERS,
  readTopic,
  withClient,
  type ChangeEvent,
} from './postgres-cdc/cdc-harness.js';

const DB = 'cdc_dbz_offsets';

describe('postgres-cdc: offsets written by Debezium', () => {
  let w: WorkerProcess;
  /** The reference run's records, in order: row id, its LSN, its transaction and the commit before it. */
  let ref: Array<{ id: number; lsn: number; txId: number; lastCommit: number }>;

  before(async () => {
    ensureService('postgres');
    w = await WorkerProcess.create({ ...JSON_CONVERTERS });
    await w.start();
    await freshDatabase(DB);
    await withClient(DB, async (c) => {
      await c.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
      await c.query('CREATE PUBLICATION dbz_pub FOR ALL TABLES');
      // Slots for the resumption cases, positioned before every change below.
      for (const s of ['case_mid', 'case_last', 'case_commit'])
        await c.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [s]);
    });
    // The reference: our connector streams the changes once, which tells each event's LSN and transaction.
    await create('ref', 'ref', null);
    await withClient(DB, async (c) => {
      await c.query("INSERT INTO t VALUES (0, 'tx0')");
      await c.query('BEGIN');
      for (let id = 1; id <= 4; id++) await c.query('INSERT INTO t VALUES ($1, $2)', [id, 'tx1']);
      await c.query('COMMIT');
      await c.query("INSERT INTO t VALUES (5, 'tx2')");
    });
    const events = (await read('ref', 6)).filter((e) => e.value?.op === 'c');
    ref = events.map((e) => {
      const seq = JSON.parse(e.value!.source.sequence as string) as [string | null, string];
      return {
        id: e.key!.id as number,
        lsn: e.value!.source.lsn as number,
        txId: e.value!.source.txId as number,
        lastCommit: Number(seq[0]),
      };
    });
    console.log(`# reference run: ${JSON.stringify(ref)}`);
    assert.deepEqual(
      ref.map((r) => r.id),
      [0, 1, 2, 3, 4, 5],
    );
  });

  after(async () => {
    for (const n of ['ref', 'case_mid', 'case_last', 'case_commit'])
      await w.request('DELETE', `/connectors/${n}`).catch(() => {});
    await w.kill();
  });

  async function create(name: string, slot: string, offset: Record<string, unknown> | null): Promise<void> {
    const config = connectorConfig(DB, slot, {
      'topic.prefix': name,
      'publication.name': 'dbz_pub',
      'publication.autocreate.mode': 'disabled',
      'slot.drop.on.stop': 'true',
    });
    assert.equal(
      (await w.request('POST', '/connectors', { name, config, ...(offset ? { initial_state: 'STOPPED' } : {}) }))
        .status,
      201,
    );
    if (!offset) {
      await waitFor(
        'streaming',
        () =>
          withClient(
            DB,
            async (c) =>
              (await c.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 AND active', [slot])).rowCount! >
              0,
          ),
        60_000,
        100,
      );
      return;
    }
    const patched = await w.request('PATCH', `/connectors/${name}/offsets`, {
      offsets: [{ partition: { server: name }, offset }],
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal((await w.request('PUT', `/connectors/${name}/resume`)).status, 202);
  }

  async function read(prefix: string, atLeast: number): Promise<ChangeEvent[]> {
    const out: ChangeEvent[] = [];
    await waitFor(
      `${atLeast} records from ${prefix}`,
      async () => {
        out.length = 0;
        await readTopic(w, `${prefix}.public.t`, (e) => out.push(e));
        return out.length >= atLeast;
      },
      60_000,
      500,
    );
    return out;
  }

  /** Debezium's streaming offset after the event with row `id`, as its PostgresOffsetContext stores it. */
  function debeziumOffset(id: number, messageType: string): Record<string, unknown> {
    const r = ref.find((x) => x.id === id)!;
    return {
      lsn: r.lsn,
      lsn_proc: r.lsn,
      lsn_commit: r.lastCommit,
      txId: r.txId,
      ts_usec: Date.now() * 1000,
      messageType,
    };
  }

  /** Reads what a case emitted once the changes after its position (through row 5) are in. */
  async function resumed(name: string): Promise<number[]> {
    await waitFor(
      `${name} to reach row 5`,
      async () => (await read(name, 1)).some((e) => e.key?.id === 5),
      60_000,
      500,
    );
    await new Promise((r) => setTimeout(r, 1500)); // anything stray would have arrived by now
    return (await read(name, 1)).map((e) => e.key!.id as number);
  }

  it('stored in the middle of a transaction: resumes with the next event of that transaction', async () => {
    await create('case_mid', 'case_mid', debeziumOffset(2, 'INSERT'));
    assert.deepEqual(await resumed('case_mid'), [3, 4, 5]);
  });

  it('stored at the last event of a transaction: resumes with the next transaction, no replay of the last one', async () => {
    await create('case_last', 'case_last', debeziumOffset(4, 'INSERT'));
    assert.deepEqual(await resumed('case_last'), [5]);
  });

  it('stored at a COMMIT (messageType COMMIT, lsn_proc = lsn_commit): resumes with the next transaction', async () => {
    const commitOfTx1 = ref.find((x) => x.id === 5)!.lastCommit;
    const r4 = ref.find((x) => x.id === 4)!;
    await create('case_commit', 'case_commit', {
      lsn: commitOfTx1,
      lsn_proc: commitOfTx1,
      lsn_commit: commitOfTx1,
      txId: r4.txId,
      ts_usec: Date.now() * 1000,
      messageType: 'COMMIT',
    });
    assert.deepEqual(await resumed('case_commit'), [5]);
  });
});
