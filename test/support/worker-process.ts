import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The repository root (test/dist/support → ../../..). */
export const ROOT = new URL('../../../', import.meta.url).pathname;
export const CLI = join(ROOT, 'packages/cli/dist/main.js');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

const made: string[] = [];

/**
 * A fresh directory under the system's temp directory, removed when this test file's process exits cleanly
 * (worker data and Kafka-sized files run to a gigabyte a test). A failed file keeps them for a look, and says
 * where; `TRIBUTARY_KEEP_TEST_DIRS=1` keeps them always.
 */
export async function tempDir(prefix = 'tributary-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  if (made.push(dir) === 1) process.once('exit', removeTempDirs);
  return dir;
}

function removeTempDirs(code: number): void {
  if (code !== 0 || process.env.TRIBUTARY_KEEP_TEST_DIRS === '1') {
    console.error(`test directories kept: ${made.join(' ')}`);
    return;
  }
  for (const d of made) rmSync(d, { recursive: true, force: true, maxRetries: 3 });
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A worker running as a child process of the test, driven over REST like a user would. */
export class WorkerProcess {
  private child: ChildProcess | null = null;
  readonly url: string;
  output = '';

  constructor(
    readonly dir: string,
    readonly port: number,
    readonly props: Record<string, string>,
    readonly mode: 'standalone' | 'distributed' = 'standalone',
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  /** The worker's process id while it runs. */
  get pid(): number | undefined {
    return this.child?.pid ?? undefined;
  }

  /** A worker of a cluster on the real broker (test/services kafka); `extra` adds or overrides keys. */
  static async distributed(groupId: string, extra: Record<string, string> = {}): Promise<WorkerProcess> {
    const d = await tempDir('tributary-dist-');
    const port = await freePort();
    return new WorkerProcess(
      d,
      port,
      {
        listeners: `http://127.0.0.1:${port}`,
        'bootstrap.servers': '127.0.0.1:9092',
        'group.id': groupId,
        'config.storage.topic': `${groupId}-configs`,
        'offset.storage.topic': `${groupId}-offsets`,
        'status.storage.topic': `${groupId}-status`,
        'config.storage.replication.factor': '1',
        'offset.storage.replication.factor': '1',
        'status.storage.replication.factor': '1',
        'offset.flush.interval.ms': '1000',
        'session.timeout.ms': '6000',
        'heartbeat.interval.ms': '1000',
        'scheduled.rebalance.max.delay.ms': '1000',
        'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
        'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
        ...extra,
      },
      'distributed',
    );
  }

  static async create(extra: Record<string, string> = {}, dir?: string): Promise<WorkerProcess> {
    const d = dir ?? (await tempDir());
    const port = await freePort();
    return new WorkerProcess(d, port, {
      listeners: `http://127.0.0.1:${port}`,
      'embedded.log.dir': join(d, 'log'),
      'offset.storage.file.filename': join(d, 'connect.offsets'),
      'offset.flush.interval.ms': '1000',
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      ...extra,
    });
  }

  async start(connectorFiles: string[] = []): Promise<void> {
    const workerFile = join(this.dir, 'worker.properties');
    await writeFile(
      workerFile,
      Object.entries(this.props)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n') + '\n',
    );
    this.output = '';
    // Through the bin, as users run it (its shebang sets the worker's V8 memory settings).
    const child = spawn(CLI, [this.mode, workerFile, ...connectorFiles], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TRIBUTARY_LOG_LEVEL: process.env.TRIBUTARY_LOG_LEVEL ?? 'warn' },
    });
    this.child = child;
    child.stdout!.on('data', (d: Buffer) => {
      this.output += d.toString();
    });
    child.stderr!.on('data', (d: Buffer) => {
      this.output += d.toString();
    });
    await waitFor(
      `worker on ${this.url}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}: ${this.output}`);
        return (await fetch(`${this.url}/`)).status > 0; // any answer, 401 included, means it listens
      },
      30_000,
    );
  }

  /** SIGKILL: no chance to flush or close anything. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /**
   * SIGTERM, as a service manager stops it. A worker that has not exited a minute later is killed and
   * the test says so: Node 24 can deadlock inside process exit, after the worker's own shutdown has
   * finished (nodejs/node#54918: the main thread joins a V8 compile thread that waits for a GC).
   */
  async stop(): Promise<void> {
    const c = this.child;
    const timer = setTimeout(() => {
      console.log(
        `# worker ${c?.pid} still running 60 s after SIGTERM; SIGKILL (last output: ${this.output.slice(-300).trim()})`,
      );
      c?.kill('SIGKILL');
    }, 60_000);
    try {
      await this.signal('SIGTERM');
    } finally {
      clearTimeout(timer);
    }
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill(sig);
    await exited;
    this.child = null;
  }

  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T; headers: Headers }> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T, headers: res.headers };
  }

  /** `request`, retried while the cluster is rebalancing (409), as a user's script would. */
  requestOutsideRebalance<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T; headers: Headers }> {
    return waitFor(
      `${method} ${path} outside a rebalance`,
      async () => {
        const r = await this.request<T>(method, path, body);
        return r.status === 409 ? null : r;
      },
      60_000,
      250,
    );
  }
}
