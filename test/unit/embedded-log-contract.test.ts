import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { openEmbeddedLog, type EmbeddedLogOptions } from '@tributary/connect-runtime';
import { runLogContract } from '../support/log-contract.js';

function embedded(options: Omit<EmbeddedLogOptions, 'dir'>) {
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tributary-log-contract-'));
    const log = await openEmbeddedLog({ dir, logger: pino({ level: 'silent' }), ...options });
    return {
      log,
      cleanup: async () => {
        await log.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  };
}

runLogContract('embedded', embedded({}));
// Tiny segments: every read crosses segment boundaries and the sparse index is exercised.
runLogContract('embedded, 1 KiB segments, fsync per write', embedded({ segmentBytes: 1024, flushIntervalMs: 0 }));
