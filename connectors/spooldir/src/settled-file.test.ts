import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineRecordReader } from './text-readers.js';
import { SETTLE_MS, settledChunks, type ListedFile } from './settled-file.js';

describe('settledChunks: the end of a file is final only once the file stood still', () => {
  let dir: string;
  let n = 0;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'settled-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function listed(content: string, ageMs = 0): Promise<ListedFile> {
    const path = join(dir, `f${++n}`);
    await writeFile(path, content);
    if (ageMs > 0) await utimes(path, new Date(Date.now() - ageMs), new Date(Date.now() - ageMs));
    const st = await stat(path);
    return { path, size: st.size, mtimeMs: Math.floor(st.mtimeMs) };
  }

  async function readAll(file: ListedFile, stopped = () => false): Promise<{ text: string; ms: number }> {
    const t0 = Date.now();
    let text = '';
    for await (const chunk of settledChunks(file, 0, stopped)) text += chunk.toString();
    return { text, ms: Date.now() - t0 };
  }

  it('a file last written long ago ends at once', async () => {
    const r = await readAll(await listed('a\nb\n', 60_000));
    assert.equal(r.text, 'a\nb\n');
    assert.ok(r.ms < SETTLE_MS / 2, `${r.ms} ms`);
  });

  it('a file written just now ends once it has not changed for SETTLE_MS', async () => {
    const r = await readAll(await listed('a\n'));
    assert.equal(r.text, 'a\n');
    assert.ok(r.ms >= SETTLE_MS - 50 && r.ms < SETTLE_MS + 500, `${r.ms} ms`);
  });

  it('what is appended while waiting is read, and the wait starts again', async () => {
    const file = await listed('a\n');
    const writer = (async () => {
      for (const line of ['b\n', 'c\n', 'd\n']) {
        await new Promise((r) => setTimeout(r, SETTLE_MS / 2));
        await appendFile(file.path, line);
      }
    })();
    const r = await readAll(file);
    await writer;
    assert.equal(r.text, 'a\nb\nc\nd\n');
    assert.ok(r.ms >= 1.5 * SETTLE_MS + SETTLE_MS - 100, `${r.ms} ms`);
  });

  it('stopping ends the wait', async () => {
    let stop = false;
    setTimeout(() => {
      stop = true;
    }, 100);
    const r = await readAll(await listed('a\n'), () => stop);
    assert.equal(r.text, 'a\n');
    assert.ok(r.ms < SETTLE_MS / 2, `${r.ms} ms`);
  });

  it('the line-delimited reader follows a growing file, hands over what it has, and never returns half a line', async () => {
    const file = await listed('one\ntw');
    const reader = new LineRecordReader(file, 'utf8', 0);
    setTimeout(() => {
      void appendFile(file.path, 'o\nthree\n');
    }, 300);
    const t0 = Date.now();
    const lines = (await reader.read(100)).map((i) => i.value as string);
    assert.deepEqual(lines, ['one'], 'the complete line comes at once, not when the batch is full');
    assert.ok(Date.now() - t0 < 250);
    while (!reader.done) lines.push(...(await reader.read(100)).map((i) => i.value as string));
    await reader.close();
    assert.deepEqual(lines, ['one', 'two', 'three']);
  });
});
