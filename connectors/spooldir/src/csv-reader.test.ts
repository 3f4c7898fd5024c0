import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaBuilder, Schemas, type Struct } from '@tributary/connect-api';
import { CsvRecordReader, type CsvOptions } from './csv-reader.js';
import { dateParser } from './date-formats.js';
import type { Item } from './record-reader.js';
import { SETTLE_MS } from './settled-file.js';

const DEFAULTS: CsvOptions = {
  separator: 44,
  quote: 34,
  escape: null,
  skipLines: 0,
  firstRowAsHeader: true,
  nullFieldIndicator: 'NEITHER',
  caseSensitiveFieldNames: false,
  encoding: 'utf8',
};
const allStrings = (names: string[]) => {
  const b = SchemaBuilder.struct().name('V');
  for (const n of names) b.field(n, Schemas.OPTIONAL_STRING);
  return { value: b.build(), key: null };
};

describe('CsvRecordReader', () => {
  let dir: string;
  let n = 0;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'csv-reader-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function fileOf(content: string | Buffer) {
    const path = join(dir, `f${++n}.csv`);
    await writeFile(path, content);
    // Written a while ago, so that its end is final at once (settled-file.ts); appending makes it fresh again.
    await utimes(path, new Date(Date.now() - 10_000), new Date(Date.now() - 10_000));
    const st = await stat(path);
    return { name: `f${n}.csv`, path, size: st.size, mtimeMs: Math.floor(st.mtimeMs) };
  }

  async function readAll(r: CsvRecordReader): Promise<Item[]> {
    const out: Item[] = [];
    while (!r.done) out.push(...(await r.read(1000)));
    await r.close();
    return out;
  }

  const rows = (items: Item[]) =>
    items.map((i) =>
      i.error
        ? `ERR line ${i.line}: ${i.raw ?? ''}`
        : (i.value as Struct).schema.fields!.map((f) => (i.value as Struct).get(f.name)),
    );

  it('reads RFC 4180 by default: doubled quotes, separators, CRLF and newlines inside quotes, a BOM (regression: "" sent whole files to error.path)', async () => {
    const f = await fileOf(
      '\ufeffid,text\r\n1,"say ""hi"""\r\n2,"a,b"\r\n3,"two\r\nlines"\r\n4,C:\\dir\\\r\n5,"back\\"\r\n6,""\r\n7,\r\n',
    );
    const items = await readAll(new CsvRecordReader(f, DEFAULTS, allStrings, dateParser([]), 0));
    assert.deepEqual(rows(items), [
      ['1', 'say "hi"'],
      ['2', 'a,b'],
      ['3', 'two\r\nlines'],
      ['4', 'C:\\dir\\'],
      ['5', 'back\\'],
      ['6', ''],
      ['7', ''],
    ]);
    // The line each record ends on, as Python's csv.reader line_num counts them (CRLF inside quotes is one line break).
    assert.deepEqual(
      items.map((i) => i.line),
      [2, 3, 5, 6, 7, 8, 9],
    );
  });

  it('honours an explicit csv.escape.char inside quoted fields and still reads doubled quotes, as OpenCSV 4.5 does', async () => {
    // The expected cells are what OpenCSV 4.5's CSVParser read from this file with kafka-connect-spooldir's options
    // (escape 92).
    const lines = [
      'id,v',
      '1,"a""b"',
      '2,"a\\"b"',
      '3,"a\\\\b"',
      '4,"a\\xb"',
      '5,""',
      '6,""""',
      '7,"\\""',
      '8,"a""\\"b"',
      '9,"x,""y"",\\"z\\""',
      '10,"two',
      'lines ""q"""',
      '11,"end\\\\"',
    ];
    const f = await fileOf(`${lines.join('\n')}\n`);
    const items = await readAll(new CsvRecordReader(f, { ...DEFAULTS, escape: 92 }, allStrings, dateParser([]), 0));
    assert.deepEqual(rows(items), [
      ['1', 'a"b'],
      ['2', 'a"b'],
      ['3', 'a\\b'],
      ['4', 'axb'],
      ['5', ''],
      ['6', '"'],
      ['7', '"'],
      ['8', 'a""b'],
      ['9', 'x,"y","z"'],
      ['10', 'two\nlines "q"'],
      ['11', 'end\\'],
    ]);
  });

  it('reads Latin-1 and UTF-16LE (with its byte order mark) with csv.file.charset', async () => {
    const text = 'id,text\r\n1,"café, ""crème"""\r\n2,"zwei\r\nZeilen ß"\r\n';
    const want = [
      ['1', 'café, "crème"'],
      ['2', 'zwei\r\nZeilen ß'],
    ];
    const latin1 = await fileOf(Buffer.from(text, 'latin1'));
    assert.deepEqual(
      rows(
        await readAll(new CsvRecordReader(latin1, { ...DEFAULTS, encoding: 'latin1' }, allStrings, dateParser([]), 0)),
      ),
      want,
    );
    const utf16 = await fileOf(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    assert.deepEqual(
      rows(
        await readAll(new CsvRecordReader(utf16, { ...DEFAULTS, encoding: 'utf16le' }, allStrings, dateParser([]), 0)),
      ),
      want,
    );
  });

  it('tells empty quoted fields from empty unquoted ones with csv.null.field.indicator', async () => {
    const content = 'a,b,c\n"",,x\n';
    const read = async (nulls: CsvOptions['nullFieldIndicator']) =>
      rows(
        await readAll(
          new CsvRecordReader(
            await fileOf(content),
            { ...DEFAULTS, nullFieldIndicator: nulls },
            allStrings,
            dateParser([]),
            0,
          ),
        ),
      );
    assert.deepEqual(await read('NEITHER'), [['', '', 'x']]);
    assert.deepEqual(await read('EMPTY_SEPARATORS'), [['', null, 'x']]);
    assert.deepEqual(await read('EMPTY_QUOTES'), [[null, '', 'x']]);
    assert.deepEqual(await read('BOTH'), [[null, null, 'x']]);
  });

  it('a malformed quote is one bad row; the rows after it still come, with their own lines and offsets', async () => {
    const f = await fileOf('id,text\n1,ok\n2,"ab"c\n3,ok\n4,a"b\n5,ok\n6,"never closed\n7,ok\n8,"ok, quoted"\n');
    const items = await readAll(new CsvRecordReader(f, DEFAULTS, allStrings, dateParser([]), 0));
    assert.deepEqual(rows(items), [
      ['1', 'ok'],
      'ERR line 3: 2,"ab"c',
      ['3', 'ok'],
      'ERR line 5: 4,a"b',
      ['5', 'ok'],
      'ERR line 7: 6,"never closed',
      ['7', 'ok'],
      ['8', 'ok, quoted'],
    ]);
    assert.deepEqual(
      items.map((i) => i.offset),
      [1, 2, 3, 4, 5, 6, 7, 8],
    );
    assert.ok(items.every((i) => !i.fatal));
    assert.match(items[1]!.error!.message, /^line 3: a quoted field is followed by more text/);
    // Resuming after offset 4 skips the same records, the bad ones included.
    const resumed = await readAll(new CsvRecordReader(f, DEFAULTS, allStrings, dateParser([]), 4));
    assert.deepEqual(
      resumed.map((i) => i.offset),
      [5, 6, 7, 8],
    );
  });

  it('follows a file still being written until it settles, and never cuts a row in two', async () => {
    const f = await fileOf('id,text\n1,first\n');
    // Listed as above; the writer goes on: half a row, then the rest of it and more rows, while the reader reads.
    await appendFile(f.path, '2,sec');
    const reader = new CsvRecordReader(f, DEFAULTS, allStrings, dateParser([]), 0);
    const got: Item[] = [...(await reader.read(1000))];
    assert.deepEqual(rows(got), [['1', 'first']]);
    const writer = (async () => {
      await new Promise((r) => setTimeout(r, 300));
      await appendFile(f.path, 'ond\n3,"multi\nline"\n');
      await new Promise((r) => setTimeout(r, 300));
      await appendFile(f.path, '4,last\n');
    })();
    const started = Date.now();
    while (!reader.done) got.push(...(await reader.read(1000)));
    await writer;
    assert.deepEqual(rows(got), [
      ['1', 'first'],
      ['2', 'second'],
      ['3', 'multi\nline'],
      ['4', 'last'],
    ]);
    assert.ok(Date.now() - started >= 600 + SETTLE_MS - 100, 'the end came only after the file stopped changing');
    await reader.close();
  });
});
