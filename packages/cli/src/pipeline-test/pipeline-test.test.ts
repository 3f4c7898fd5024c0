import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkAssertion, difference, readPath } from './match.js';
import { Pipeline, pipelineRegistry } from './pipeline.js';
import { runTestFile } from './runner.js';

const registry = await pipelineRegistry();
const sink = (extra: Record<string, string>) =>
  Pipeline.build(
    registry,
    {
      name: 's',
      'connector.class': 'FileStreamSink',
      topics: 't',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
      ...extra,
    },
    {},
  );

describe('pipeline tests', () => {
  it('sends what a converter refuses to the DLQ, skips it, or fails the task, per errors.*', async () => {
    const bad = [{ raw: { value: '{"a":' } }, { raw: { value: '{"a": 1}' } }];
    const dlq = await sink({ 'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': 'dlq' }).run(bad);
    assert.deepEqual(
      dlq.map((o) => (o.kind === 'error' ? o.outcome : o.kind)),
      ['dlq', 'output'],
    );
    const skipped = await sink({ 'errors.tolerance': 'all' }).run(bad);
    assert.deepEqual(
      skipped.map((o) => (o.kind === 'error' ? o.outcome : o.kind)),
      ['skipped', 'output'],
    );
    const failed = await sink({}).run(bad);
    assert.deepEqual(
      failed.map((o) => (o.kind === 'error' ? `${o.stage} ${o.outcome}` : o.kind)),
      ['VALUE_CONVERTER task fails'],
      'the records after it are not run',
    );
  });

  it("shows a source record's bytes as its converters write them", async () => {
    const p = Pipeline.build(
      registry,
      { 'connector.class': 'FileStreamSource', file: '/dev/null', topic: 'lines' },
      {},
    );
    const [out] = await p.run([{ value: 'hello' }]);
    assert.equal(out!.kind, 'output');
    assert.deepEqual((out as { record: Record<string, unknown> }).record.raw, {
      key: null,
      value: '{"schema":null,"payload":"hello"}',
      headers: {},
    });
  });

  it('matches partially or exactly, with regexes', () => {
    assert.equal(difference([{ value: { id: 1 } }], [{ value: { id: 1, x: 2 }, topic: 't' }], 'partial'), null);
    assert.notEqual(difference([{ value: { id: 1 } }], [{ value: { id: 1, x: 2 } }], 'exact'), null);
    assert.equal(difference({ error: { $regex: 'bad \\w+' } }, { error: 'a bad thing' }, 'partial'), null);
    assert.match(difference([{ value: 1 }], [{ value: 2 }], 'partial')!, /\+\s+value: 2\n-\s+value: 1/);
  });

  it('reads JSON paths and checks assertions', () => {
    const doc = [{ value: { 'a.b': [1, { c: 'x' }] } }];
    assert.equal(readPath(doc, "$[0].value['a.b'][1].c"), 'x');
    assert.equal(checkAssertion(doc, { path: "$[0].value['a.b'][0]", equals: 1 }), null);
    assert.match(checkAssertion(doc, { path: '$[0].nope', exists: true })!, /expected a value, got nothing/);
    assert.equal(checkAssertion(doc, { path: '$[0].value', type: 'object' }), null);
  });

  it('reports an unexpected error and an input that does not fit its schema at its line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pipeline-test-'));
    const file = join(dir, 'x.test.yaml');
    await writeFile(
      file,
      [
        'config: { connector.class: FileStreamSink, topics: t, value.converter.schemas.enable: "false" }',
        'worker: { value.converter: org.apache.kafka.connect.json.JsonConverter, value.converter.schemas.enable: "false" }',
        'tests:',
        '  - name: bad schema',
        '    input:',
        '      - value: 1',
        '        valueSchema: { type: string }',
        '    expect: []',
        '  - name: unexpected error',
        '    input: [{ raw: { value: "{" } }]',
        '    expect: []',
        '',
      ].join('\n'),
    );
    const r = await runTestFile(file, registry);
    assert.match(r.cases[0]!.failures[0]!, /x\.test\.yaml:7: input 0: value does not fit valueSchema/);
    assert.match(r.cases[1]!.failures[0]!, /input 0 failed at VALUE_CONVERTER \(task fails\)/);
  });
});
