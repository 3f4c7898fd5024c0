import { pino, type Logger } from 'pino';

/** The worker's root logger. Level from TRIBUTARY_LOG_LEVEL (default info); JSON lines to stdout. */
export function createLogger(name = 'tributary'): Logger {
  return pino({
    name,
    level: process.env.TRIBUTARY_LOG_LEVEL ?? 'info',
    // Secrets must never reach logs: redact the usual suspects wherever they appear.
    redact: { paths: ['*.password', '*["connection.password"]', '*["database.password"]', '*["auth.password"]'], censor: '[hidden]' },
  });
}

export type { Logger };
