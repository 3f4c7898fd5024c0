import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';

/** How long a file that changed while it was read must stay unchanged before its end is taken as final. */
export const SETTLE_MS = 1000;
/** How often a changing file is looked at again. */
const RECHECK_MS = 100;
const CHUNK = 1 << 16;

/** A file as it was listed: what "unchanged since it was opened" is measured against. */
export interface ListedFile {
  readonly path: string;
  readonly size: number;
  /** Whole milliseconds, as listed. */
  readonly mtimeMs: number;
}

/**
 * The bytes of a file from `position` to its end. A file whose size or mtime is no longer what it was
 * when listed is still being written in place (file.minimum.age.ms=0 lets such files in): it is
 * followed, reading what is appended, until it has neither grown nor been touched for SETTLE_MS.
 * Only then does the stream end, so a file is never finished (and moved) with rows still to come, and
 * a row half-written at the end is not cut in two. A file unchanged since it was listed ends at once.
 *
 * `stopped()` ends the wait early (the task is stopping; the file resumes after a restart).
 */
export async function* settledChunks(file: ListedFile, position: number, stopped: () => boolean): AsyncGenerator<Buffer> {
  const fh = await open(file.path, 'r');
  try {
    let changing = false;
    let last = { size: file.size, mtimeMs: file.mtimeMs };
    let unchangedSince = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await fh.read(buf, 0, CHUNK, position);
      if (bytesRead > 0) {
        position += bytesRead;
        yield buf.subarray(0, bytesRead);
        continue;
      }
      if (stopped()) return;
      const st = await fh.stat();
      if (st.size > position) continue;
      const now = { size: st.size, mtimeMs: Math.floor(st.mtimeMs) };
      if (now.size !== last.size || now.mtimeMs !== last.mtimeMs) {
        changing = true;
        last = now;
        unchangedSince = Date.now();
      } else if (!changing || Date.now() - unchangedSince >= SETTLE_MS) {
        return;
      }
      await new Promise((r) => setTimeout(r, RECHECK_MS));
    }
  } finally {
    await fh.close();
  }
}

/** `settledChunks` as a byte stream, for parsers that take one. */
export function settledStream(file: ListedFile, position: number, stopped: () => boolean): Readable {
  return Readable.from(settledChunks(file, position, stopped), { objectMode: false });
}
