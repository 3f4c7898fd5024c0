import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseSyslog } from './syslog-parser.js';

/** A small seeded PRNG (mulberry32) so a failing generated case can be replayed from its seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!;
  const str = (alphabet: string, min: number, max: number) => {
    let s = '';
    for (let n = int(min, max); n > 0; n--) s += alphabet[int(0, alphabet.length - 1)];
    return s;
  };
  return { next, int, pick, str };
}

const PRINTUSASCII = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).join('');
const SD_NAME = PRINTUSASCII.replace(/[=\]" ]/g, '');
const TEXT = 'abc XYZ 0123 !#$%&()*+,-./:;<=>?@[\\]^_`{|}~"\' äöü 日本語 😀\t';

describe('parseSyslog: RFC 5424', () => {
  it('parses the RFC example with structured data', () => {
    const m = parseSyslog(
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] An application event',
    );
    assert.equal(m.error, null);
    assert.equal(m.format, 'RFC5424');
    assert.equal(m.facility, 20);
    assert.equal(m.level, 5);
    assert.equal(m.date!.toISOString(), '2003-10-11T22:14:15.003Z');
    assert.equal(m.host, 'mymachine.example.com');
    assert.equal(m.appName, 'evntslog');
    assert.equal(m.procId, null);
    assert.equal(m.msgId, 'ID47');
    assert.deepEqual(m.structuredData, [
      { id: 'exampleSDID@32473', params: { iut: '3', eventSource: 'Application', eventID: '1011' } },
    ]);
    assert.equal(m.message, 'An application event');
  });

  it('reads escapes, several elements, a BOM and offsets', () => {
    const m = parseSyslog(
      '<13>1 2003-08-24T05:14:15.000003-07:00 h a 8710 - [a@1 k="x\\"y\\]z\\\\w\\q" k2="sp ace"][b@2] \uFEFFhello  world',
    );
    assert.equal(m.error, null);
    assert.equal(m.date!.toISOString(), '2003-08-24T12:14:15.000Z');
    assert.deepEqual(m.structuredData, [
      { id: 'a@1', params: { k: 'x"y]z\\w\\q', k2: 'sp ace' } },
      { id: 'b@2', params: {} },
    ]);
    assert.equal(m.message, 'hello  world');
  });

  it('accepts all-nil headers and no MSG', () => {
    const m = parseSyslog('<0>1 - - - - - -');
    assert.equal(m.error, null);
    assert.deepEqual(
      [m.date, m.host, m.appName, m.procId, m.msgId, m.structuredData, m.message],
      [null, null, null, null, null, null, ''],
    );
  });

  it('reports what is wrong and keeps the rest as message', () => {
    const bad = parseSyslog('<13>1 2003-13-45T99:00:00Z host app - - - hi');
    assert.match(bad.error!, /invalid TIMESTAMP/);
    assert.equal(bad.facility, 1);
    const unterminated = parseSyslog('<13>1 - h a p m [id k="v] rest');
    assert.match(unterminated.error!, /unterminated/);
    const truncated = parseSyslog('<13>1 2003-10-11T22:14:15Z host');
    assert.match(truncated.error!, /ends after HOSTNAME/);
  });

  it('reads timestamps of the same second right after each other (the parser remembers the last second)', () => {
    const at = (ts: string) => parseSyslog(`<13>1 ${ts} h a - - - x`);
    assert.equal(at('2026-11-22T05:14:15.123Z').date!.toISOString(), '2026-11-22T05:14:15.123Z');
    assert.equal(at('2026-11-22T05:14:15.5+01:00').date!.toISOString(), '2026-11-22T04:14:15.500Z');
    assert.equal(at('2026-11-22T05:14:15Z').date!.toISOString(), '2026-11-22T05:14:15.000Z');
    assert.match(at('2026-11-22T05:14:15.Z').error!, /invalid TIMESTAMP/);
    assert.match(at('2026-11-22T05:14:15').error!, /invalid TIMESTAMP/);
    assert.equal(at('2026-11-22T05:14:16.001Z').date!.toISOString(), '2026-11-22T05:14:16.001Z');
    assert.match(at('2026-11-22T05:14:60x000Z').error!, /invalid TIMESTAMP/);
    assert.equal(at('2026-11-22t05:14:16.001z').date!.toISOString(), '2026-11-22T05:14:16.001Z');
  });

  it('round-trips 5000 generated messages (property)', () => {
    for (let seed = 1; seed <= 5000; seed++) {
      const r = rng(seed);
      const pri = r.int(0, 191);
      const nil = () => r.next() < 0.2;
      const date = nil() ? null : new Date(r.int(0, 4102444800) * 1000 + r.int(0, 999));
      const frac = r.int(0, 6);
      let ts = '-';
      if (date) {
        const offMin = r.pick([0, 60, -300, 330, 840, -720]);
        const local = new Date(date.getTime() + offMin * 60_000).toISOString();
        const fracText = frac === 0 ? '' : '.' + local.slice(20, 23).padEnd(frac, '0').slice(0, frac);
        const zone =
          offMin === 0 && r.next() < 0.5
            ? 'Z'
            : `${offMin < 0 ? '-' : '+'}${String(Math.floor(Math.abs(offMin) / 60)).padStart(2, '0')}:${String(Math.abs(offMin) % 60).padStart(2, '0')}`;
        ts = local.slice(0, 19) + fracText + zone;
      }
      const tok = (max: number) => (nil() ? null : r.str(PRINTUSASCII.replace('-', ''), 1, max));
      const host = tok(255);
      const app = tok(48);
      const proc = tok(128);
      const msgId = tok(32);
      const sd = nil()
        ? null
        : Array.from({ length: r.int(1, 3) }, (_, i) => ({
            id: r.str(SD_NAME, 1, 20) + i,
            params: Object.fromEntries(
              Array.from({ length: r.int(0, 3) }, (_, j) => [r.str(SD_NAME, 1, 10) + j, r.str(TEXT + '"]\\', 0, 20)]),
            ),
          }));
      const sdText =
        sd === null
          ? '-'
          : sd
              .map(
                (e) =>
                  `[${e.id}${Object.entries(e.params)
                    .map(([k, v]) => ` ${k}="${v.replace(/[\\"\]]/g, (c) => '\\' + c)}"`)
                    .join('')}]`,
              )
              .join('');
      const msg = r.next() < 0.2 ? null : r.str(TEXT, 0, 80);
      const bom = r.next() < 0.3 ? '\uFEFF' : '';
      const line = `<${pri}>1 ${ts} ${host ?? '-'} ${app ?? '-'} ${proc ?? '-'} ${msgId ?? '-'} ${sdText}${msg === null ? '' : ` ${bom}${msg}`}`;
      const m = parseSyslog(line);
      const ctx = `seed ${seed}: ${line}`;
      assert.equal(m.error, null, ctx);
      assert.equal(m.format, 'RFC5424', ctx);
      assert.equal(m.facility, pri >> 3, ctx);
      assert.equal(m.level, pri & 7, ctx);
      const expectMs =
        date === null
          ? null
          : frac === 0
            ? Math.floor(date.getTime() / 1000) * 1000
            : frac === 1
              ? Math.floor(date.getTime() / 100) * 100
              : frac === 2
                ? Math.floor(date.getTime() / 10) * 10
                : date.getTime();
      assert.equal(m.date?.getTime() ?? null, expectMs, ctx);
      assert.deepEqual([m.host, m.appName, m.procId, m.msgId], [host, app, proc, msgId], ctx);
      assert.deepEqual(m.structuredData, sd, ctx);
      assert.equal(m.message, msg ?? '', ctx);
    }
  });
});

describe('parseSyslog: RFC 3164', () => {
  const now = new Date(2026, 10, 22, 12, 0, 0);

  it("parses the brief's line", () => {
    const m = parseSyslog('<38>Mar  4 15:14:24 rpi-03 sshd[24150]: Invalid user mini from 114.130.4.16', now);
    assert.equal(m.error, null);
    assert.equal(m.format, 'RFC3164');
    assert.equal(m.facility, 4);
    assert.equal(m.level, 6);
    assert.equal(m.host, 'rpi-03');
    assert.equal(m.appName, 'sshd');
    assert.equal(m.procId, '24150');
    assert.equal(m.message, 'sshd[24150]: Invalid user mini from 114.130.4.16');
    assert.deepEqual(
      [m.date!.getFullYear(), m.date!.getMonth(), m.date!.getDate(), m.date!.getHours()],
      [2026, 2, 4, 15],
    );
  });

  it('puts a December date read in January in the previous year', () => {
    const m = parseSyslog('<13>Dec 31 23:59:59 h t: x', new Date(2027, 0, 1, 0, 0, 5));
    assert.equal(m.date!.getFullYear(), 2026);
  });

  it('takes a missing HOSTNAME, an RFC 3339 stamp and a missing timestamp', () => {
    assert.deepEqual(pick(parseSyslog('<34>Oct 11 22:14:15 su: failed', now)), {
      host: null,
      appName: 'su',
      message: 'su: failed',
      error: null,
    });
    const iso = parseSyslog('<30>2026-11-22T05:20:00.123456+00:00 web-1 nginx: GET /', now);
    assert.equal(iso.date!.toISOString(), '2026-11-22T05:20:00.123Z');
    assert.equal(iso.host, 'web-1');
    const noTs = parseSyslog('<13>just text', now);
    assert.deepEqual([noTs.error, noTs.date, noTs.message, noTs.facility], [null, null, 'just text', 1]);
  });

  it('marks what is not syslog and keeps it whole', () => {
    for (const text of ['hello world', '', '<999>x', '<12', '\u0000\u0001binary']) {
      const m = parseSyslog(text, now);
      assert.ok(m.error, `no error for ${JSON.stringify(text)}`);
      assert.equal(m.message, text);
    }
  });

  it('round-trips 3000 generated BSD messages (property)', () => {
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    for (let seed = 1; seed <= 3000; seed++) {
      const r = rng(seed);
      const pri = r.int(0, 191);
      // Months before `now`, so the inferred year is 2026.
      const mon = r.int(0, 9);
      const day = r.int(1, 28);
      const h = r.int(0, 23);
      const mi = r.int(0, 59);
      const s = r.int(0, 59);
      const host = r.str('abcdefghijklmnopqrstuvwxyz0123456789.-', 1, 30);
      const tag = r.str('abcdefghijklmnopqrstuvwxyz0123456789_/.-', 1, 32);
      const pid = r.next() < 0.5 ? String(r.int(1, 99999)) : null;
      const content = r.str(TEXT, 0, 80);
      const line = `<${pri}>${months[mon]} ${String(day).padStart(2, ' ')} ${[h, mi, s].map((n) => String(n).padStart(2, '0')).join(':')} ${host} ${tag}${pid ? `[${pid}]` : ''}: ${content}`;
      const m = parseSyslog(line, now);
      const ctx = `seed ${seed}: ${line}`;
      assert.equal(m.error, null, ctx);
      assert.deepEqual([m.facility, m.level, m.host, m.appName, m.procId], [pri >> 3, pri & 7, host, tag, pid], ctx);
      assert.equal(m.message, `${tag}${pid ? `[${pid}]` : ''}: ${content}`, ctx);
      assert.equal(m.date!.getTime(), new Date(2026, mon, day, h, mi, s).getTime(), ctx);
    }
  });

  it('never throws on random bytes and always keeps the text (property)', () => {
    for (let seed = 1; seed <= 5000; seed++) {
      const r = rng(seed);
      const prefix = r.pick(['', '<', '<13>', '<13>1 ', '<13>1 - - - - - [', '<191>Jan  1 00:00:00 ', '1', '12 <']);
      const text = prefix + r.str(TEXT + '<>[]="\\- 0123456789', 0, 60);
      const m = parseSyslog(text, now);
      assert.ok(m.message !== null || m.error === null, `seed ${seed}`);
      if (m.error) assert.ok(text.endsWith(m.message ?? ''), `seed ${seed}: ${text}`);
    }
  });
});

function pick(m: ReturnType<typeof parseSyslog>) {
  return { host: m.host, appName: m.appName, message: m.message, error: m.error };
}
