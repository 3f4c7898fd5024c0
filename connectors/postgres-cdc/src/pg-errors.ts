import { ConnectError, RetriableError } from '@tributary/connect-api';
import type { CdcConfig } from './config.js';

/**
 * Turns a `pg` error into one that says what is wrong and what to do. Connection failures (server
 * down, restarting, network) are retriable; permission and configuration problems are not, so the
 * task fails with a status a person can act on.
 */
export function explainPgError(err: unknown, cfg: CdcConfig, during: string): Error {
  if (err instanceof ConnectError) return err;
  const e = err as { code?: string; message?: string };
  const msg = e?.message ?? String(err);
  const where = `${cfg.user}@${cfg.host}:${cfg.port}/${cfg.dbname}`;
  const fatal = (code: string, text: string) =>
    new ConnectError(`${text} (while ${during}; PostgreSQL said: ${msg})`, { code, cause: err });
  switch (e?.code) {
    case '28P01':
    case '28000':
      if (/replication/i.test(msg)) {
        return fatal(
          'PG_NO_REPLICATION_HBA',
          `PostgreSQL refused a replication connection for ${where}: add a "host replication ${cfg.user} ..." line to pg_hba.conf and reload`,
        );
      }
      return fatal('PG_AUTH_FAILED', `Authentication failed for ${where}: check database.user and database.password`);
    case '3D000':
      return fatal(
        'PG_NO_DATABASE',
        `Database "${cfg.dbname}" does not exist on ${cfg.host}:${cfg.port}: check database.dbname`,
      );
    case '42501':
      if (/replication/i.test(msg)) {
        return fatal(
          'PG_NO_REPLICATION_ROLE',
          `User "${cfg.user}" may not use replication: run ALTER ROLE ${cfg.user} WITH REPLICATION (or connect as a superuser)`,
        );
      }
      return fatal(
        'PG_PERMISSION_DENIED',
        `User "${cfg.user}" lacks a privilege: grant SELECT on the captured tables (and CREATE on the database for publication.autocreate.mode), or create the publication "${cfg.publication}" as a superuser`,
      );
    case '55006':
      return fatal(
        'PG_SLOT_IN_USE',
        `Replication slot "${cfg.slot}" is in use by another client: stop the other consumer (see pg_stat_replication / pg_replication_slots.active_pid) or give this connector its own slot.name`,
      );
    case '55000':
      if (/wal_level/i.test(msg))
        return fatal(
          'PG_WAL_LEVEL',
          'Logical decoding needs wal_level = logical: set it in postgresql.conf (ALTER SYSTEM SET wal_level = logical) and restart PostgreSQL',
        );
      if (/replica identity/i.test(msg))
        return fatal(
          'PG_NO_REPLICA_IDENTITY',
          `A captured table has neither a primary key nor a replica identity, so PostgreSQL rejects its updates and deletes: add a primary key or run ALTER TABLE … REPLICA IDENTITY FULL`,
        );
      break;
    case '53300':
      return new RetriableError(
        `Too many connections on ${cfg.host}:${cfg.port} (or max_wal_senders reached); retrying. Raise max_connections / max_wal_senders if this persists.`,
        { code: 'PG_TOO_MANY_CONNECTIONS', cause: err },
      );
    case '57P01':
    case '57P02':
    case '57P03':
      return new RetriableError(
        `PostgreSQL at ${cfg.host}:${cfg.port} is shutting down or starting up; reconnecting (while ${during})`,
        { code: 'PG_UNAVAILABLE', cause: err },
      );
  }
  if (isConnectionProblem(err)) {
    return new RetriableError(
      `PostgreSQL at ${cfg.host}:${cfg.port} is unreachable (${msg}); reconnecting with backoff (while ${during})`,
      { code: 'PG_UNAVAILABLE', cause: err },
    );
  }
  return fatal('PG_ERROR', `PostgreSQL error`);
}

export function isConnectionProblem(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (
    typeof e?.code === 'string' &&
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN)$/.test(e.code)
  )
    return true;
  if (typeof e?.code === 'string' && /^(08|57P)/.test(e.code)) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable|ended unexpectedly|terminating connection/i.test(
    e?.message ?? '',
  );
}
