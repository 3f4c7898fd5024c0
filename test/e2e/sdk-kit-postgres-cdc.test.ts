// The SDK's conformance kit run by the PostgreSQL CDC source against the real server (test/services).
import { sourceTaskSuite } from '@tributary/connect-api/testing';
import { PostgresConnector } from '@tributary/connector-postgres-cdc';
import { ensureService } from '../support/services.js';
import { waitFor } from '../support/worker-process.js';
import { connectorConfig, freshDatabase, withClient } from './postgres-cdc/cdc-harness.js';

ensureService('postgres');
let fixtures = 0;

sourceTaskSuite('PostgresConnector (CDC)', {
  connector: () => new PostgresConnector(),
  setup: async () => {
    const db = `kit_cdc_${process.pid}_${++fixtures}`;
    await freshDatabase(db);
    await withClient(db, (c) => c.query('CREATE TABLE items (id int PRIMARY KEY, name text)'));
    let next = 1;
    return {
      // Stream only: each started task sees the rows inserted after it started, one transaction each.
      config: connectorConfig(db, db, { 'snapshot.mode': 'no_data', 'table.include.list': 'public.items' }),
      feed: () =>
        withClient(db, async (c) => {
          // The task connects in the background: insert once its slot streams, or the rows precede the slot.
          await waitFor(
            'the slot to stream',
            async () =>
              (await c.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 AND active', [db])).rowCount ===
              1,
            15_000,
            50,
          );
          for (let i = 0; i < 4; i++, next++) await c.query('INSERT INTO items VALUES ($1, $2)', [next, `row ${next}`]);
        }),
      teardown: () =>
        withClient('postgres', async (c) => {
          await c.query(
            'SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = $1 AND active',
            [db],
          );
          await new Promise((r) => setTimeout(r, 200));
          await c.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = $1', [
            db,
          ]);
          await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
        }),
    };
  },
});
