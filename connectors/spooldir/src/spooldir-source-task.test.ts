import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Struct, type SourceRecord, type SourceTaskContext } from '@tributary/connect-api';
import { fakeSourceTaskContext, MemoryOffsetStore } from '@tributary/connect-api/testing';
import {
  SpoolDirCsvSourceTask,
  SpoolDirJsonSourceTask,
  SpoolDirLineDelimitedSourceTask,
  SpoolDirSchemaLessJsonSourceTask,
} from './spooldir-tasks.js';

const VALUE =
  '{"name":"V","type":"STRUCT","isOptional":false,"fieldSchemas":{"id":{"type":"INT64","isOptional":false},"name":{"type":"STRING","isOptional":true}}}';
const KEY = '{"name":"K","type":"STRUCT","isOptional":false,"fieldSchemas":{"id":{"type":"INT64","isOptional":false}}}';

/** Stands in for the runtime: the kit's in-memory offset store, written to when the test "commits". */
class FakeRuntime {
  readonly offsets = new MemoryOffsetStore();
  ctx(connectorConfig: Record<string, string> = {}): SourceTaskContext {
    return fakeSourceTaskContext({ connector: 'spool', connectorConfig, offsets: this.offsets });
  }
  /** What the runtime does once the log acknowledged `records` and the flush wrote their offsets. */
  store(records: SourceRecord[]): void {
    this.offsets.commit(records);
  }
}

async function drain(task: { poll(): Promise<SourceRecord[] | null> }, polls = 5): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for (let i = 0; i < polls; i++) out.push(...((await task.poll()) ?? []));
  return out;
}

describe('SpoolDirSourceTask lifecycle', () => {
  let dir: string;
  let config: Record<string, string>;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'spooldir-unit-'));
    for (const d of ['in', 'done', 'err']) await mkdir(join(dir, d));
    config = {
      topic: 't',
      'input.path': join(dir, 'in'),
      'finished.path': join(dir, 'done'),
      'error.path': join(dir, 'err'),
      'input.file.pattern': '.*\\.csv',
      'value.schema': VALUE,
      'key.schema': KEY,
      'csv.first.row.as.header': 'true',
      'empty.poll.wait.ms': '1',
      'halt.on.error': 'false',
    };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('moves a file only from commit(), once the offset of its last record is stored', async () => {
    await writeFile(join(dir, 'in/a.csv'), 'id,name\n1,x\n2,y\n3,z\n');
    const rt = new FakeRuntime();
    const task = new SpoolDirCsvSourceTask();
    await task.start(config, rt.ctx());
    const records = await drain(task);
    assert.deepEqual(
      records.map((r) => (r.key as Struct).get('id')),
      [1, 2, 3],
    );
    assert.deepEqual(
      records.map((r) => r.sourceOffset.offset),
      [1, 2, 3],
    );
    assert.deepEqual(
      await readdir(join(dir, 'in')),
      ['a.csv', 'a.csv.PROCESSING'],
      'read to the end, but not committed',
    );
    await task.commit();
    assert.deepEqual(await readdir(join(dir, 'done')), []);
    rt.store(records.slice(0, 2));
    await task.commit();
    assert.deepEqual(await readdir(join(dir, 'done')), [], 'one record still uncommitted');
    rt.store(records);
    await task.commit();
    assert.deepEqual(await readdir(join(dir, 'done')), ['a.csv']);
    assert.deepEqual(await readdir(join(dir, 'in')), []);
    const h = Object.fromEntries(records[1]!.headers.map((x) => [x.key, x.value]));
    assert.equal(h['file.name'], 'a.csv');
    assert.equal(h['file.offset'], 2);
    assert.equal(h['file.name.without.extension'], 'a');
    await task.stop();
  });

  it('resumes after the last committed record, and reads a new file under a reused name from the start', async () => {
    await writeFile(join(dir, 'in/a.csv'), 'id,name\n1,x\n2,y\n3,z\n');
    const rt = new FakeRuntime();
    const first = new SpoolDirCsvSourceTask();
    await first.start(config, rt.ctx());
    const records = (await first.poll())!;
    rt.store(records.slice(0, 2)); // then a crash: no stop(), the marker stays
    const second = new SpoolDirCsvSourceTask();
    await second.start(config, rt.ctx()); // clears the stale marker
    const again = await drain(second);
    assert.deepEqual(
      again.map((r) => r.sourceOffset.offset),
      [3],
      'only the unacknowledged row again',
    );
    rt.store(again);
    await second.commit();
    assert.deepEqual(await readdir(join(dir, 'done')), ['a.csv']);
    // Same name, other contents: the stored offset (3) belongs to the other file.
    await writeFile(join(dir, 'in/a.csv'), 'id,name\n7,q\n8,r\n');
    await utimes(join(dir, 'in/a.csv'), new Date(), new Date(Date.now() - 5000));
    const reused = await drain(second);
    assert.deepEqual(
      reused.map((r) => (r.value as Struct).get('id')),
      [7, 8],
    );
    await second.stop();
  });

  it('sends a file with a bad row to error.path with a sidecar after the rows before it are committed', async () => {
    await writeFile(join(dir, 'in/b.csv'), 'id,name\n1,x\nnope,y\n3,z\n');
    const rt = new FakeRuntime();
    const task = new SpoolDirCsvSourceTask();
    await task.start(config, rt.ctx());
    const records = await drain(task);
    assert.equal(records.length, 1);
    assert.deepEqual(await readdir(join(dir, 'err')), []);
    rt.store(records);
    await task.commit();
    assert.deepEqual(await readdir(join(dir, 'err')), ['b.csv', 'b.csv.error.txt']);
    const side = await readFile(join(dir, 'err/b.csv.error.txt'), 'utf8');
    assert.match(side, /line: 3\nreason: line 3: column 1 \("id"\): "nope" is not an INT64/);
    await task.stop();
  });

  it('with halt.on.error=true fails at the next poll, naming file and line, after returning the good rows', async () => {
    await writeFile(join(dir, 'in/b.csv'), 'id,name\n1,x\n2,y,extra\n');
    const task = new SpoolDirCsvSourceTask();
    await task.start({ ...config, 'halt.on.error': 'true' }, new FakeRuntime().ctx());
    assert.equal((await task.poll())!.length, 1);
    // The last row comes once the fresh file has settled (settled-file.ts); the poll after it fails.
    await assert.rejects(async () => {
      for (;;) await task.poll();
    }, /b\.csv record 2, line 3: expected 2 columns \(as the header\) but found 3.*halt\.on\.error=true/);
    assert.deepEqual(await readdir(join(dir, 'in')), ['b.csv']);
  });

  it('with errors.tolerance=all emits a bad row as an errant record carrying the row and its error', async () => {
    await writeFile(join(dir, 'in/b.csv'), 'id,name\n1,x\nnope,y\n3,z\n');
    const task = new SpoolDirCsvSourceTask();
    await task.start(config, new FakeRuntime().ctx({ 'errors.tolerance': 'all' }));
    const records = await drain(task);
    assert.equal(records.length, 3);
    assert.match(records[1]!.errant!.error.message, /b\.csv line 3: column 1 \("id"\): "nope" is not an INT64/);
    assert.equal(records[1]!.errant!.raw, 'nope,y');
    assert.equal(records[2]!.errant, undefined);
    await task.stop();
  });

  it('cleanup.policy NONE leaves a file in place and does not read it again, even one that grew while it was read', async () => {
    const path = join(dir, 'in/n.csv');
    await writeFile(path, 'id,name\n1,x\n');
    const rt = new FakeRuntime();
    const task = new SpoolDirCsvSourceTask();
    await task.start({ ...config, 'cleanup.policy': 'NONE' }, rt.ctx());
    const records: SourceRecord[] = [];
    // The writer is not done yet: it appends while the task waits at the end of the fresh file.
    setTimeout(() => {
      void appendFile(path, '2,y\n');
    }, 300);
    for (let i = 0; i < 40 && (i === 0 || (await readdir(join(dir, 'in'))).includes('n.csv.PROCESSING')); i++) {
      const batch = (await task.poll()) ?? [];
      records.push(...batch);
      rt.store(batch);
      await task.commit();
    }
    assert.deepEqual(
      records.map((r) => (r.key as Struct).get('id')),
      [1, 2],
    );
    assert.deepEqual(await readdir(join(dir, 'in')), ['n.csv'], 'left in place, marker removed');
    assert.deepEqual(await drain(task), [], 'not read again');
    await task.stop();
  });

  it('reads TSV by position without a header, skipping lines, with empty separators as null', async () => {
    await writeFile(join(dir, 'in/c.csv'), '# exported\n1\t\n2\tb\n');
    const task = new SpoolDirCsvSourceTask();
    await task.start(
      {
        ...config,
        'csv.first.row.as.header': 'false',
        'csv.separator.char': '9',
        'csv.skip.lines': '1',
        'csv.null.field.indicator': 'EMPTY_SEPARATORS',
      },
      new FakeRuntime().ctx(),
    );
    const records = await drain(task);
    assert.deepEqual(
      records.map((r) => (r.value as Struct).toJSON()),
      [
        { id: 1, name: null },
        { id: 2, name: 'b' },
      ],
    );
    await task.stop();
  });

  it('generates all-STRING schemas from the header when schema.generation.enabled', async () => {
    await writeFile(join(dir, 'in/g.csv'), 'id,name\n1,x\n');
    const task = new SpoolDirCsvSourceTask();
    await task.start(
      {
        ...config,
        'value.schema': '',
        'key.schema': '',
        'schema.generation.enabled': 'true',
        'schema.generation.key.fields': 'id',
      },
      new FakeRuntime().ctx(),
    );
    const [r] = await drain(task);
    assert.deepEqual((r!.value as Struct).toJSON(), { id: '1', name: 'x' });
    assert.deepEqual((r!.key as Struct).toJSON(), { id: '1' });
    await task.stop();
  });

  it('JSON, line-delimited and schemaless JSON files', async () => {
    await writeFile(join(dir, 'in/j.csv'), '{"id": 1, "name": "a"}\n{"id":2,\n "name":"b {x}"} {"id":"3"}\n');
    const json = new SpoolDirJsonSourceTask();
    await json.start(config, new FakeRuntime().ctx());
    assert.deepEqual(
      (await drain(json)).map((r) => (r.value as Struct).toJSON()),
      [
        { id: 1, name: 'a' },
        { id: 2, name: 'b {x}' },
        { id: 3, name: null },
      ],
    );
    await json.stop();
    await rm(join(dir, 'in/j.csv'));
    await writeFile(join(dir, 'in/l.csv'), 'one\r\ntwo\nthree');
    const lines = new SpoolDirLineDelimitedSourceTask();
    await lines.start(config, new FakeRuntime().ctx());
    assert.deepEqual(
      (await drain(lines)).map((r) => r.value),
      ['one', 'two', 'three'],
    );
    await lines.stop();
    await rm(join(dir, 'in/l.csv'));
    await writeFile(join(dir, 'in/s.csv'), '{"a":[1,2]}\n{"b":"}"}\n');
    const schemaless = new SpoolDirSchemaLessJsonSourceTask();
    await schemaless.start(config, new FakeRuntime().ctx());
    assert.deepEqual(
      (await drain(schemaless)).map((r) => r.value),
      ['{"a":[1,2]}', '{"b":"}"}'],
    );
    await schemaless.stop();
  });
});
