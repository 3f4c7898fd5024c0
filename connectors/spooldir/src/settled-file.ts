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
 * The bytes of a file from `position` to its end. With file.minimum.age.ms=0 (the default) a file may
 * still be being written in place when it is read. So the end of the file is taken as final only once
 * the file has stood still: when it was last modified at least SETTLE_MS ago, or, for a file written
 * (or touched) more recently, once neither its size nor its mtime has changed for SETTLE_MS of our
 * own clock (immune to mtimes from a skewed clock). Until then what is appended is read as it comes.
 * So a file is not finished (and moved) with rows still to come, and a row half-written at the end
 * is not cut in two. A writer that pauses for longer than SETTLE_MS still needs file.minimum.age.ms,
 * or to write under another name and rename the file when it is complete.
 *
 * `stopped()` ends the wait early (the task is stopping; the file resumes after a restart). With
 * `signalWaits`, an empty chunk says "nothing more for now" once each time the wait begins, so that a
 * reader can hand over the records it has instead of holding them while the file grows.
 */
export async function* settledChunks(
  file: ListedFile,
  position: number,
  stopped: () => boolean,
  signalWaits = false,
): AsyncGenerator<Buffer> {
  const fh = await open(file.path, 'r');
  try {
    let last = { size: file.size, mtimeMs: file.mtimeMs };
    let unchangedSince = -1;
    let signalled = false;
    for (;;) {
      const buf = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await fh.read(buf, 0, CHUNK, position);
      if (bytesRead > 0) {
        position += bytesRead;
        signalled = false;
        yield buf.subarray(0, bytesRead);
        continue;
      }
      if (stopped()) return;
      const st = await fh.stat();
      if (st.size > position) continue;
      const seen = { size: st.size, mtimeMs: Math.floor(st.mtimeMs) };
      const now = Date.now();
      if (unchangedSince < 0) {
        // First time at the end: a file that has stood still long enough is complete.
        if (now - seen.mtimeMs >= SETTLE_MS && seen.size === last.size && seen.mtimeMs === last.mtimeMs) return;
        unchangedSince = now;
      } else if (seen.size !== last.size || seen.mtimeMs !== last.mtimeMs) {
        unchangedSince = now;
      } else if (now - unchangedSince >= SETTLE_MS) {
        return;
      }
      last = seen;
      if (signalWaits && !signalled) {
        signalled = true;
        yield Buffer.alloc(0);
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
