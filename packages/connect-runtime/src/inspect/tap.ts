import { randomUUID } from 'node:crypto';
import type { Log, LogRecord } from '../log/log.js';

export interface TapOptions {
  fromBeginning: boolean;
  signal: AbortSignal;
}

/**
 * The records of a topic as they arrive, read by a throwaway consumer group that never commits (so it
 * leaves no position behind and never disturbs a connector's group). The consumer is closed, and its
 * group deleted, when the signal aborts.
 */
export async function* tapTopic(log: Log, topic: string, opts: TapOptions): AsyncGenerator<LogRecord[]> {
  const groupId = `tributary-tap-${randomUUID()}`;
  const consumer = log.consumer({
    groupId,
    clientId: groupId,
    topics: [topic],
    autoOffsetReset: opts.fromBeginning ? 'earliest' : 'latest',
    maxPollRecords: 500,
  });
  try {
    await consumer.start();
    while (!opts.signal.aborted) {
      const batch = await consumer.poll(500, opts.signal);
      if (batch.length > 0) yield batch;
    }
  } finally {
    await consumer.close().catch(() => undefined);
    await log
      .admin()
      .deleteGroup(groupId)
      .catch(() => undefined);
  }
}
