import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI, ROOT, tempDir } from '../support/worker-process.js';

const EXAMPLES = join(ROOT, 'examples/pipeline-tests');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'test', ...args], { encoding: 'utf8' });

describe('tributary test', () => {
  it("passes the brief's CDC transform chain and the Elasticsearch sink's TimestampConverter, with no server", () => {
    const res = run(join(EXAMPLES, 'cdc-customers.test.yaml'), join(EXAMPLES, 'es-sink.test.yaml'));
    assert.equal(res.status, 0, res.stdout + res.stderr);
    assert.match(res.stdout, /cdc-customers\.test\.yaml \(source config\)/);
    assert.match(res.stdout, /es-sink\.test\.yaml \(sink config\)/);
    assert.match(res.stdout, /6 passed, 0 failed/);
  });

  it('fails a wrong case with exit code 1, a readable diff and a JUnit report', async () => {
    const junit = join(await tempDir('tributary-junit-'), 'report.xml');
    const res = run(join(EXAMPLES, 'failing.test.yaml'), '--junit', junit);
    assert.equal(res.status, 1);
    assert.match(res.stdout, /✖ expects the date text unchanged \(it is not\) \(.*failing\.test\.yaml:4\)/);
    assert.match(res.stdout, /\+ +LOGON_DATE: '2003-07-03T05:53:03\.000Z'\n.*- +LOGON_DATE: '2003-07-03 05:53:03'/);
    const xml = await readFile(junit, 'utf8');
    assert.match(xml, /<testsuite name="[^"]*failing\.test\.yaml" tests="1" failures="1"/);
    assert.match(xml, /<failure message="records out \(1\) differ from expect \(1\), partial match:">/);
  });

  it('points at the file and line of a YAML error, an unknown transform and a case without input', async () => {
    const dir = await tempDir('tributary-bad-tests-');
    const write = async (name: string, text: string) => {
      await writeFile(join(dir, name), text);
      return join(dir, name);
    };
    const yaml = await write('yaml.test.yaml', 'config: { connector.class: FileStreamSink\ntests: [\n');
    const unknown = await write(
      'unknown.test.yaml',
      [
        'config:',
        '  connector.class: FileStreamSink',
        '  topics: t',
        '  transforms: a',
        '  transforms.a.type: org.apache.kafka.connect.transforms.InsertFeld$Value',
        'tests:',
        '  - { name: n, input: [{ value: 1 }], expect: [] }',
        '',
      ].join('\n'),
    );
    const noInput = await write(
      'no-input.test.yaml',
      'config: { connector.class: FileStreamSink, topics: t }\ntests:\n  - name: forgot\n    expect: []\n',
    );
    const res = run(yaml, unknown, noInput);
    assert.equal(res.status, 1);
    assert.match(res.stdout, /yaml\.test\.yaml:2: not valid YAML\/JSON/);
    assert.match(
      res.stdout,
      /unknown\.test\.yaml:5: transforms\.a\.type: Failed to find any class .* Did you mean: org\.apache\.kafka\.connect\.transforms\.InsertField\$Value/,
    );
    assert.match(res.stdout, /no-input\.test\.yaml:3: case "forgot" has no input/);
  });

  it('reads a config from a .properties file and points at the line of a bad key in it', async () => {
    const dir = await tempDir('tributary-props-');
    await writeFile(
      join(dir, 'sink.properties'),
      'name=p\nconnector.class=FileStreamSink\ntopics=t\ntransforms=x\ntransforms.x.type=NoSuchTransform\n',
    );
    await writeFile(
      join(dir, 'p.test.yaml'),
      'config: sink.properties\ntests:\n  - { name: n, input: [{ value: 1 }], expect: [{ value: 1 }] }\n',
    );
    const res = run(join(dir, 'p.test.yaml'));
    assert.equal(res.status, 1);
    assert.match(res.stdout, /sink\.properties:5: transforms\.x\.type: Failed to find any class/);
  });
});
