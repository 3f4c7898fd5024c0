// Shared pieces of the incremental snapshot e2e tests (signals, read-only, key types): paced writers, the
// notification topic, waiting for the walsender, comparing the replayed topic with the table.
import assert from 'node:assert/strict';
import { waitFor, type WorkerProcess } from '../../support/worker-process.js';
import { ensureService, SERVICES } from '../../support/services.js';
import {
  checksum,
  freshDatabase,
  readTopic,
  replayItems,
  seedItems,
  withClient,
  type ReplayStats,
} from './cdc-harness.js';

/** Debezium's signal table, as its documentation creates it. */
export const SIGNAL_TABLE_DDL =
  'CREATE TABLE debezium_signal (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048))';

/**
 * A fresh database for a snapshot test: table `a_stream` (1,000 rows, streamed while the snapshot runs),
 * Debezium's signal table `debezium_signal` unless `signalTable` is false, and `items` with `rows` rows
 * (none for 0).
 */
export async function prepareSignalDatabase(db: string, rows: number, signalTable = true): Promise<void> {
  ensureService('postgres');
  ensureService('kafka');
  await freshDatabase(db);
  await withClient(db, async (c) => {
    await c.query('CREATE TABLE a_stream (id int PRIMARY KEY, val int NOT NULL)');
    await c.query('INSERT INTO a_stream SELECT g, 0 FROM generate_series(1, 1000) g');
    if (signalTable) await c.query(SIGNAL_TABLE_DDL);
  });
  if (rows > 0) await seedItems(db, rows);
}

/**
 * Connector keys the incremental snapshot tests share: signals from a Kafka topic (and `channels`), chunks of
 * `chunk` rows, notifications to the log and to `notifications`.
 */
export function snapshotSignalKeys(o: {
  channels: string;
  topic: string;
  group: string;
  chunk: number;
  notifications: string;
}): Record<string, string> {
  return {
    'signal.enabled.channels': o.channels,
    'signal.kafka.topic': o.topic,
    'signal.kafka.bootstrap.servers': SERVICES.kafka,
    'signal.kafka.groupId': o.group,
    'incremental.snapshot.chunk.size': String(o.chunk),
    'notification.enabled.channels': 'sink,log',
    'notification.sink.topic.name': o.notifications,
  };
}

export interface Notification {
  id: string;
  type: string;
  aggregate_type: string;
  additional_data: Record<string, string>;
}

export async function notifications(w: WorkerProcess, topic: string): Promise<Notification[]> {
  const out: Notification[] = [];
  await readTopic(w, topic, (e) => {
    if (e.value) out.push(e.value as unknown as Notification);
  });
  return out;
}

export async function waitForNotification(
  w: WorkerProcess,
  topic: string,
  what: string,
  pick: (n: Notification[]) => boolean,
): Promise<void> {
  try {
    await waitFor(what, async () => pick(await notifications(w, topic)), 240_000, 1000);
  } catch (err) {
    console.log(`# worker's last output:\n${w.output.slice(-8000)}`);
    throw err;
  }
}

/**
 * A writer for `items` (ids 1..rows at the start): inserts, updates and deletes at about `perSecond`, until
 * stopped. Paced, so the replay stays small enough for CI while every chunk still races with changes of its keys.
 */
export function writeItems(db: string, rows: number, firstNewId: number, perSecond = 400) {
  let stopped = false;
  let made = 0;
  let next = firstNewId;
  const run = withClient(db, async (c) => {
    while (!stopped) {
      const r = Math.random();
      const id = 1 + Math.floor(Math.random() * rows);
      if (r < 0.3) {
        await c.query('INSERT INTO items (id, val, txt, amount) VALUES ($1, $2, $3, $4)', [
          next,
          next % 1000,
          `new ${next}`,
          1,
        ]);
        next++;
      } else if (r < 0.85)
        await c.query(
          `UPDATE items SET val = val + 1, txt = txt || '.', amount = amount + 0.01, updated = now() WHERE id = $1`,
          [id],
        );
      else await c.query('DELETE FROM items WHERE id = $1', [id]);
      if (++made % 10 === 0) await new Promise((res) => setTimeout(res, 10_000 / perSecond));
    }
  });
  return {
    stop: async () => {
      stopped = true;
      await run;
      return made;
    },
  };
}

/** A writer for `a_stream` (ids 1..1000): small updates, so A keeps streaming while B is snapshotted. */
export function writeA(db: string) {
  let stopped = false;
  let made = 0;
  const run = withClient(db, async (c) => {
    while (!stopped) {
      await c.query('UPDATE a_stream SET val = val + 1 WHERE id = $1', [1 + Math.floor(Math.random() * 1000)]);
      made++;
      await new Promise((r) => setTimeout(r, 5));
    }
  });
  return {
    stop: async () => {
      stopped = true;
      await run;
      return made;
    },
  };
}

/** True once the connector's walsender streams from the slot. */
export async function streaming(slot: string): Promise<boolean> {
  return withClient('postgres', async (c) => {
    const r = await c.query(
      "SELECT 1 FROM pg_replication_slots s JOIN pg_stat_replication r ON r.pid = s.active_pid WHERE s.slot_name = $1 AND r.state IN ('streaming', 'catchup')",
      [slot],
    );
    return r.rowCount! > 0;
  });
}

/** The `items` topic replayed equals the table (rows, md5), and streamed events of each key are in commit order. */
export async function expectReplayEqual(w: WorkerProcess, db: string, label: string): Promise<ReplayStats> {
  const stats = await replayItems(w, db);
  const [src, replay] = [await checksum(db, 'items'), await checksum(db, 'items_replay')];
  console.log(
    `# ${label}: ${stats.events} events (${stats.snapshotRows} snapshot rows), ${stats.orderViolations} per-key order violations; ` +
      `source ${src.rows} rows md5 ${src.md5}, replay ${replay.rows} rows md5 ${replay.md5}`,
  );
  assert.equal(replay.rows, src.rows, 'row count');
  assert.equal(replay.md5, src.md5, 'checksum of the replayed table');
  assert.equal(stats.orderViolations, 0, 'streamed events of each key in commit order');
  return stats;
}

/** True once the connector's stored offsets hold a chunk of the incremental snapshot `signalId` started. */
export async function chunkStored(w: WorkerProcess, connector: string, signalId: string): Promise<boolean> {
  const r = await w.request<{ offsets?: Array<{ offset: Record<string, unknown> }> }>(
    'GET',
    `/connectors/${connector}/offsets`,
  );
  return (r.body.offsets ?? []).some(
    (o) =>
      o.offset.incremental_snapshot_correlation_id === signalId && o.offset.incremental_snapshot_primary_key != null,
  );
}
