import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureService } from '../support/services.js';
import { WorkerProcess, waitFor } from '../support/worker-process.js';
import { pgCopy, pgRows, pythonRows, writePythonFiles } from './spooldir/real-csv.js';
import { connectorStatus, consume, files, spoolDirs, type Consumed, type SpoolDirs } from './spooldir/support.js';

/**
 * Every RFC 4180 feature in one file: a BOM, CRLF, doubled quotes, separators and CRLF/LF inside
 * quoted fields, an empty quoted field next to an empty unquoted one, a field that is one quote,
 * spaces kept, non-ASCII, and a last record without a line break.
 */
const RFC4180 =
  '\ufeffid,text,note\r\n' +
  '1,"say ""hi""",doubled quotes\r\n' +
  '2,"a,b",separator inside\r\n' +
  '3,"two\r\nlines",CRLF inside\r\n' +
  '4,"lf\ninside",LF inside\r\n' +
  '5,"",empty quoted\r\n' +
  '6,,empty unquoted\r\n' +
  '7,"""",one quote\r\n' +
  '8,  spaced  ,spaces kept\r\n' +
  '9,"ünïcødé ✓ 𝄞",non-ASCII\r\n' +
  '10,"back\\slash\\",backslashes are text\r\n' +
  '11,last,"no line break at the end"';
const RFC4180_TAB =
  '\ufeffid\ttext\tnote\r\n' +
  '1\t"tab\tinside"\tquoted tab\r\n' +
  '2\t"say ""hi"""\tdoubled quotes\r\n' +
  '3\t"two\nlines"\tLF inside\r\n' +
  '4\t""\tempty quoted\r\n' +
  '5\t\tempty unquoted\r\n' +
  '6\ta,b\tcomma is text\r\n';

/** Line breaks of every kind in one file (files concatenated from different systems): LF, CRLF and CR. */
const MIXED_BREAKS = 'id,text\n1,lf\r\n2,crlf\r3,cr\n4,"quoted\rcr and\nlf"\r\n5,last\n';

const VALUES_AS_JSON = {
  'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'value.converter.schemas.enable': 'false',
};

/** A CSV connector with the default csv.* settings: columns by header, every field an optional STRING. */
function csvConnector(
  name: string,
  topic: string,
  dirs: SpoolDirs,
  pattern: string,
  extra: Record<string, string> = {},
) {
  return {
    name,
    config: {
      'connector.class': 'com.github.jcustenborder.kafka.connect.spooldir.SpoolDirCsvSourceConnector',
      'tasks.max': '1',
      topic,
      'input.path': dirs.source,
      'finished.path': dirs.finished,
      'error.path': dirs.error,
      'input.file.pattern': pattern,
      'csv.first.row.as.header': 'true',
      'schema.generation.enabled': 'true',
      ...extra,
    },
  };
}

/** The records of each file, in file order, as arrays of cells in the header's column order. */
function rowsByFile(records: Consumed[], headers: Map<string, string[]>): Map<string, Array<Array<string | null>>> {
  const out = new Map<string, Array<Array<string | null>>>();
  for (const r of records) {
    const name = r.headers['file.name']!;
    const value = JSON.parse(r.value!) as Record<string, string | null>;
    if (!out.has(name)) out.set(name, []);
    out.get(name)!.push(headers.get(name)!.map((h) => value[h]!));
  }
  return out;
}

/** Fails at once, with the task's trace, instead of waiting for files that will never finish. */
async function noFailedTask(w: WorkerProcess, ...names: string[]): Promise<void> {
  for (const n of names) {
    const task = (await connectorStatus(w, n)).tasks[0];
    if (task?.state === 'FAILED') throw new Error(`${n} FAILED: ${task.trace?.split('\n')[0]}`);
  }
}

/** Row by row: the count, then the first row that differs, shown whole. */
function assertSameRows(file: string, got: Array<Array<string | null>>, want: Array<Array<string | null>>): void {
  const i = want.findIndex((row, n) => JSON.stringify(row) !== JSON.stringify(got[n]));
  assert.ok(
    i < 0,
    `${file}: row ${i + 1} differs:\n  got  ${JSON.stringify(got[i])}\n  want ${JSON.stringify(want[i])}`,
  );
  assert.equal(got.length, want.length, `${file}: row count`);
}

describe("spooldir reads real CSV files as Python's csv module does, with the default csv.* settings", () => {
  const workers: WorkerProcess[] = [];
  before(() => ensureService('postgres'));
  after(async () => {
    for (const w of workers) await w.kill();
  });

  it('Python csv (excel, QUOTE_ALL+LF, excel-tab), PostgreSQL COPY (CSV, tab) and every RFC 4180 feature: every row arrives as Python reads it', async () => {
    const w = await WorkerProcess.create(VALUES_AS_JSON);
    workers.push(w);
    const staging = join(w.dir, 'staging');
    await mkdir(staging);
    const csvDirs = await spoolDirs(join(w.dir, 'csv'));
    const tsvDirs = await spoolDirs(join(w.dir, 'tsv'));
    const written = await writePythonFiles(staging);
    await writeFile(join(staging, 'postgres-copy.csv'), await pgCopy());
    await writeFile(join(staging, 'postgres-copy-tab.tsv'), await pgCopy('\t'));
    await writeFile(join(staging, 'rfc4180.csv'), RFC4180);
    await writeFile(join(staging, 'rfc4180-tab.tsv'), RFC4180_TAB);
    await writeFile(join(staging, 'mixed-line-breaks.csv'), MIXED_BREAKS);
    const all = [
      ...written,
      'postgres-copy.csv',
      'postgres-copy-tab.tsv',
      'rfc4180.csv',
      'rfc4180-tab.tsv',
      'mixed-line-breaks.csv',
    ];
    const expected = new Map<string, string[][]>();
    for (const f of all) expected.set(f, await pythonRows(join(staging, f), f.endsWith('.tsv') ? '\t' : ','));
    for (const f of all) await rename(join(staging, f), join(f.endsWith('.tsv') ? tsvDirs.source : csvDirs.source, f));

    await w.start();
    assert.equal(
      (await w.request('POST', '/connectors', csvConnector('real-csv', 'real-csv', csvDirs, '.*\\.csv'))).status,
      201,
    );
    assert.equal(
      (
        await w.request(
          'POST',
          '/connectors',
          csvConnector('real-tsv', 'real-tsv', tsvDirs, '.*\\.tsv', { 'csv.separator.char': '9' }),
        )
      ).status,
      201,
    );
    const started = Date.now();
    const csvCount = all.filter((f) => f.endsWith('.csv')).length;
    await waitFor(
      'every file finished',
      async () => {
        await noFailedTask(w, 'real-csv', 'real-tsv');
        return (
          (await files(csvDirs.finished)).length === csvCount &&
          (await files(tsvDirs.finished)).length === all.length - csvCount
        );
      },
      120_000,
    );
    console.log(`# ${all.length} files finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.deepEqual(
      [...(await files(csvDirs.error)), ...(await files(tsvDirs.error))],
      [],
      'nothing went to error.path',
    );
    for (const c of ['real-csv', 'real-tsv']) assert.equal((await connectorStatus(w, c)).tasks[0]!.state, 'RUNNING');

    const headers = new Map([...expected].map(([f, rows]) => [f, rows[0]!]));
    const got = new Map([
      ...rowsByFile(await consume(w, 'real-csv'), headers),
      ...rowsByFile(await consume(w, 'real-tsv'), headers),
    ]);
    let total = 0;
    for (const f of all) {
      const want = expected.get(f)!.slice(1);
      assertSameRows(f, got.get(f) ?? [], want);
      total += want.length;
      console.log(`# ${f}: ${want.length} rows, all equal to Python's csv.reader`);
    }
    assert.ok(total > 15_000);
    await w.stop();
  });

  it("csv.null.field.indicator=EMPTY_SEPARATORS: PostgreSQL NULL arrives as null and '' as an empty string, as OpenCSV reads them", async () => {
    const w = await WorkerProcess.create(VALUES_AS_JSON);
    workers.push(w);
    const dirs = await spoolDirs(w.dir);
    await writeFile(join(w.dir, 'pg.csv'), await pgCopy());
    await copyFile(join(w.dir, 'pg.csv'), join(dirs.source, 'pg.csv'));
    const want = await pgRows();
    await w.start();
    await w.request(
      'POST',
      '/connectors',
      csvConnector('pg-nulls', 'pg-nulls', dirs, 'pg\\.csv', { 'csv.null.field.indicator': 'EMPTY_SEPARATORS' }),
    );
    await waitFor(
      'pg.csv finished',
      async () => {
        await noFailedTask(w, 'pg-nulls');
        return (await files(dirs.finished)).length === 1;
      },
      60_000,
    );
    const header = ['id', 'txt', 'num', 'flag', 'ts', 'arr', 'doc'];
    const got = rowsByFile(await consume(w, 'pg-nulls'), new Map([['pg.csv', header]])).get('pg.csv')!;
    assertSameRows('pg.csv', got, want);
    const nulls = want.flat().filter((v) => v === null).length;
    assert.deepEqual(
      got.find((r) => r[0] === '6'),
      ['6', '', null, null, null, null, null],
    );
    assert.deepEqual(
      got.find((r) => r[0] === '7'),
      ['7', null, null, null, null, null, null],
    );
    console.log(`# pg.csv: ${got.length} rows equal to PostgreSQL's own values, ${nulls} NULLs among them`);
    await w.stop();
  });
});
