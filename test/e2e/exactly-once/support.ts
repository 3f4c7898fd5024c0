/** What the exactly-once e2e files share: sizes, the run id, and reading a topic as a given isolation level sees it. */
import { pino } from 'pino';
import { openKafkaLog, type LogRecord } from '@tributary/connect-runtime';
import { numberedLine } from '../../support/lines.js';
import { SERVICES } from '../../support/services.js';

export const LINES = Number(process.env.EOS_LINES ?? 500_000);
export const KILLS = Number(process.env.EOS_KILLS ?? 10);
export const line = (i: number) => numberedLine(i, 60, 'e');
export const run = `${Date.now().toString(36)}-${process.pid}`;

/** Every record of `topic`, as read_committed (or read_uncommitted) readers see it. */
export async function readTopic(
  topic: string,
  isolation: 'read_committed' | 'read_uncommitted',
  keys = false,
): Promise<string[]> {
  const log = openKafkaLog({ props: { 'bootstrap.servers': SERVICES.kafka }, logger: pino({ level: 'silent' }) });
  try {
    const ends = await log.admin().partitionOffsets(topic);
    const consumer = log.consumer({ topics: [topic], overrides: { 'isolation.level': isolation } });
    await consumer.start();
    const got: LogRecord[] = [];
    const deadline = Date.now() + 120_000;
    let quiet = 0;
    // Transaction markers take offsets too: read until nothing more comes for a while.
    while (Date.now() < deadline && quiet < 6) {
      const batch = await consumer.poll(500);
      got.push(...batch);
      quiet = batch.length === 0 ? quiet + 1 : 0;
    }
    await consumer.close();
    void ends;
    return got.map((r) => (keys ? r.key : r.value)!.toString());
  } finally {
    await log.close();
  }
}
