/**
 * Parses one syslog message (already framed and decoded) in RFC 5424 or RFC 3164 (BSD) form.
 *
 * Written here rather than taken from npm: nsyslog-parser splits on spaces and drops structured-data
 * elements whose values hold escaped characters or spaces; glossy (unmaintained since 2013) keeps the
 * BSD tag inside the message and gives no error for what it could not parse. Both parse strings
 * with regexes per field; this scanner walks the text once, which matters at a million messages.
 *
 * It never throws: what does not parse comes back with `error` set and as many fields as were
 * understood, so the caller can still deliver the raw text with a marker.
 */

export type SyslogFormat = 'RFC5424' | 'RFC3164' | 'UNKNOWN';

export interface StructuredDataElement {
  id: string;
  /** Parameter names to values; a name repeated within one element keeps its last value. */
  params: Record<string, string>;
}

export interface SyslogMessage {
  format: SyslogFormat;
  /** PRI / 8, or null without a PRI. */
  facility: number | null;
  /** PRI % 8 (the severity), or null without a PRI. */
  level: number | null;
  date: Date | null;
  host: string | null;
  /** RFC 5424 VERSION. */
  version: number | null;
  /** RFC 5424 APP-NAME, or the RFC 3164 TAG. */
  appName: string | null;
  /** RFC 5424 PROCID, or the RFC 3164 `[pid]` after the tag. */
  procId: string | null;
  msgId: string | null;
  structuredData: StructuredDataElement[] | null;
  message: string | null;
  /** Why the text did not parse (fully); null when it did. */
  error: string | null;
}

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

/** BSD timestamp `Mmm dd hh:mm:ss` (day space-padded); some senders add `.mmm` or a year. */
const BSD_TS = /^([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?: (\d{4}))? /;
/** A BSD TAG, optionally with `[pid]`, ending in ':' — e.g. `sshd[24150]:` or `kernel:`. */
const BSD_TAG = /^([^\s:[\]]{1,48})(?:\[([^\]\s]{1,128})\])?: ?/;
/** A whole word that is a TAG (so no HOSTNAME came before it). */
const BSD_TAG_WORD = /^[^\s:[\]]{1,48}(?:\[[^\]\s]{1,128}\])?:$/;

const BOM = '\uFEFF';

function empty(format: SyslogFormat): SyslogMessage {
  return {
    format,
    facility: null,
    level: null,
    date: null,
    host: null,
    version: null,
    appName: null,
    procId: null,
    msgId: null,
    structuredData: null,
    message: null,
    error: null,
  };
}

/**
 * Parses `text`. `now` anchors the year of RFC 3164 timestamps, which have none: the year that puts
 * the date closest to (and not more than a day after) `now`.
 */
export function parseSyslog(text: string, now: Date | number = Date.now()): SyslogMessage {
  let pos = 0;
  let facility: number | null = null;
  let level: number | null = null;
  if (text.charCodeAt(0) === 60 /* < */) {
    const p = priValue(text);
    if (p < 0) {
      const m = empty('UNKNOWN');
      m.message = text;
      m.error = `invalid PRI: expected <0..191> at the start, found ${JSON.stringify(text.slice(0, 6))}`;
      return m;
    }
    facility = p >> 3;
    level = p & 7;
    pos = text.indexOf('>', 1) + 1;
  }
  // RFC 5424: VERSION (1–2 digits, no leading zero) then SP, right after the PRI.
  const c = text.charCodeAt(pos);
  if (facility !== null && c >= 49 && c <= 57) {
    const c1 = text.charCodeAt(pos + 1);
    if (c1 === 32) return parse5424(text, pos + 2, facility, level!, c - 48);
    if (c1 >= 48 && c1 <= 57 && text.charCodeAt(pos + 2) === 32)
      return parse5424(text, pos + 3, facility, level!, (c - 48) * 10 + c1 - 48);
  }
  return parse3164(text, pos, facility, level, now);
}

/** The PRI value of `<PRI>` at the start (0–191, no leading zero), or -1 when it is not one. */
function priValue(text: string): number {
  const close = text.indexOf('>', 1);
  if (close < 2 || close > 4) return -1;
  if (close > 2 && text.charCodeAt(1) === 48) return -1; // a leading zero
  const p = digits(text, 1, close - 1);
  return p > 191 ? -1 : p;
}

// ---------------------------------------------------------------------------------------------- 5424

function parse5424(text: string, start: number, facility: number, level: number, version: number): SyslogMessage {
  const m = empty('RFC5424');
  m.facility = facility;
  m.level = level;
  m.version = version;
  let pos = start;
  const fail = (what: string): SyslogMessage => {
    m.error = `RFC 5424: ${what} at column ${pos + 1}`;
    m.message = text.slice(pos);
    return m;
  };

  let end = fieldEnd(text, pos, 64);
  if (end < 0) return fail(fieldError(end, 0));
  if (!isNil(text, pos, end)) {
    const d = parseRfc3339(text, pos, end);
    if (!d) return fail(`invalid TIMESTAMP ${JSON.stringify(text.slice(pos, end))}`);
    m.date = d;
  }
  pos = end + 1;
  // HOSTNAME, APP-NAME, PROCID, MSGID: written out rather than looped, so each store has one shape.
  if ((end = fieldEnd(text, pos, 255)) < 0) return fail(fieldError(end, 1));
  m.host = isNil(text, pos, end) ? null : text.slice(pos, end);
  pos = end + 1;
  if ((end = fieldEnd(text, pos, 48)) < 0) return fail(fieldError(end, 2));
  m.appName = isNil(text, pos, end) ? null : text.slice(pos, end);
  pos = end + 1;
  if ((end = fieldEnd(text, pos, 128)) < 0) return fail(fieldError(end, 3));
  m.procId = isNil(text, pos, end) ? null : text.slice(pos, end);
  pos = end + 1;
  if ((end = fieldEnd(text, pos, 32)) < 0) return fail(fieldError(end, 4));
  m.msgId = isNil(text, pos, end) ? null : text.slice(pos, end);
  pos = end + 1;

  if (pos >= text.length) return fail('missing STRUCTURED-DATA');
  if (text.charCodeAt(pos) === 45 /* - */) {
    pos++;
  } else if (text.charCodeAt(pos) === 91 /* [ */) {
    const sd = parseStructuredData(text, pos);
    if (typeof sd === 'string') return fail(sd);
    m.structuredData = sd.elements;
    pos = sd.end;
  } else {
    return fail('STRUCTURED-DATA must be "-" or start with "["');
  }
  if (pos < text.length) {
    if (text.charCodeAt(pos) !== 32) return fail('expected a space before MSG');
    pos++;
  }
  m.message = text.charCodeAt(pos) === 0xfeff /* BOM */ ? text.slice(pos + 1) : text.slice(pos);
  return m;
}

/** The header fields in order, with their longest allowed length. */
const HEADER_FIELDS = ['TIMESTAMP', 'HOSTNAME', 'APP-NAME', 'PROCID', 'MSGID'] as const;
const HEADER_MAX = [64, 255, 48, 128, 32] as const;
const MISSING = -1;
const TOO_LONG = -2;
const NOT_ASCII = -3;
const ENDS = -4;

/**
 * Where the SP-terminated header field at `pos` ends (the index of its SP), or why it is not
 * acceptable (a negative code for {@link fieldError}): empty, too long, a character outside printable
 * US-ASCII, or no SP after it (STRUCTURED-DATA at least must follow).
 */
function fieldEnd(text: string, pos: number, max: number): number {
  const sp = text.indexOf(' ', pos);
  const end = sp < 0 ? text.length : sp;
  if (end === pos) return MISSING;
  if (end - pos > max) return TOO_LONG;
  for (let i = pos; i < end; i++) {
    const ch = text.charCodeAt(i);
    if (ch < 33 || ch > 126) return NOT_ASCII;
  }
  return sp < 0 ? ENDS : sp;
}

function fieldError(code: number, field: number): string {
  const name = HEADER_FIELDS[field]!;
  switch (code) {
    case MISSING:
      return `missing ${name}`;
    case TOO_LONG:
      return `${name} longer than ${HEADER_MAX[field]!} characters`;
    case NOT_ASCII:
      return `${name} holds a character outside printable US-ASCII`;
    default:
      return `the message ends after ${name}`;
  }
}

/** The NILVALUE `-`. */
function isNil(text: string, from: number, to: number): boolean {
  return to - from === 1 && text.charCodeAt(from) === 45;
}

/** `[id k="v" …][…]` starting at `pos`; an error text, or the elements and where they end. */
function parseStructuredData(text: string, start: number): { elements: StructuredDataElement[]; end: number } | string {
  const elements: StructuredDataElement[] = [];
  let pos = start;
  while (text.charCodeAt(pos) === 91) {
    pos++;
    const idEnd = nameEnd(text, pos);
    const id = text.slice(pos, idEnd);
    pos = idEnd;
    if (id.length === 0 || id.length > 32) return 'invalid SD-ID';
    const params: Record<string, string> = {};
    for (;;) {
      const ch = text.charCodeAt(pos);
      if (ch === 93) {
        pos++;
        break;
      }
      if (ch !== 32) return `unterminated SD-ELEMENT ${JSON.stringify(id)}`;
      pos++;
      const keyEnd = nameEnd(text, pos);
      const key = text.slice(pos, keyEnd);
      pos = keyEnd;
      if (key.length === 0 || key.length > 32) return `invalid PARAM-NAME in ${JSON.stringify(id)}`;
      if (text.charCodeAt(pos) !== 61 || text.charCodeAt(pos + 1) !== 34)
        return `expected ="…" after ${JSON.stringify(key)}`;
      pos += 2;
      /** The value so far when it held escapes; null while it is one plain slice of the text. */
      let value: string | null = null;
      let from = pos;
      for (;;) {
        if (pos >= text.length) return `unterminated PARAM-VALUE of ${JSON.stringify(key)}`;
        const v = text.charCodeAt(pos);
        if (v === 34) break;
        // Only \" \\ \] are escapes; a backslash before anything else stays (RFC 5424 §6.3.3).
        if (v === 92) {
          const n = text.charCodeAt(pos + 1);
          if (n === 34 || n === 92 || n === 93) {
            value = (value ?? '') + text.slice(from, pos);
            from = pos + 1;
            pos += 2;
            continue;
          }
        }
        pos++;
      }
      params[key] = value === null ? text.slice(from, pos) : value + text.slice(from, pos);
      pos++;
    }
    elements.push({ id, params });
  }
  return { elements, end: pos };
}

/** Where the SD-NAME at `pos` ends: printable US-ASCII except '=', ']', '"' and SP. */
function nameEnd(text: string, pos: number): number {
  let i = pos;
  while (i < text.length) {
    const ch = text.charCodeAt(i);
    if (ch < 33 || ch > 126 || ch === 61 || ch === 93 || ch === 34) break;
    i++;
  }
  return i;
}

/**
 * RFC 3339 as RFC 5424 restricts it (`2003-10-11T22:14:15.003Z`, 'Z' or ±hh:mm), in `s[from, to)`.
 * Scanned by hand: it runs once per message, and a regex plus Date.parse cost more than the rest of
 * the header together. Messages come in bursts within the same second, so the date and time up to
 * the second are remembered from the last call and only the fraction and offset are read again.
 */
function parseRfc3339(s: string, from = 0, to = s.length): Date | null {
  const n = to - from;
  if (n < 20) return null;
  let secondMs: number;
  if (lastSecond !== null && s.startsWith(lastSecond, from)) {
    secondMs = lastSecondMs;
  } else {
    if (
      s.charCodeAt(from + 4) !== 45 ||
      s.charCodeAt(from + 7) !== 45 ||
      (s.charCodeAt(from + 10) | 32) !== 116 ||
      s.charCodeAt(from + 13) !== 58 ||
      s.charCodeAt(from + 16) !== 58
    )
      return null;
    const y = digits(s, from, 4);
    const mo = digits(s, from + 5, 2);
    const d = digits(s, from + 8, 2);
    const h = digits(s, from + 11, 2);
    const mi = digits(s, from + 14, 2);
    const sec = digits(s, from + 17, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60)
      return null;
    secondMs = Date.UTC(y, mo - 1, d, h, mi, sec, 0);
    lastSecond = s.slice(from, from + 19);
    lastSecondMs = secondMs;
  }
  let pos = from + 19;
  let ms = 0;
  if (s.charCodeAt(pos) === 46) {
    const start = ++pos;
    // RFC 5424 allows 6 digits; some senders write nanoseconds, which cost nothing to accept.
    while (pos < to && pos - start < 9 && s.charCodeAt(pos) >= 48 && s.charCodeAt(pos) <= 57) pos++;
    if (pos === start) return null;
    ms = Math.floor(digits(s, start, pos - start) / 10 ** (pos - start - 3));
  }
  let offsetMin = 0;
  const z = s.charCodeAt(pos);
  if ((z | 32) === 122 && pos + 1 === to) {
    // 'Z'
  } else if ((z === 43 || z === 45) && pos + 6 === to && s.charCodeAt(pos + 3) === 58) {
    const oh = digits(s, pos + 1, 2);
    const om = digits(s, pos + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return null;
    offsetMin = (z === 45 ? -1 : 1) * (oh * 60 + om);
  } else {
    return null;
  }
  return new Date(secondMs + ms - offsetMin * 60_000);
}

/** `YYYY-MM-DDThh:mm:ss` of the last timestamp read, already checked, and its time in ms (UTC). */
let lastSecond: string | null = null;
let lastSecondMs = 0;

/** The decimal number in `s[from, from+len)`, or -1 if any character is not a digit. */
function digits(s: string, from: number, len: number): number {
  let v = 0;
  for (let i = from; i < from + len; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

// ---------------------------------------------------------------------------------------------- 3164

function parse3164(
  text: string,
  start: number,
  facility: number | null,
  level: number | null,
  now: Date | number,
): SyslogMessage {
  const m = empty('RFC3164');
  m.facility = facility;
  m.level = level;
  let rest = text.slice(start);
  let dated = false;
  const bsd = BSD_TS.exec(rest);
  if (bsd && MONTHS[bsd[1]!] !== undefined) {
    m.date = bsdDate(bsd, now);
    rest = rest.slice(bsd[0].length);
    dated = true;
  } else {
    // Many BSD-style senders (rsyslog's default template, systemd) put an RFC 3339 stamp here.
    const sp = rest.indexOf(' ');
    const d = sp > 0 ? parseRfc3339(rest, 0, sp) : null;
    if (d) {
      m.date = d;
      rest = rest.slice(sp + 1);
      dated = true;
    }
  }
  if (facility === null && !dated) {
    m.format = 'UNKNOWN';
    m.message = text;
    m.error = 'not syslog: no <PRI> and no timestamp at the start';
    return m;
  }
  if (dated) {
    // HOSTNAME, unless the next word is already the TAG (`Oct 11 22:14:15 su: …` from a local logger).
    const sp = rest.indexOf(' ');
    if (sp > 0 && !BSD_TAG_WORD.test(rest.slice(0, sp)) && !rest.slice(0, sp).includes('[')) {
      m.host = rest.slice(0, sp);
      rest = rest.slice(sp + 1);
    }
  }
  const tag = BSD_TAG.exec(rest);
  if (tag) {
    m.appName = tag[1]!;
    m.procId = tag[2] ?? null;
  }
  if (rest.startsWith(BOM)) rest = rest.slice(1);
  // MSG keeps the TAG, as RFC 3164 defines MSG (TAG + CONTENT); app_name/proc_id give it apart.
  m.message = rest;
  return m;
}

function bsdDate(bsd: RegExpExecArray, nowArg: Date | number): Date {
  const now = typeof nowArg === 'number' ? new Date(nowArg) : nowArg;
  const month = MONTHS[bsd[1]!]!;
  const day = Number(bsd[2]!.trim());
  const [h, mi, s] = [Number(bsd[3]), Number(bsd[4]), Number(bsd[5])];
  const ms = bsd[6] ? Number(bsd[6].padEnd(3, '0').slice(0, 3)) : 0;
  if (bsd[7]) return new Date(Number(bsd[7]), month, day, h, mi, s, ms);
  // No year: the worker's local time zone and the year that is not in the future (a December
  // message read on the first of January belongs to last year).
  let d = new Date(now.getFullYear(), month, day, h, mi, s, ms);
  if (d.getTime() > now.getTime() + 86_400_000) d = new Date(now.getFullYear() - 1, month, day, h, mi, s, ms);
  return d;
}
