import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@tributary/connect-api';
import { DirectoryLock, isAlive } from './lock.js';

function capture(): { logger: Logger; warnings: unknown[][] } {
  const warnings: unknown[][] = [];
  const noop = (): void => {};
  return {
    logger: { debug: noop, info: noop, error: noop, warn: (...args: unknown[]) => void warnings.push(args) },
    warnings,
  };
}

function tempDir(): string {
  return realpathSync(mkdtempSync(join(tmpdir(), 'tributary-lock-')));
}

describe('directory lock', () => {
  it('writes the pid, refuses a second open in this process, and releases', () => {
    const dir = tempDir();
    try {
      const lock = DirectoryLock.acquire(dir, capture().logger);
      assert.equal(readFileSync(join(dir, '.lock'), 'utf8').trim(), String(process.pid));
      assert.throws(() => DirectoryLock.acquire(dir, capture().logger), /already open for writing in this process/);
      lock.release();
      assert.equal(existsSync(join(dir, '.lock')), false);
      DirectoryLock.acquire(dir, capture().logger).release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the pid and the directory when a live process holds the lock', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      await new Promise((r) => child.once('spawn', r));
      writeFileSync(join(dir, '.lock'), `${child.pid}\n`);
      assert.throws(
        () => DirectoryLock.acquire(dir, capture().logger),
        (err: Error & { code?: string }) =>
          err.code === 'LOG_LOCKED' && err.message.includes(String(child.pid)) && err.message.includes(dir),
      );
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes over a stale lock (dead pid, garbage, or our own pid from an earlier life) with a warning', async () => {
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((r) => child.once('exit', r));
    assert.equal(isAlive(child.pid!), false);
    for (const content of [`${child.pid}\n`, 'not a pid', '', `${process.pid}\n`]) {
      const dir = tempDir();
      try {
        writeFileSync(join(dir, '.lock'), content);
        const { logger, warnings } = capture();
        const lock = DirectoryLock.acquire(dir, logger);
        assert.equal(readFileSync(join(dir, '.lock'), 'utf8').trim(), String(process.pid));
        assert.equal(warnings.length, 1, `one warning for ${JSON.stringify(content)}`);
        lock.release();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});
