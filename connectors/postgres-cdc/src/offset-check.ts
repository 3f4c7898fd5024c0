import { ConfigError, type SourceOffset } from '@tributary/connect-api';
import type { CdcConfig } from './config.js';
import { requestLsn } from './change-stream.js';
import { formatLsn, parseLsn } from './lsn.js';
import { connect, slotState } from './pg-client.js';
import { storedPosition } from './postgres-source-task.js';

/**
 * `PATCH /connectors/{c}/offsets` to an LSN: refused when the slot can no longer stream from there. Below its
 * `restart_lsn` the WAL is gone; below its `confirmed_flush_lsn` PostgreSQL silently starts at the confirmed
 * point instead (logical decoding never re-sends a confirmed transaction), so the move would not do what it
 * says. Without a slot (dropped, or not created yet) there is nothing to check: the next start creates one.
 */
export async function checkOffsetRetained(cfg: CdcConfig, offset: SourceOffset): Promise<void> {
  const wanted = requestLsn(storedPosition(offset));
  const client = await connect(cfg);
  try {
    const slot = await slotState(client, cfg.slot);
    if (!slot?.restartLsn) return;
    const restart = parseLsn(slot.restartLsn);
    const confirmed = slot.confirmedFlush ? parseLsn(slot.confirmedFlush) : restart;
    if (wanted >= confirmed) return;
    throw new ConfigError(
      wanted < restart
        ? `LSN ${formatLsn(wanted)} is no longer retained by replication slot "${cfg.slot}": its restart_lsn is ${slot.restartLsn} (confirmed_flush_lsn ${slot.confirmedFlush}); choose an LSN at or after ${slot.confirmedFlush}, or take a new snapshot`
        : `LSN ${formatLsn(wanted)} is before replication slot "${cfg.slot}"'s confirmed_flush_lsn ${slot.confirmedFlush} (restart_lsn ${slot.restartLsn}): PostgreSQL would resume at ${slot.confirmedFlush} anyway, as a logical slot never re-sends a confirmed transaction; choose an LSN at or after it, or take a new snapshot`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}
