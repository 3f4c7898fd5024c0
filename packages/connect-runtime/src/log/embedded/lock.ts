/**
 * Only one process may open a log directory for writing: `<dir>/.lock` is created with O_EXCL and
 * holds the owner's pid. A lock whose pid is not alive any more (the worker was killed) is taken over
 * with a warning; a live one is a clear error. Read-only opens take no lock.
 *
 * Limits: two processes taking over the same stale lock in the same instant can both succeed (the
 * window is a few system calls), and a stale pid reused by an unrelated live process blocks the
 * directory until `.lock` is removed by hand; the error message says so.
 */
import { closeSync, openSync, readFileSync, realpathSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ConnectError, type Logger } from '@tributary/connect-api';

/**
 * Directories this process holds (a pid check cannot tell two opens by the same process apart).
 * Kept on globalThis so that two copies of this module in one process still share it.
 */
const heldHere: Set<string> = ((globalThis as Record<symbol, unknown>)[Symbol.for('tributary.embedded-log.locks')] ??=
  new Set<string>()) as Set<string>;

export class DirectoryLock {
  readonly path: string;
  private readonly dir: string;
  private released = false;

  private constructor(dir: string, path: string) {
    this.dir = dir;
    this.path = path;
  }

  static acquire(dir: string, logger: Logger): DirectoryLock {
    const real = realpathSync(dir);
    const path = join(real, '.lock');
    if (heldHere.has(real)) {
      throw new ConnectError(`the log directory ${real} is already open for writing in this process`, {
        code: 'LOG_LOCKED',
      });
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(path, 'wx', 0o644);
        try {
          writeSync(fd, `${process.pid}\n`);
        } finally {
          closeSync(fd);
        }
        heldHere.add(real);
        return new DirectoryLock(real, path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const owner = readPid(path);
      if (owner !== null && owner !== process.pid && isAlive(owner)) {
        throw new ConnectError(
          `the log directory ${real} is locked by process ${owner}, which is still running: stop it, or use another ` +
            `data directory, or open this one read-only. If process ${owner} is not a Tributary worker, delete ${path}.`,
          { code: 'LOG_LOCKED' },
        );
      }
      logger.warn({ dir: real, stalePid: owner }, 'embedded log: taking over a stale lock (its process is gone)');
      try {
        unlinkSync(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    throw new ConnectError(`could not lock the log directory ${real} (another process keeps taking it)`, {
      code: 'LOG_LOCKED',
    });
  }

  /** Removes the lock file if it is still ours. */
  release(): void {
    if (this.released) return;
    this.released = true;
    heldHere.delete(this.dir);
    if (readPid(this.path) === process.pid) {
      try {
        unlinkSync(this.path);
      } catch {
        // Already gone.
      }
    }
  }
}

function readPid(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** True when a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
