/**
 * transaction.boundary=connector (KIP-618) with PostgreSQL CDC on the real broker: the task ends its
 * Kafka transactions only where PostgreSQL transactions end, so through SIGKILLs every row arrives
 * once (read_committed) and every offset the connector committed sits at the end of a PostgreSQL
 * transaction — never inside one, although its transactions (500 rows) span several polls (300).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { openKafkaLog, type LogRecord } from '@tributary/connect-runtime';
import { SERVICES, ensureService } from '../support/services.js';
import { WorkerProcess, waitFor } from '../support/worker-process.js';
import {
  connectorConfig,
  freshDatabase,
  ITEMS_DDL,
  JSON_CONVERTERS,
  waitForCaughtUp,
  withClient,
} from './postgres-cdc/cdc-harness.js';

const ROWS = Number(process.env.EOS_CDC_ROWS ?? 30_000);
const KILLS = Number(process.env.EOS_KILLS ?? 5);
const run = `${Date.now().toString(36)}-${process.pid}`;

/** Every record of `topic` as read_committed readers see it. */
async function readCommitted(topic: string): Promise<LogRecord[]> {
  const log = openKafkaLog({ props: { 'bootstrap.servers': SERVICES.kafka }, logger: pino({ level: 'silent' }) });
  try {
    const consumer = log.consumer({ topics: [topic], overrides: { 'isolation.level': 'read_committed' } });
    await consumer.start();
    const got: LogRecord[] = [];
    let quiet = 0;
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && quiet < 6) {
      const batch = await consumer.poll(500);
      got.push(...batch);
      quiet = batch.length === 0 ? quiet + 1 : 0;
    }
    await consumer.close();
    return got;
  } finally {
    await log.close();
  }
}

describe('exactly once with transaction.boundary=connector (PostgreSQL CDC)', { timeout: 10 * 60_000 }, () => {
  let w: WorkerProcess | undefined;
  before(() => {
    ensureService('kafka');
    ensureService('postgres');
  });
  after(async () => {
    await w?.kill();
  });

  it(`ends Kafka transactions only at PostgreSQL commits, with every row once through ${KILLS} SIGKILLs`, async () => {
    const group = `eos-txb-${run}`;
    const db = 'cdc_eos_boundary';
    const slot = `eos_txb_${run.replace(/[^a-z0-9]/g, '_')}`;
    await freshDatabase(db);
    await withClient(db, (c) => c.query(ITEMS_DDL));
    w = await WorkerProcess.distributed(group, { 'exactly.once.source.support': 'enabled', ...JSON_CONVERTERS });
    await w.start();
    await waitFor('the worker in its cluster', async () => (await w!.request('GET', '/health')).status === 200, 60_000);
    const created = await waitFor(
      'the connector created',
      async () => {
        const r = await w!.request('POST', '/connectors', {
          name: 'eos-txb',
          config: connectorConfig(db, slot, {
            'topic.prefix': group,
            'exactly.once.support': 'required',
            'transaction.boundary': 'connector',
            'max.batch.size': '300',
            'slot.drop.on.stop': 'false',
          }),
        });
        return r.status === 409 ? null : r;
      },
      60_000,
      250,
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await waitFor(
      'the slot',
      () =>
        withClient(
          db,
          async (c) => (await c.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slot])).rowCount! > 0,
        ),
      120_000,
      100,
    );
    const writer = withClient(db, async (c) => {
      for (let id = 1; id <= ROWS; id += 500) {
        await c.query(
          `INSERT INTO items (id, val, txt, amount) SELECT g, g % 1000, 'row ' || g, 1.5 FROM generate_series($1::int, $2::int) g`,
          [id, Math.min(ROWS, id + 499)],
        );
        await new Promise((r) => setTimeout(r, 5));
      }
    });
    for (let k = 0; k < KILLS; k++) {
      await new Promise((r) => setTimeout(r, 1_500 + Math.random() * 2_500));
      await w.kill();
      await w.start();
    }
    await writer;
    await waitForCaughtUp(db, slot);
    await w.stop();

    const ids = (await readCommitted(`${group}.public.items`))
      .map((r) => (JSON.parse(r.key!.toString()) as { payload: { id: number } }).payload.id)
      .filter((id) => id > 0);
    const offsets = (await readCommitted(`${group}-offsets`))
      .filter((r) => r.key?.toString().startsWith('["eos-txb"'))
      .map((r) => JSON.parse(r.value!.toString()) as { events_in_tx?: number });
    const inside = offsets.filter((o) => typeof o.events_in_tx === 'number' && o.events_in_tx > 0).length;
    console.log(
      `# connector boundary: ${ids.length} change events read_committed, ${new Set(ids).size} distinct rows, ` +
        `${offsets.length} committed offsets, ${inside} inside a PostgreSQL transaction, after ${KILLS} SIGKILLs`,
    );
    assert.equal(new Set(ids).size, ROWS, 'every row');
    assert.equal(ids.length, ROWS, 'no change twice');
    assert.ok(offsets.length > 0);
    assert.equal(inside, 0, 'no Kafka transaction ended inside a PostgreSQL transaction');
    await withClient('postgres', (c) => c.query('SELECT pg_drop_replication_slot($1)', [slot])).catch(() => {});
  });
});
