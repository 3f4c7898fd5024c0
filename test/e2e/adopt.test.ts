// `tributary adopt` and `tributary handback` between a real Kafka Connect 3.9.2 distributed worker (jars from
// Maven Central through bench/debezium.mjs) running Debezium 3.0.8 on a table written at 500 rows/s, a
// FileStreamSource and a FileStreamSink, and one Tributary distributed worker: both on the same Kafka, with
// their own group ids and internal topics. Covers --dry-run with a class Tributary lacks (Kafka Connect's
// MirrorHeartbeatConnector, left untouched), SIGKILLs of `adopt` at each step of the Debezium and the
// FileStreamSource connector and of `handback` at each step of the FileStreamSink (and two of Debezium's), each
// followed by a rerun that finishes the move; then every row and line arrived, no new snapshot, 0 duplicate
// Debezium events.
import { spawn } from 'node:child_process';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ensureService, SERVICES } from '../support/services.js';
import { CLI, tempDir, waitFor, WorkerProcess } from '../support/worker-process.js';
import { create, running, startJavaConnect, status, type JavaWorker, type Status } from './adopt/connect-rest.js';
import { connectorConfig, freshDatabase, JSON_CONVERTERS, withClient } from './postgres-cdc/cdc-harness.js';

const DB = 'adopt_cdc';
const SEED = 100;
const tag = `adopt-${Date.now()}`;
const LINES_TOPIC = `${tag}-lines`;
const PREFIX = tag.replace('-', '_'); // Debezium's topic prefix: this run's topics only
const NAMES = { dbz: 'adopt-dbz', src: 'adopt-file-src', sink: 'adopt-file-sink', other: 'adopt-mirror-heartbeats' };

/** Runs the CLI; with `killAt`, SIGKILLs it as soon as it announces a step containing that word. */
function cli(
  args: string[],
  killAt?: string,
): Promise<{ code: number | null; out: string; err: string; killed: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(CLI, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    createInterface({ input: child.stderr }).on('line', (line) => {
      err += `${line}\n`;
      if (killAt && !killed && line.includes(killAt)) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('exit', (code) => resolve({ code, out, err, killed }));
  });
}

/** Every record of a Kafka topic as parsed JSON values (JsonConverter with schemas: the payload). */
async function readKafka(topic: string): Promise<Array<{ key: unknown; value: unknown }>> {
  const child = spawn(
    CLI,
    ['consume', topic, '--bootstrap-server', SERVICES.kafka, '--from-beginning', '--timeout-ms', '5000', '--print-key'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const out: Array<{ key: unknown; value: unknown }> = [];
  for await (const line of createInterface({ input: child.stdout })) {
    if (!line.startsWith('{')) continue;
    const r = JSON.parse(line) as { key?: string | null; value?: string | null };
    const payload = (t: string | null | undefined) => (t ? (JSON.parse(t) as { payload: unknown }).payload : null);
    out.push({ key: payload(r.key), value: payload(r.value) });
  }
  return out;
}

describe('tributary adopt / handback with Kafka Connect 3.9.2 and Debezium 3.0.8', () => {
  let java: JavaWorker;
  let ours: WorkerProcess;
  let dir: string;
  let input: string;
  let output: string;
  let written = SEED;
  let linesWritten = 0;
  let writing: Promise<void> | null = null;
  let stopWriting = false;

  before(async () => {
    ensureService('kafka', 'postgres');
    dir = await tempDir('adopt-');
    input = join(dir, 'in.txt');
    output = join(dir, 'out.txt');
    await writeFile(input, '');
    await freshDatabase(DB);
    await withClient(DB, async (c) => {
      await c.query('CREATE TABLE rows (id int PRIMARY KEY, v text)');
      await c.query(`INSERT INTO rows SELECT g, 'seed' FROM generate_series(1, ${SEED}) g`);
    });
    [java, ours] = await Promise.all([
      startJavaConnect({ dir, group: `${tag}-java`, mirror: true }),
      WorkerProcess.distributed(`${tag}-ours`, { ...JSON_CONVERTERS }),
    ]);
    await ours.start();
    await create(
      java.url,
      NAMES.dbz,
      connectorConfig(DB, 'adopt_slot', { 'snapshot.mode': 'initial', 'topic.prefix': PREFIX }),
    );
    await create(java.url, NAMES.src, { 'connector.class': 'FileStreamSource', file: input, topic: LINES_TOPIC });
    await create(java.url, NAMES.sink, { 'connector.class': 'FileStreamSink', file: output, topics: LINES_TOPIC });
    await create(java.url, NAMES.other, {
      'connector.class': 'org.apache.kafka.connect.mirror.MirrorHeartbeatConnector',
      'source.cluster.alias': `${tag}-a`,
      'target.cluster.alias': `${tag}-b`,
      'source.cluster.bootstrap.servers': SERVICES.kafka,
      'target.cluster.bootstrap.servers': SERVICES.kafka,
      'heartbeats.topic.replication.factor': '1',
      'emit.heartbeats.interval.seconds': '5',
    });
    for (const n of Object.values(NAMES))
      await waitFor(`${n} RUNNING in Kafka Connect`, async () => running(await status(java.url, n)), 120_000);
    // The writer: 50-row transactions every 100 ms (500 rows/s) and a line every 20 ms, until the end.
    writing = (async () => {
      await withClient(DB, async (c) => {
        while (!stopWriting) {
          await c.query(`INSERT INTO rows SELECT g, 'new' FROM generate_series(${written + 1}, ${written + 50}) g`);
          written += 50;
          for (let i = 0; i < 5; i++) await appendFile(input, `line ${++linesWritten}\n`);
          await new Promise((r) => setTimeout(r, 100));
        }
      });
    })();
  });

  after(async () => {
    stopWriting = true;
    await writing?.catch(() => undefined);
    await Promise.all([java?.stop(), ours?.stop()]);
  });

  it('--dry-run reports the class Tributary lacks and changes nothing', async () => {
    const r = await cli(['adopt', '--from', java.url, '--to', ours.url, '--all', '--dry-run', '--json']);
    assert.equal(r.code, 0, r.err);
    const plan = JSON.parse(r.out) as Array<{ name: string; outcome: string; inspection: { plugin: unknown } }>;
    const by = Object.fromEntries(plan.map((p) => [p.name, p]));
    assert.equal(by[NAMES.other]!.outcome, 'skipped');
    assert.equal(by[NAMES.other]!.inspection.plugin, null);
    for (const n of [NAMES.dbz, NAMES.src, NAMES.sink]) assert.equal(by[n]!.outcome, 'planned', JSON.stringify(by[n]));
    const unreachable = await cli(['adopt', '--from', 'http://127.0.0.1:1', '--to', ours.url, '--all']);
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.err, /adopt: nothing moved: cannot reach the worker at http:\/\/127.0.0.1:1/);
    const table = await cli(['adopt', '--from', java.url, '--to', ours.url, '--all', '--dry-run']);
    console.log(table.out);
    for (const n of Object.values(NAMES)) assert.ok(running(await status(java.url, n)), `${n} still runs in Connect`);
    assert.deepEqual(await (await fetch(`${ours.url}/connectors`)).json(), []);
  });

  it('KIP-980: a connector created STOPPED reports STOPPED with no tasks, in Kafka Connect as in Tributary', async () => {
    for (const url of [java.url, ours.url]) {
      const r = await fetch(`${url}/connectors`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'adopt-stopped',
          config: { 'connector.class': 'FileStreamSource', file: input, topic: `${tag}-stopped` },
          initial_state: 'STOPPED',
        }),
      });
      assert.equal(r.status, 201, await r.text());
      await waitFor(
        `STOPPED in ${url}`,
        async () => (await status(url, 'adopt-stopped'))?.connector.state === 'STOPPED',
      );
      assert.deepEqual((await status(url, 'adopt-stopped'))!.tasks, []);
      assert.equal((await fetch(`${url}/connectors/adopt-stopped`, { method: 'DELETE' })).status, 204);
    }
  });

  /** Each moved connector runs in exactly one cluster, or is STOPPED in the source with no running copy. */
  async function checkInvariant(from: string, to: string): Promise<void> {
    for (const n of [NAMES.dbz, NAMES.src, NAMES.sink]) {
      const [a, b] = [await status(from, n), await status(to, n)];
      const runsIn = (s: Status | null) => s !== null && s.connector.state !== 'STOPPED';
      assert.ok(!(runsIn(a) && runsIn(b)), `${n} runs in both clusters`);
      assert.ok(a !== null || b !== null, `${n} is gone from both clusters`);
    }
  }

  /** Each run SIGKILLed at one `connector: step` (the CLI's progress line), then a run that finishes the move. */
  async function moveWithKills(verb: 'adopt' | 'handback', from: string, to: string, kills: string[]): Promise<void> {
    const args = [verb, '--from', from, '--to', to, '--all', '--verify', '1500'];
    for (const at of kills) {
      const r = await cli(args, at);
      console.log(`# ${verb} killed at "${at}": ${r.killed} (${r.err.trim().split('\n').pop()})`);
      assert.ok(r.killed, `${verb} reached "${at}":\n${r.err}${r.out}`);
      await checkInvariant(from, to);
    }
    const r = await cli(args);
    console.log(r.out);
    assert.equal(r.code, 0, `${r.out}\n${r.err}`);
    for (const n of [NAMES.dbz, NAMES.src, NAMES.sink]) {
      await waitFor(`${n} RUNNING in ${to}`, async () => running(await status(to, n)), 60_000);
      assert.equal(await status(from, n), null, `${n} deleted from ${from}`);
    }
  }

  const STEPS = ['stopping', 'creating', 'writing', 'resuming', 'verifying', 'deleting'];
  /** The steps of one connector; a sink has no offsets to write. */
  const at = (name: string, steps = STEPS) => steps.map((s) => `${name}: ${s}`);

  it('adopt --all: SIGKILLs at each step of Debezium and FileStreamSource; the fourth stays', async () => {
    await new Promise((r) => setTimeout(r, 2000)); // a little traffic first
    await moveWithKills('adopt', java.url, ours.url, [...at(NAMES.dbz), ...at(NAMES.src)]);
    assert.ok(running(await status(java.url, NAMES.other)), 'the unknown class stays running in Connect');
    assert.equal(await status(ours.url, NAMES.other), null);
  });

  it('handback --all moves them back to Kafka Connect through SIGKILLs at each step of FileStreamSink', async () => {
    await new Promise((r) => setTimeout(r, 3000)); // traffic through Tributary
    // In the order the connectors are handed back (Tributary lists them by name): Debezium, then the sink.
    await moveWithKills('handback', ours.url, java.url, [
      ...at(NAMES.dbz, ['creating', 'resuming']),
      ...at(
        NAMES.sink,
        STEPS.filter((s) => s !== 'writing'),
      ),
    ]);
  });

  it('every row and line arrived once: no new snapshot, 0 duplicate Debezium events', async () => {
    await new Promise((r) => setTimeout(r, 3000)); // traffic through Connect again
    stopWriting = true;
    await writing;
    const rows = written;
    const lines = linesWritten;
    const counts = new Map<number, number>();
    let snapshotReads = 0;
    await waitFor(
      `${rows} rows in ${PREFIX}.public.rows`,
      async () => {
        counts.clear();
        snapshotReads = 0;
        for (const r of await readKafka(`${PREFIX}.public.rows`)) {
          const v = r.value as { op: string; after: { id: number } } | null;
          if (!v) continue;
          if (v.op === 'r') snapshotReads++;
          counts.set(v.after.id, (counts.get(v.after.id) ?? 0) + 1);
        }
        return counts.size >= rows;
      },
      120_000,
      2000,
    );
    const duplicates = [...counts.values()].reduce((s, c) => s + c - 1, 0);
    const missing = rows - counts.size;
    const outLines = await waitFor(
      `${lines} lines in the sink file`,
      async () => {
        const got = (await readFile(output, 'utf8')).split('\n').filter(Boolean);
        return new Set(got).size >= lines ? got : null;
      },
      60_000,
    );
    const lineDuplicates = outLines.length - new Set(outLines).size;
    console.log(
      `# rows ${rows}: ${counts.size} arrived, ${missing} missing, ${duplicates} duplicates, ${snapshotReads} snapshot reads; ` +
        `lines ${lines}: ${new Set(outLines).size} arrived, ${lineDuplicates} duplicates (FileStream is at least once)`,
    );
    assert.equal(missing, 0);
    assert.equal(snapshotReads, SEED, 'one snapshot, at the start');
    assert.equal(duplicates, 0, 'no replayed Debezium events');
  });
});
