import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MemoryOffsetStore, fakeSinkTaskContext, sleep } from './index.js';

/** A plain-JS source connector over the numbers 1..n; `flaw` breaks one contract on purpose. */
const connectorModule = (flaw: string) => `
import { ConfigDef, Schemas } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, '..', 'index.js')).href)};
const def = new ConfigDef().define({ name: 'topic', type: 'STRING', importance: 'HIGH', documentation: 'topic' })
  .define({ name: 'n', type: 'INT', importance: 'HIGH', documentation: 'count' });
class Task {
  async start(props, ctx) {
    this.ctx = ctx; this.n = Number(props.n);
    const last = await ctx.offsetStorageReader.offset({ p: 0 });
    this.next = ${flaw === 'ignores-offsets' ? '1' : 'last ? last.i + 1 : 1'};
  }
  async poll() {
    const out = [];
    for (; this.next <= this.n && out.length < 2; this.next++) {
      out.push({ topic: 't', sourcePartition: { p: 0 }, sourceOffset: { i: this.next }, key: null, value: String(this.next), valueSchema: Schemas.STRING, headers: [] });
    }
    if (out.length === 0) await new Promise((r) => setTimeout(r, ${flaw === 'slow-stop' ? '800' : '20'}));
    return out;
  }
  stop() {}
}
export class Counter {
  kind = 'source';
  version() { return '1'; }
  config() { return def; }
  taskClass() { return Task; }
  ${flaw === 'swallows-errors' ? 'validate(config, values) { return values.map((v) => ({ ...v, errors: [] })); }' : ''}
  start(p) { this.p = p; }
  taskConfigs() { return [{ ...this.p }]; }
  stop() {}
}
`;

async function runSuite(flaw: string): Promise<{ status: number | null; out: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'kit-self-'));
  await writeFile(join(dir, 'connector.mjs'), connectorModule(flaw));
  await writeFile(
    join(dir, 'suite.test.mjs'),
    `
import { sourceTaskSuite } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'index.js')).href)};
import { Counter } from './connector.mjs';
sourceTaskSuite('numbers', { connector: () => new Counter(), setup: () => ({ config: { topic: 't', n: '8' } }), stopWithinMs: 300, rereadWindowMs: 200 });
`,
  );
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT; // a test runner of its own, not a subtest of this one
  const res = spawnSync(process.execPath, ['--test', '--test-reporter=spec', join(dir, 'suite.test.mjs')], {
    encoding: 'utf8',
    env,
  });
  return { status: res.status, out: res.stdout + res.stderr };
}

describe('the conformance kit', () => {
  it('passes a source that keeps the contracts', async () => {
    const { status, out } = await runSuite('none');
    assert.equal(status, 0, out);
  });

  it('says which contract a source broke and how to fix it', async () => {
    const resume = await runSuite('ignores-offsets');
    assert.equal(resume.status, 1);
    assert.match(resume.out, /Contract "resume exactly after the last committed record" broken/);
    assert.match(resume.out, /How to fix: in start\(\), read ctx.offsetStorageReader/);

    const stop = await runSuite('slow-stop');
    assert.match(
      stop.out,
      /Contract "stop\(\) during poll\(\)" broken: a poll\(\) in flight when the task was stopped had not returned after 300 ms/,
    );

    const required = await runSuite('swallows-errors');
    assert.match(required.out, /Contract "validate names a missing required key" broken/);
  });

  it('offers an offset store keyed by partition whatever the field order, and an abortable sleep', async () => {
    const store = new MemoryOffsetStore([[{ a: 1, b: 'x' }, { pos: 3 }]]);
    assert.deepEqual(await store.offset({ b: 'x', a: 1 }), { pos: 3 });
    assert.equal(await store.offset({ a: 2, b: 'x' }), null);
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 10);
    await sleep(10_000, controller.signal);
    assert.ok(Date.now() - started < 1_000);
  });

  it('records what a sink task asks of the runtime', async () => {
    const ctx = fakeSinkTaskContext({ assignment: [{ topic: 't', partition: 0 }] });
    ctx.pause({ topic: 't', partition: 0 });
    ctx.offset({ topic: 't', partition: 0 }, 7);
    ctx.requestCommit();
    assert.deepEqual(
      [[...ctx.paused], [...ctx.rewinds], ctx.commitRequests, ctx.assignment().length],
      [['t:0'], [['t:0', 7]], 1, 1],
    );
  });
});
