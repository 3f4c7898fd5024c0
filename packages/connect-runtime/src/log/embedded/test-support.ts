/** Helpers shared by the embedded log's tests (not used by the log itself). */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@tributary/connect-api';
import type { Log, LogRecord } from '../log.js';

export interface CapturedLogger extends Logger {
  readonly lines: Array<{ level: string; msg: string; obj: unknown }>;
  messages(level: string): string[];
}

/** A logger that keeps what it is given, for assertions on warnings. */
export function captureLogger(): CapturedLogger {
  const lines: Array<{ level: string; msg: string; obj: unknown }> = [];
  const at =
    (level: string) =>
    (a: unknown, b?: unknown): void => {
      if (typeof a === 'string') lines.push({ level, msg: a, obj: undefined });
      else lines.push({ level, msg: String(b ?? ''), obj: a });
    };
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    messages: (level) => lines.filter((l) => l.level === level).map((l) => l.msg),
  };
}

export function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'tributary-embedded-'));
}

let groupCounter = 0;

/** Every record of `topic` from its first offset, read by a throwaway consumer group. */
export async function readAll(log: Log, topic: string, timeoutMs = 10_000): Promise<LogRecord[]> {
  const offsets = await log.admin().partitionOffsets(topic);
  const expected = offsets.reduce((n, p) => n + p.high - p.low, 0);
  const consumer = log.consumer({ groupId: `read-all-${process.pid}-${++groupCounter}`, topics: [topic] });
  await consumer.start();
  const out: LogRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  try {
    while (out.length < expected && Date.now() < deadline) out.push(...(await consumer.poll(200)));
  } finally {
    await consumer.close();
  }
  return out;
}

export const text = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString('utf8'));
