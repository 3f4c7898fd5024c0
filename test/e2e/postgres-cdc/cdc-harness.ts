// Shared pieces of the postgres-cdc end-to-end tests: databases, writers, reading the topic back,
// replaying it into a fresh table and comparing checksums.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { SERVICES } from '../../support/services.js';
import { CLI, waitFor, type WorkerProcess } from '../../support/worker-process.js';

const PG = SERVICES.postgres;

export function client(database = 'postgres'): pg.Client {
  const c = new pg.Client({ host: PG.host, port: PG.port, user: PG.user, password: PG.password, database });
  c.on('error', () => {});
  return c;
}

export async function withClient<T>(database: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = client(database);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => {});
  }
}

/** A fresh database (dropping slots left in it by an earlier run first). */
export async function freshDatabase(name: string): Promise<void> {
  await withClient('postgres', async (c) => {
    await c.query(`SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = $1 AND active`, [
      name,
    ]);
    await new Promise((r) => setTimeout(r, 200));
    await c.query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = $1`, [name]);
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
  });
}

export function connectorConfig(db: string, slot: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'database.hostname': PG.host,
    'database.port': String(PG.port),
    'database.user': PG.user,
    'database.password': PG.password,
    'database.dbname': db,
    'topic.prefix': db,
    'plugin.name': 'pgoutput',
    'slot.name': slot,
    'publication.name': `pub_${slot}`,
    ...extra,
  };
}

/** Worker properties: JSON with schemas for keys and values, as a Debezium user would run it. */
export const JSON_CONVERTERS = {
  'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'key.converter.schemas.enable': 'true',
  'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'value.converter.schemas.enable': 'true',
};

/** The table the consistency tests capture. */
export const ITEMS_DDL = `CREATE TABLE items (id int PRIMARY KEY, val int NOT NULL, txt text, amount numeric(12,2), updated timestamptz NOT NULL DEFAULT now())`;

export async function seedItems(db: string, rows: number): Promise<void> {
  await withClient(db, async (c) => {
    await c.query(ITEMS_DDL);
    await c.query(
      `INSERT INTO items (id, val, txt, amount) SELECT g, g % 1000, 'row ' || g, (g % 100000) / 100.0 FROM generate_series(1, $1) g`,
      [rows],
    );
  });
}

/**
 * Concurrent writers making `changes` mixed inserts, updates and deletes (single statements and
 * transactions of 2-8 statements), until done or `stop()` is called.
 */
export function startWriters(
  db: string,
  changes: number,
  writers = 4,
  firstNewId = 10_000_000,
): { done: Promise<number>; stop: () => void; count: () => number } {
  let made = 0;
  let stopped = false;
  let nextId = firstNewId;
  const one = async (c: pg.Client, maxId: number) => {
    const r = Math.random();
    if (r < 0.35) {
      const id = nextId++;
      await c.query('INSERT INTO items (id, val, txt, amount) VALUES ($1, $2, $3, $4)', [
        id,
        id % 1000,
        `new ${id}`,
        (id % 997) / 10,
      ]);
    } else if (r < 0.85) {
      const id = 1 + Math.floor(Math.random() * maxId);
      await c.query(
        `UPDATE items SET val = val + 1, txt = txt || '.', amount = amount + 0.01, updated = now() WHERE id = $1`,
        [id],
      );
    } else {
      const id = 1 + Math.floor(Math.random() * maxId);
      await c.query('DELETE FROM items WHERE id = $1', [id]);
    }
    made++;
  };
  const connectRetrying = async (): Promise<pg.Client> => {
    for (let attempt = 0; ; attempt++) {
      const c = client(db);
      try {
        await c.connect();
        return c;
      } catch (err) {
        await c.end().catch(() => {});
        if (attempt > 120) throw err; // PostgreSQL away for a minute: give up
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  };
  const worker = async (): Promise<void> => {
    const c = await connectRetrying();
    const maxId = Number(
      (await c.query('SELECT coalesce(max(id), 1) AS m FROM items WHERE id < $1', [firstNewId])).rows[0].m,
    );
    try {
      while (!stopped && made < changes) {
        try {
          if (Math.random() < 0.5) await one(c, maxId);
          else {
            await c.query('BEGIN');
            const n = 2 + Math.floor(Math.random() * 7);
            for (let i = 0; i < n && made < changes; i++) await one(c, maxId);
            await c.query('COMMIT');
          }
        } catch (err) {
          // PostgreSQL going away mid-test: reconnect and carry on (the transaction in flight is lost, as it should
          // be).
          await c.query('ROLLBACK').catch(() => {});
          if (!/deadlock/.test(String(err))) {
            await c.end().catch(() => {});
            return worker();
          }
        }
      }
    } finally {
      await c.end().catch(() => {});
    }
  };
  const done = Promise.all(Array.from({ length: writers }, () => worker())).then(() => made);
  return {
    done,
    stop: () => {
      stopped = true;
    },
    count: () => made,
  };
}

/**
 * Waits until the slot confirmed a position past every change made so far (all of it is in the log, offsets stored).
 */
export async function waitForCaughtUp(db: string, slot: string, timeoutMs = 300_000): Promise<void> {
  const target = await withClient(db, async (c) => {
    const lsn = (await c.query('SELECT pg_current_wal_lsn() AS l')).rows[0].l as string;
    // A last transaction after that point, so "confirmed past it" means everything before was delivered.
    await c.query(
      `INSERT INTO items (id, val, txt, amount) VALUES (-1, 0, 'sentinel', 0) ON CONFLICT (id) DO UPDATE SET val = items.val + 1`,
    );
    return lsn;
  });
  await waitFor(
    `slot ${slot} to confirm past ${target}`,
    () =>
      withClient(db, async (c) => {
        const r = await c.query(
          'SELECT confirmed_flush_lsn > $1::pg_lsn AS ok FROM pg_replication_slots WHERE slot_name = $2',
          [target, slot],
        );
        return r.rows[0]?.ok === true;
      }),
    timeoutMs,
    500,
  );
}

export interface ChangeEvent {
  key: Record<string, unknown> | null;
  /** The key as JsonConverter wrote it (schema and payload), or null when the record has no key bytes. */
  keyJson?: { schema: unknown; payload: unknown } | null;
  /** The envelope payload, or null for a tombstone. */
  value: {
    before: Record<string, unknown> | null;
    after: Record<string, unknown> | null;
    op: string;
    source: Record<string, unknown>;
  } | null;
}

/** Reads a topic from the worker's embedded log through the CLI (JSON converter output with schemas). */
export async function readTopic(w: WorkerProcess, topic: string, onEvent: (e: ChangeEvent) => void): Promise<number> {
  const child = spawn(
    process.execPath,
    [CLI, 'consume', topic, '--log-dir', `${w.dir}/log`, '--from-beginning', '--timeout-ms', '3000', '--print-key'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let n = 0;
  for await (const line of createInterface({ input: child.stdout })) {
    if (!line.startsWith('{')) continue;
    const r = JSON.parse(line) as { key?: string | null; value?: string | null };
    const keyJson = r.key ? (JSON.parse(r.key) as { schema: unknown; payload: Record<string, unknown> }) : null;
    const value = r.value ? (JSON.parse(r.value) as { payload: ChangeEvent['value'] }).payload : null;
    onEvent({ key: keyJson?.payload ?? null, keyJson, value });
    n++;
  }
  return n;
}

/** Decodes a Connect Decimal from JSON (base64 big-endian two's complement) to text at `scale`. */
export function decimalText(b64: string | null, scale: number): string | null {
  if (b64 === null || b64 === undefined) return null;
  const bytes = Buffer.from(b64, 'base64');
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  if (bytes.length && bytes[0]! & 0x80) v -= 1n << BigInt(bytes.length * 8);
  const neg = v < 0n;
  const s = (neg ? -v : v).toString().padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`;
}

export interface ReplayStats {
  events: number;
  tombstones: number;
  snapshotRows: number;
  duplicates: number;
  orderViolations: number;
  finalRows: number;
}

/**
 * Replays the items topic into a fresh table `items_replay` (upsert on c/u/r, delete on d), in log
 * order. Counts events already seen (same key, op and position: a redelivery after a restart) and
 * checks that, duplicates aside, each key's events arrive in commit order.
 */
export async function replayItems(w: WorkerProcess, db: string): Promise<ReplayStats> {
  const state = new Map<number, Record<string, unknown> | null>();
  const seen = new Set<string>();
  const lastPos = new Map<number, [bigint, bigint]>();
  const stats: ReplayStats = {
    events: 0,
    tombstones: 0,
    snapshotRows: 0,
    duplicates: 0,
    orderViolations: 0,
    finalRows: 0,
  };
  await readTopic(w, `${db}.public.items`, (e) => {
    if (!e.value) {
      stats.tombstones++;
      return;
    }
    stats.events++;
    const row = e.value.op === 'd' ? e.value.before! : e.value.after!;
    const id = Number(row.id);
    if (e.value.op === 'r') stats.snapshotRows++;
    else {
      const seq = JSON.parse(e.value.source.sequence as string) as [string | null, string];
      const pos: [bigint, bigint] = [BigInt(seq[0] ?? 0), BigInt(seq[1])];
      const sig = `${id}|${e.value.op}|${pos[0]}|${pos[1]}`;
      if (seen.has(sig)) {
        stats.duplicates++;
      } else {
        seen.add(sig);
        const last = lastPos.get(id);
        if (last && (pos[0] < last[0] || (pos[0] === last[0] && pos[1] < last[1]))) stats.orderViolations++;
        lastPos.set(id, pos);
      }
    }
    state.set(id, e.value.op === 'd' ? null : row);
  });
  const rows = [...state.entries()].filter(([, r]) => r !== null).map(([, r]) => r!);
  stats.finalRows = rows.length;
  await withClient(db, async (c) => {
    await c.query('DROP TABLE IF EXISTS items_replay');
    await c.query(ITEMS_DDL.replace('items', 'items_replay'));
    for (let i = 0; i < rows.length; i += 5000) {
      const chunk = rows.slice(i, i + 5000);
      await c.query(
        `INSERT INTO items_replay (id, val, txt, amount, updated) SELECT * FROM unnest($1::int[], $2::int[], $3::text[], $4::numeric[], $5::timestamptz[])`,
        [
          chunk.map((r) => r.id),
          chunk.map((r) => r.val),
          chunk.map((r) => r.txt),
          chunk.map((r) => decimalText(r.amount as string | null, 2)),
          chunk.map((r) => r.updated),
        ],
      );
    }
  });
  return stats;
}

/** md5 over every row of a table in key order: equal checksums, equal tables. */
export async function checksum(db: string, table: string): Promise<{ rows: number; md5: string }> {
  return withClient(db, async (c) => {
    const r = await c.query(
      `SELECT count(*)::int AS n, md5(coalesce(string_agg(format('%s|%s|%s|%s|%s', id, val, txt, amount, to_char(updated AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')), ',' ORDER BY id), '')) AS m FROM ${table} WHERE id <> -1`,
    );
    return { rows: r.rows[0].n, md5: r.rows[0].m };
  });
}

export async function taskStatus(
  w: WorkerProcess,
  name: string,
): Promise<{ state: string; trace?: string } | undefined> {
  const s = await w.request<{ tasks: Array<{ state: string; trace?: string }> }>('GET', `/connectors/${name}/status`);
  return s.body?.tasks?.[0];
}
