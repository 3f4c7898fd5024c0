import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Cluster, ConnectorStatus, OffsetsBody, PluginInfo } from './cluster.js';
import { moveConnector, type MoveOptions } from './move.js';

interface Entry {
  config: Record<string, string>;
  state: 'RUNNING' | 'STOPPED' | 'PAUSED';
  type: 'source' | 'sink';
  offsets: OffsetsBody['offsets'];
}

/** An in-memory cluster with Kafka Connect's answers; `stuck` connectors never report STOPPED. */
class FakeCluster implements Cluster {
  readonly connectors = new Map<string, Entry>();
  readonly calls: string[] = [];
  /** The offsets the last PATCH wrote. */
  written: OffsetsBody['offsets'] = [];
  stuck = new Set<string>();
  failingTasks = new Set<string>();
  /** Reads of the offsets that still miss the last commit (a task still stopping). */
  staleReads = 0;
  /** What a task does once resumed (e.g. commit offsets further on). */
  onResume: (e: Entry) => void = () => undefined;
  /** What the tasks do when stopped (e.g. commit the offsets of the records since the last flush). */
  onStop: (e: Entry) => void = () => undefined;

  constructor(readonly url: string) {}

  config(name: string) {
    return Promise.resolve(this.connectors.get(name)?.config ?? null);
  }
  status(name: string): Promise<ConnectorStatus | null> {
    const c = this.connectors.get(name);
    if (!c) return Promise.resolve(null);
    const state = c.state === 'STOPPED' && this.stuck.has(name) ? 'RUNNING' : c.state;
    const task = this.failingTasks.has(name) ? 'FAILED' : state;
    const tasks = state === 'STOPPED' ? [] : [{ id: 0, state: task, worker_id: 'w', trace: 'boom' }];
    return Promise.resolve({ name, type: c.type, connector: { state, worker_id: 'w' }, tasks });
  }
  validate(_cls: string, config: Record<string, string>) {
    return Promise.resolve({ declared: new Set(Object.keys(config).filter((k) => k !== 'exotic.key')), errors: [] });
  }
  createStopped(name: string, config: Record<string, string>) {
    this.calls.push(`create ${name}`);
    const type = config['connector.class']!.includes('Sink') ? 'sink' : 'source';
    this.connectors.set(name, { config, state: 'STOPPED', type, offsets: [] });
    return Promise.resolve();
  }
  private set(name: string, state: Entry['state'], call: string) {
    this.calls.push(`${call} ${name}`);
    this.connectors.get(name)!.state = state;
    return Promise.resolve();
  }
  stop(name: string) {
    this.onStop(this.connectors.get(name)!);
    return this.set(name, 'STOPPED', 'stop');
  }
  resume(name: string) {
    this.onResume(this.connectors.get(name)!);
    return this.set(name, 'RUNNING', 'resume');
  }
  remove(name: string) {
    this.calls.push(`delete ${name}`);
    this.connectors.delete(name);
    return Promise.resolve();
  }
  offsets(name: string) {
    if (this.staleReads > 0 && this.staleReads--) return Promise.resolve({ offsets: [] });
    return Promise.resolve({ offsets: this.connectors.get(name)!.offsets });
  }
  alterOffsets(name: string, body: OffsetsBody) {
    this.calls.push(`offsets ${name}`);
    this.written = body.offsets;
    this.connectors.get(name)!.offsets = body.offsets;
    return Promise.resolve();
  }
}

const FILE_SOURCE = 'org.apache.kafka.connect.file.FileStreamSourceConnector';
const SPOOLDIR_CSV = 'com.github.jcustenborder.kafka.connect.spooldir.SpoolDirCsvSourceConnector';
const PLUGINS: PluginInfo[] = [
  { class: FILE_SOURCE, type: 'source' },
  { class: 'org.apache.kafka.connect.file.FileStreamSinkConnector', type: 'sink' },
  { class: SPOOLDIR_CSV, type: 'source' },
];
const OFFSETS = [{ partition: { filename: '/in.txt' }, offset: { position: 42 } }];
const opts = (o: Partial<MoveOptions> = {}): MoveOptions => ({
  direction: 'adopt',
  dryRun: false,
  keep: false,
  timeoutMs: 300,
  verifyMs: 10,
  settleMs: 1,
  progressMs: 50,
  say: () => undefined,
  ...o,
});

function clusters(state: Entry['state'] = 'RUNNING', cls = 'FileStreamSource') {
  const from = new FakeCluster('http://connect');
  const to = new FakeCluster('http://tributary');
  from.connectors.set('c', {
    config: { 'connector.class': cls, file: '/in.txt' },
    state,
    type: 'source',
    offsets: OFFSETS,
  });
  return { from, to };
}

describe('moveConnector', () => {
  it('stops it in the source, creates it STOPPED in the target with its offsets, resumes it, deletes the source copy', async () => {
    const { from, to } = clusters();
    const r = await moveConnector('c', from, to, PLUGINS, opts());
    assert.equal(r.outcome, 'moved', r.detail);
    assert.deepEqual(from.calls, ['stop c', 'delete c']);
    assert.deepEqual(to.calls, ['create c', 'offsets c', 'resume c']);
    assert.deepEqual(to.connectors.get('c')!.offsets, OFFSETS);
    assert.deepEqual(r.inspection!.changes, [
      `connector.class resolves to ${FILE_SOURCE}`,
      'offsets copied as they are',
    ]);
  });

  it('copies the offsets only once they no longer change after the stop (the tasks commit their last ones)', async () => {
    const { from, to } = clusters();
    from.staleReads = 3; // the two reads while it runs, and the first one after the stop
    to.onResume = (e) => (e.offsets = [{ partition: { filename: '/in.txt' }, offset: { position: 43 } }]);
    assert.equal((await moveConnector('c', from, to, PLUGINS, opts())).outcome, 'moved');
    assert.deepEqual(to.written, OFFSETS);
  });

  it('--keep leaves it STOPPED in the source; a rerun then finds it done', async () => {
    const { from, to } = clusters();
    assert.equal((await moveConnector('c', from, to, PLUGINS, opts({ keep: true }))).outcome, 'moved');
    assert.equal(from.connectors.get('c')!.state, 'STOPPED');
    const again = await moveConnector('c', from, to, PLUGINS, opts({ keep: true }));
    assert.equal(again.outcome, 'moved');
    assert.deepEqual(to.calls, ['create c', 'offsets c', 'resume c'], 'nothing done twice');
  });

  // Each state a SIGKILL can leave behind, and what a rerun does with it.
  it('finishes a move killed after the stop, after the create, or after the resume', async () => {
    for (const target of [null, 'STOPPED', 'RUNNING'] as const) {
      const { from, to } = clusters('STOPPED');
      if (target) {
        await to.createStopped('c', from.connectors.get('c')!.config);
        if (target === 'RUNNING') await to.resume('c');
        to.calls.length = 0;
      }
      const r = await moveConnector('c', from, to, PLUGINS, opts());
      assert.equal(r.outcome, 'moved', `${target}: ${r.detail}`);
      assert.equal(from.connectors.has('c'), false);
      assert.equal(to.connectors.get('c')!.state, 'RUNNING');
      assert.deepEqual(
        to.calls,
        target === 'RUNNING' ? [] : [...(target ? [] : ['create c']), 'offsets c', 'resume c'],
      );
    }
  });

  it("replaces a failed attempt's STOPPED copy in the target while the source still runs it", async () => {
    const { from, to } = clusters();
    await to.createStopped('c', { 'connector.class': 'FileStreamSource', file: '/old' });
    const r = await moveConnector('c', from, to, PLUGINS, opts());
    assert.equal(r.outcome, 'moved');
    assert.equal(to.connectors.get('c')!.config.file, '/in.txt');
  });

  it('is already moved when only the target has it', async () => {
    const { from, to } = clusters();
    from.connectors.clear();
    await to.createStopped('c', { 'connector.class': 'FileStreamSource' });
    assert.equal((await moveConnector('c', from, to, PLUGINS, opts())).outcome, 'already moved');
  });

  it('touches nothing when both clusters run it', async () => {
    const { from, to } = clusters();
    await to.createStopped('c', { 'connector.class': 'FileStreamSource' });
    await to.resume('c');
    const r = await moveConnector('c', from, to, PLUGINS, opts());
    assert.equal(r.outcome, 'failed');
    assert.match(r.detail, /runs in both clusters/);
    assert.deepEqual(from.calls, []);
  });

  it('reports a class the target has no plugin for and leaves it running', async () => {
    const { from, to } = clusters('RUNNING', 'org.apache.kafka.connect.mirror.MirrorHeartbeatConnector');
    const r = await moveConnector('c', from, to, PLUGINS, opts());
    assert.equal(r.outcome, 'skipped');
    assert.equal(r.inspection!.plugin, null);
    assert.deepEqual([from.calls, to.calls], [[], []]);
  });

  it('--dry-run lists unsupported keys and changes nothing', async () => {
    const { from, to } = clusters();
    from.connectors.get('c')!.config['exotic.key'] = 'x';
    from.connectors.get('c')!.config['transforms.t.type'] = 'x';
    const r = await moveConnector('c', from, to, PLUGINS, opts({ dryRun: true }));
    assert.equal(r.outcome, 'planned');
    assert.deepEqual(r.inspection!.unsupported, ['exotic.key']);
    assert.deepEqual([from.calls, to.calls], [[], []]);
  });

  it('a connector that does not stop in time is resumed where it ran: nothing moved', async () => {
    const { from, to } = clusters();
    from.stuck.add('c');
    const r = await moveConnector('c', from, to, PLUGINS, opts());
    assert.equal(r.outcome, 'failed');
    assert.match(r.detail, /did not stop in http:\/\/connect within 300 ms; nothing moved/);
    assert.equal(from.connectors.get('c')!.state, 'RUNNING');
    assert.equal(to.connectors.size, 0);
  });

  it('a task that FAILS in the target puts the connector back in the source, with the offsets it reached', async () => {
    const { from, to } = clusters();
    to.failingTasks.add('c');
    const further = [{ partition: { filename: '/in.txt' }, offset: { position: 99 } }];
    to.onResume = (e) => (e.offsets = further);
    const r = await moveConnector('c', from, to, PLUGINS, opts());
    assert.equal(r.outcome, 'failed');
    assert.match(r.detail, /FAILED in http:\/\/tributary: boom/);
    assert.equal(from.connectors.get('c')!.state, 'RUNNING');
    assert.deepEqual(from.connectors.get('c')!.offsets, further);
    assert.equal(to.connectors.size, 0);
  });

  it('hands spooldir offsets back in the Java count (javaOffset)', async () => {
    const { from, to } = clusters('RUNNING', SPOOLDIR_CSV);
    from.connectors.get('c')!.offsets = [
      {
        partition: { fileName: 'a.csv' },
        offset: { offset: 50, length: 9, lastModified: 1, headHash: 'h', javaOffset: 51 },
      },
    ];
    const r = await moveConnector('c', from, to, PLUGINS, opts({ direction: 'handback' }));
    assert.equal(r.outcome, 'moved', r.detail);
    assert.deepEqual(to.connectors.get('c')!.offsets, [{ partition: { fileName: 'a.csv' }, offset: { offset: 51 } }]);
  });

  it('sinks keep their consumer group: no offsets written', async () => {
    const { from, to } = clusters();
    from.connectors.set('s', {
      config: { 'connector.class': 'FileStreamSink', topics: 't' },
      state: 'RUNNING',
      type: 'sink',
      offsets: [{ partition: { kafka_topic: 't', kafka_partition: 0 }, offset: { kafka_offset: 5 } }],
    });
    assert.equal((await moveConnector('s', from, to, PLUGINS, opts())).outcome, 'moved');
    assert.deepEqual(to.calls, ['create s', 'resume s']);
  });

  // Records moving: offsets that advanced across the stop must advance in the target too.
  const further = [{ partition: { filename: '/in.txt' }, offset: { position: 99 } }];

  it('a connector moving records is moved once its offsets advance in the target', async () => {
    const { from, to } = clusters();
    from.onStop = (e) => (e.offsets = [{ partition: { filename: '/in.txt' }, offset: { position: 50 } }]);
    to.onResume = (e) => setTimeout(() => (e.offsets = further), 20);
    const r = await moveConnector('c', from, to, PLUGINS, opts({ progressMs: 1000 }));
    assert.equal(r.outcome, 'moved', r.detail);
    assert.equal(r.activity, 'moving');
    assert.match(r.detail, /records moving \(offsets advanced/);
  });

  it('a connector moving records whose offsets stay put in the target is put back where it ran', async () => {
    const { from, to } = clusters();
    from.onStop = (e) => (e.offsets = [{ partition: { filename: '/in.txt' }, offset: { position: 50 } }]);
    const r = await moveConnector('c', from, to, PLUGINS, opts({ progressMs: 100 }));
    assert.equal(r.outcome, 'failed');
    assert.equal(r.activity, 'moving');
    assert.match(r.detail, /no records moving in http:\/\/tributary: its offsets did not advance within 100 ms/);
    assert.match(r.detail, /nothing moved, it runs in http:\/\/connect again/);
    assert.equal(from.connectors.get('c')!.state, 'RUNNING');
    assert.equal(to.connectors.size, 0);
  });

  it('an idle connector is moved and reported idle', async () => {
    const { from, to } = clusters();
    const r = await moveConnector('c', from, to, PLUGINS, opts());
    assert.equal(r.outcome, 'moved', r.detail);
    assert.equal(r.activity, 'idle');
    assert.match(r.detail, /idle \(its offsets did not change while it ran or at the stop/);
  });

  it('a sink moving records is checked on its consumer group offsets, never written', async () => {
    const { from, to } = clusters();
    const group = (n: number) => [{ partition: { kafka_topic: 't', kafka_partition: 0 }, offset: { kafka_offset: n } }];
    from.connectors.set('s', {
      config: { 'connector.class': 'FileStreamSink', topics: 't' },
      state: 'RUNNING',
      type: 'sink',
      offsets: group(5),
    });
    from.onStop = (e) => (e.offsets = group(7));
    // The fake's target starts with no offsets; a sink's group is shared, so it starts where the source stopped.
    to.onResume = (e) => (e.offsets = group(9));
    const r = await moveConnector('s', from, to, PLUGINS, opts());
    assert.equal(r.outcome, 'moved', r.detail);
    assert.equal(r.activity, 'moving');
    assert.deepEqual(to.calls, ['create s', 'resume s']);
  });
});
