/**
 * A reader that goes away (`tributary consume … | head -3`) closes the pipe under stdout; the next
 * write fails with EPIPE. Node ignores SIGPIPE, so without this the failure surfaces as an unhandled
 * 'error' event and a stack trace. Like any Unix tool, end quietly instead: the output nobody reads
 * any more is not an error of the command. Exit status 0, as `head` has what it asked for.
 */
export function endQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
}

/** Writes to stdout and waits while its buffer is full, so a slow reader slows the command down. */
export async function writeOut(text: string): Promise<void> {
  if (process.stdout.write(text)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      process.stdout.off('drain', done);
      process.stdout.off('close', done);
      resolve();
    };
    process.stdout.on('drain', done);
    process.stdout.on('close', done);
  });
}
