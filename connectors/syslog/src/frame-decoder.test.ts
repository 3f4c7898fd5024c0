import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FrameDecoder } from './frame-decoder.js';
import { dropsInTable } from './udp-drops.js';

function decode(chunks: Buffer[], max = 1024): Array<[string, string | null]> {
  const out: Array<[string, string | null]> = [];
  const d = new FrameDecoder(max, (f, e) => out.push([f.toString('utf8'), e]));
  for (const c of chunks) d.push(c);
  d.end();
  return out;
}

/** Splits `buf` at random points (seeded). */
function split(buf: Buffer, seed: number): Buffer[] {
  const out: Buffer[] = [];
  let x = seed;
  let pos = 0;
  while (pos < buf.length) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const n = 1 + (x % 40);
    out.push(buf.subarray(pos, pos + n));
    pos += n;
  }
  return out;
}

describe('FrameDecoder (RFC 6587)', () => {
  it('reads newline, CRLF and NUL-terminated frames and octet-counted ones, mixed', () => {
    const msgs = ['<13>1 - h a - - - one', '<13>Oct 11 22:14:15 h t: two with ünïcödé', '<13>three\r', '<14>four'];
    const wire = Buffer.concat([
      Buffer.from(`${msgs[0]}\n`),
      Buffer.from(`${Buffer.byteLength(msgs[1]!)} ${msgs[1]}`),
      Buffer.from(`${msgs[2]}\n`),
      Buffer.from(`${msgs[3]}\u0000\n`),
    ]);
    assert.deepEqual(
      decode([wire]).map((f) => f[0]),
      [msgs[0], msgs[1], '<13>three', '<14>four'],
    );
  });

  it('gives the same frames however the stream is cut (property)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const msgs: string[] = [];
      const parts: Buffer[] = [];
      for (let i = 0; i < 20; i++) {
        const m = `<${(seed + i) % 192}>1 - host-${seed} app - - - message ${i} ${'é'.repeat((seed * i) % 7)} with a newline? ${i % 3 === 0 ? '' : 'no'}`;
        msgs.push(m);
        parts.push((seed + i) % 2 === 0 ? Buffer.from(`${Buffer.byteLength(m)} ${m}`) : Buffer.from(`${m}\n`));
      }
      const got = decode(split(Buffer.concat(parts), seed));
      assert.deepEqual(
        got.map((g) => g[0]),
        msgs,
        `seed ${seed}`,
      );
      assert.ok(
        got.every((g) => g[1] === null),
        `seed ${seed}`,
      );
    }
  });

  it('keeps newlines inside an octet-counted frame (a trailing one is dropped)', () => {
    assert.deepEqual(
      decode([Buffer.from('10 <13>a\nb\nc\n<13>d\n')]).map((f) => f[0]),
      ['<13>a\nb\nc', '<13>d'],
    );
  });

  it('treats a line starting with digits as a line, not a length', () => {
    assert.deepEqual(
      decode([Buffer.from('12 apples and pears\n2026-01-01 x\n')]).map((f) => f[0]),
      ['12 apples and pears', '2026-01-01 x'],
    );
  });

  it('cuts an oversized octet-counted frame, says so, and stays in step', () => {
    const big = '<13>' + 'x'.repeat(3000);
    const got = decode(split(Buffer.from(`${big.length} ${big}9 <13>after`), 7), 1000);
    assert.equal(got.length, 2);
    assert.equal(got[0]![0], big.slice(0, 1000));
    assert.match(got[0]![1]!, /exceeds syslog.message.max.bytes/);
    assert.deepEqual(got[1], ['<13>after', null]);
  });

  it('cuts an oversized line, says so, and resumes at the next line', () => {
    const got = decode(split(Buffer.from(`<13>${'y'.repeat(5000)}\n<13>next\n`), 3), 1000);
    assert.equal(got.length, 2);
    assert.equal(got[0]![0].length, 1000);
    assert.match(got[0]![1]!, /line longer than/);
    assert.deepEqual(got[1], ['<13>next', null]);
  });

  it('delivers a frame cut short by the peer with an error, and a last line without LF as whole', () => {
    const cut = decode([Buffer.from('100 <13>only part of it')]);
    assert.equal(cut.length, 1);
    assert.equal(cut[0]![0], '<13>only part of it');
    assert.match(cut[0]![1]!, /truncated frame: the connection closed after 19 of 100 bytes/);
    assert.deepEqual(decode([Buffer.from('<13>no newline at the end')]), [['<13>no newline at the end', null]]);
  });

  it('holds at most max bytes plus one chunk for a sender that never ends its line', () => {
    const out: string[] = [];
    const d = new FrameDecoder(1000, (f) => out.push(f.toString()));
    for (let i = 0; i < 1000; i++) d.push(Buffer.alloc(1000, 0x61));
    assert.equal(out.length, 1); // the first 1000 bytes, then everything skipped up to a LF
    d.push(Buffer.from('\n<13>ok\n'));
    assert.deepEqual(out.slice(1), ['<13>ok']);
  });
});

describe('dropsInTable', () => {
  it('sums the drops column of the rows bound to the port', () => {
    const table = [
      '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
      '  1: 0100007F:1F90 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 1234 2 0000000000000000 17',
      '  2: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 99 2 0000000000000000 5',
    ].join('\n');
    assert.equal(dropsInTable(table, '1F90'), 17);
    assert.equal(dropsInTable(table, '1F91'), null);
  });
});
