/** What the exactly-once e2e files share: sizes, the run id, and reading a topic as a given isolation level sees it. */
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { openKafkaLog, type LogRecord } from '@tributary/connect-runtime';
import { numberedLine } from '../../support/lines.js';
import { SERVICES } from '../../support/services.js';
import { waitFor, type WorkerProcess } from '../../support/worker-process.js';

export const LINES = Number(process.env.EOS_LINES ?? 500_000);
export const KILLS = Number(process.env.EOS_KILLS ?? 10);
export const line = (i: number) => numberedLine(i, 60, 'e');
export const run = `${Date.now().toString(36)}-${process.pid}`;

/** Every record of `topic`, as read_committed (or read_uncommitted) readers see it. */
export async function readRecords(
  topic: string,
  isolation: 'read_committed' | 'read_uncommitted',
): Promise<LogRecord[]> {
  const log = openKafkaLog({ props: { 'bootstrap.servers': SERVICES.kafka }, logger: pino({ level: 'silent' }) });
  try {
    // Up to the ends as a reader of this isolation level sees them (read_committed: the last stable offset).
    const ends = await log.admin().partitionOffsets(topic, isolation);
    const consumer = log.consumer({ topics: [topic], overrides: { 'isolation.level': isolation } });
    await consumer.start();
    const got: LogRecord[] = [];
    const deadline = Date.now() + 180_000;
    // Transaction markers and aborted records take offsets too: read until the position passes every end.
    const behind = () => ends.some((e) => (consumer.position?.({ topic, partition: e.partition }) ?? e.low) < e.high);
    while (Date.now() < deadline && behind()) got.push(...(await consumer.poll(500)));
    await consumer.close();
    return got;
  } finally {
    await log.close();
  }
}

/** The values (or keys) of every record of `topic`, as text. */
export async function readTopic(
  topic: string,
  isolation: 'read_committed' | 'read_uncommitted',
  keys = false,
): Promise<string[]> {
  return (await readRecords(topic, isolation)).map((r) => (keys ? r.key : r.value)!.toString());
}

/**
 * What a task counted as sent again (at least once): its status's `metrics.records_redelivered` (absent
 * while 0), checked against /metrics. Waits for the task to run (it counts at its start).
 */
export async function redeliveredOf(w: WorkerProcess, connector: string): Promise<number> {
  const exported = new RegExp(
    `^tributary_task_records_redelivered_total\\{[^}]*connector="${connector}"[^}]*\\} (\\d+)$`,
    'm',
  );
  const fromMetrics = await waitFor(
    `${connector}'s task in /metrics`,
    async () => exported.exec(await (await fetch(`${w.url}/metrics`)).text())?.[1] ?? null,
    60_000,
    250,
  );
  const status = await w.request<{ metrics?: { records_redelivered?: number } }>(
    'GET',
    `/connectors/${connector}/tasks/0/status`,
  );
  const redelivered = status.body.metrics?.records_redelivered ?? 0;
  assert.equal(Number(fromMetrics), redelivered, 'the status and /metrics agree');
  return redelivered;
}
