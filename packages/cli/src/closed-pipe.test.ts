import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEmbeddedLog } from '@tributary/connect-runtime';

const CLI = fileURLToPath(new URL('./main.js', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
      .listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      })
      .on('error', reject);
  });
}

/**
 * Runs the CLI as `tributary … | head -N` would: once N lines arrived (or at once for N = 0) the
 * reading end of its stdout is closed. Returns the exit status and what it wrote to stderr.
 */
async function runIntoHead(
  args: string[],
  lines: number,
): Promise<{ code: number | null; signal: string | null; stderr: string; got: string[] }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let out = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const closed = new Promise<void>((resolve) => {
    if (lines === 0) {
      child.stdout.destroy();
      resolve();
      return;
    }
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.split('\n').length > lines) {
        child.stdout.destroy();
        resolve();
      }
    });
  });
  const [code, signal] = await new Promise<[number | null, string | null]>((r) =>
    child.on('exit', (c, s) => r([c, s])),
  );
  await closed;
  return { code, signal, stderr, got: out.split('\n').slice(0, lines) };
}

describe('a closed stdout pipe ends the command quietly (regression: `consume … | head -3` printed an EPIPE trace)', () => {
  it('consume: stops after the reader went away, exit 0, nothing on stderr', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cli-pipe-'));
    try {
      const log = await openEmbeddedLog({ dir: join(dir, 'log') });
      const producer = log.producer();
      // Far more than a pipe buffer holds, so the command is still writing when the pipe closes.
      for (let b = 0; b < 20; b++) {
        await producer.send(
          Array.from({ length: 1000 }, (_, i) => ({
            topic: 'lines',
            key: null,
            value: Buffer.from(`record ${b * 1000 + i} ${'x'.repeat(200)}`),
          })),
        );
      }
      await producer.close();
      await log.close();
      const r = await runIntoHead(
        ['consume', 'lines', '--log-dir', join(dir, 'log'), '--from-beginning', '--timeout-ms', '5000'],
        3,
      );
      assert.equal(r.got.length, 3);
      assert.match(r.got[0]!, /"value":"record 0 x+"/);
      assert.deepEqual({ code: r.code, signal: r.signal, stderr: r.stderr }, { code: 0, signal: null, stderr: '' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('standalone worker: with the reader of its log gone, SIGTERM still stops it (it used to spin forever in the exit flush)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cli-pipe-'));
    try {
      const port = await freePort();
      const props = join(dir, 'worker.properties');
      await writeFile(
        props,
        [
          `listeners=http://127.0.0.1:${port}`,
          `embedded.log.dir=${join(dir, 'log')}`,
          `offset.storage.file.filename=${join(dir, 'offsets')}`,
        ].join('\n'),
      );
      const child = spawn(process.execPath, [CLI, 'standalone', props], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, TRIBUTARY_LOG_LEVEL: 'info' },
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      // Like `| head -1`: the first log line is read, then the pipe is closed.
      await new Promise<void>((resolve) =>
        child.stdout.once('data', () => {
          child.stdout.destroy();
          resolve();
        }),
      );
      // Signal handlers are installed once the worker has started; it answers REST by then.
      for (
        let i = 0;
        i < 100 &&
        !(await fetch(`http://127.0.0.1:${port}/`).then(
          (r) => r.ok,
          () => false,
        ));
        i++
      )
        await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 200));
      const started = Date.now();
      const exited = new Promise<[number | null, string | null]>((r) => child.on('exit', (c, s) => r([c, s])));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const [code, signal] = await exited;
      clearTimeout(timer);
      assert.deepEqual(
        { code, signal, stderr },
        { code: 0, signal: null, stderr: '' },
        `exited after ${Date.now() - started} ms`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('spooldir schema: a pipe closed before the first write is not an error either', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cli-pipe-'));
    try {
      const csv = join(dir, 'orders.csv');
      await writeFile(csv, 'id,name\n1,a\n2,b\n');
      const r = await runIntoHead(['spooldir', 'schema', '-f', csv, '-k', 'id'], 0);
      assert.deepEqual({ code: r.code, signal: r.signal, stderr: r.stderr }, { code: 0, signal: null, stderr: '' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
