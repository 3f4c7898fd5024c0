// The postgres-cdc connector against a PostgreSQL whose wal_level is not logical: a throwaway cluster
// (the Debian binaries test/services installs) on its own port, started with wal_level=replica.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureService } from '../support/services.js';
import { freePort, WorkerProcess, waitFor } from '../support/worker-process.js';
import { connectorConfig, taskStatus } from './postgres-cdc/cdc-harness.js';

const BIN = '/usr/lib/postgresql/15/bin';
const root = process.getuid?.() === 0;
/** The server refuses to run as root: as root, run its tools as the `postgres` OS user. */
const asPg = (cmd: string, args: string[]) =>
  execFileSync(root ? 'runuser' : cmd, root ? ['-u', 'postgres', '--', cmd, ...args] : args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });

describe('postgres-cdc: a server without wal_level=logical', () => {
  let dir = '';
  let port = 0;
  let w: WorkerProcess;

  before(async () => {
    ensureService('postgres'); // installs the binaries
    dir = mkdtempSync(join(tmpdir(), 'tributary-pg-replica-'));
    if (root)
      chownSync(
        dir,
        Number(execFileSync('id', ['-u', 'postgres']).toString()),
        Number(execFileSync('id', ['-g', 'postgres']).toString()),
      );
    port = await freePort();
    asPg(`${BIN}/initdb`, [
      '-D',
      join(dir, 'data'),
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
    ]);
    asPg(`${BIN}/pg_ctl`, [
      '-D',
      join(dir, 'data'),
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-t',
      '60',
      'start',
      '-o',
      `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c wal_level=replica`,
    ]);
    w = await WorkerProcess.create();
    await w.start();
  });

  after(async () => {
    await w?.kill();
    try {
      asPg(`${BIN}/pg_ctl`, ['-D', join(dir, 'data'), '-m', 'immediate', 'stop']);
    } catch {
      /* not running */
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails the task with a status that names wal_level and how to change it', async () => {
    const config = connectorConfig('postgres', 'walcheck', { 'database.port': String(port) });
    assert.equal((await w.request('POST', '/connectors', { name: 'wal-check', config })).status, 201);
    let trace = '';
    await waitFor(
      'FAILED task',
      async () => {
        const t = await taskStatus(w, 'wal-check');
        trace = t?.trace ?? '';
        return t?.state === 'FAILED';
      },
      60_000,
      200,
    );
    console.log(`# wal_level=replica: ${trace.split('\n')[0]}`);
    assert.match(trace, /wal_level=replica/);
    assert.match(trace, /ALTER SYSTEM SET wal_level = logical.*restart/);
  });
});
