import { ConfigError, DataError } from '@tributary/connect-api';

/**
 * Java's `SimpleDateFormat` in UTC, as Kafka's TimestampConverter and TimestampRouter configure it.
 * Patterns use Java's letters (yyyy, yy, MM, MMM, dd, HH, hh, a, mm, ss, SSS, E, D, z, Z, X, …), quoted
 * literals ('T', '' for a quote). Parsing is lenient as Java's default (values roll over) and, like
 * `DateFormat.parse(String)`, ignores text after the pattern is satisfied.
 */

type Token = { kind: 'field'; letter: string; count: number } | { kind: 'literal'; text: string };

const LETTERS = 'GyYMLwWDdFEuaHkKhmsSzZX';
const NUMERIC = new Set(['y', 'Y', 'M', 'L', 'w', 'W', 'D', 'd', 'F', 'u', 'H', 'k', 'K', 'h', 'm', 's', 'S']);
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const DAY_MS = 86_400_000;

export class SimpleDateFormat {
  private readonly tokens: Token[];
  /** Per numeric token, a sticky regex for its digits, built once: parsing runs per record. */
  private readonly digitPatterns: (RegExp | null)[];

  constructor(readonly pattern: string) {
    this.tokens = tokenize(pattern);
    this.digitPatterns = this.tokens.map((t, i) => {
      if (t.kind !== 'field' || !NUMERIC.has(t.letter) || ((t.letter === 'M' || t.letter === 'L') && t.count >= 3))
        return null;
      // Abutting numeric fields (yyyyMMdd) take exactly their width; otherwise as many digits as there are.
      const next = this.tokens[i + 1];
      const abutting = next?.kind === 'field' && NUMERIC.has(next.letter);
      return abutting ? new RegExp(`[+-]?\\d{1,${t.count}}`, 'y') : /[+-]?\d+/y;
    });
  }

  format(date: Date): string {
    const d = date;
    let out = '';
    for (const t of this.tokens) out += t.kind === 'literal' ? t.text : formatField(t.letter, t.count, d);
    return out;
  }

  /** The instant `text` denotes; a DataError in Kafka's words when it does not match. */
  parse(text: string): Date {
    const ms = this.tryParse(text);
    if (ms === null)
      throw new DataError(`Could not parse timestamp: value (${text}) does not match pattern (${this.pattern})`);
    return new Date(ms);
  }

  private tryParse(text: string): number | null {
    const f = {
      year: 1970,
      month: 0,
      day: 1,
      dayOfYear: -1,
      hour: 0,
      hour12: -1,
      pm: false,
      minute: 0,
      second: 0,
      milli: 0,
      offset: 0,
    };
    let pos = 0;
    for (let i = 0; i < this.tokens.length; i++) {
      const t = this.tokens[i]!;
      if (t.kind === 'literal') {
        if (!text.startsWith(t.text, pos)) return null;
        pos += t.text.length;
        continue;
      }
      const digits = this.digitPatterns[i];
      if (digits) {
        digits.lastIndex = pos;
        const m = digits.exec(text);
        if (!m) return null;
        const n = Number(m[0]);
        pos += m[0].length;
        switch (t.letter) {
          case 'y':
          case 'Y':
            f.year = t.count === 2 && m[0].length === 2 ? twoDigitYear(n) : n;
            break;
          case 'M':
          case 'L':
            f.month = n - 1;
            break;
          case 'd':
            f.day = n;
            break;
          case 'D':
            f.dayOfYear = n;
            break;
          case 'H':
            f.hour = n;
            break;
          case 'k':
            f.hour = n === 24 ? 0 : n;
            break;
          case 'K':
            f.hour12 = n;
            break;
          case 'h':
            f.hour12 = n === 12 ? 0 : n;
            break;
          case 'm':
            f.minute = n;
            break;
          case 's':
            f.second = n;
            break;
          case 'S':
            f.milli = n;
            break;
          default:
            break; // week-based and day-of-week numbers do not move the date here
        }
        continue;
      }
      const rest = text.slice(pos);
      switch (t.letter) {
        case 'M':
        case 'L': {
          const i = matchName(rest, MONTHS);
          if (i === null) return null;
          f.month = i.index;
          pos += i.length;
          break;
        }
        case 'E': {
          const i = matchName(rest, DAYS);
          if (i === null) return null;
          pos += i.length;
          break;
        }
        case 'a': {
          const m = /^(AM|PM)/i.exec(rest);
          if (!m) return null;
          f.pm = m[1]!.toUpperCase() === 'PM';
          pos += 2;
          break;
        }
        case 'G': {
          const m = /^(AD|BC)/.exec(rest);
          if (!m) return null;
          pos += 2;
          break;
        }
        case 'z':
        case 'Z':
        case 'X': {
          const z = parseZone(rest);
          if (z === null) return null;
          f.offset = z.offsetMs;
          pos += z.length;
          break;
        }
        default:
          return null;
      }
    }
    const hour = f.hour12 >= 0 ? f.hour12 + (f.pm ? 12 : 0) : f.hour;
    const base = f.dayOfYear >= 0 ? Date.UTC(f.year, 0, f.dayOfYear) : Date.UTC(f.year, f.month, f.day);
    const d = new Date(base);
    if (f.year >= 0 && f.year < 100) d.setUTCFullYear(f.year); // Date.UTC maps 0–99 to 1900–1999
    return d.getTime() + ((hour * 60 + f.minute) * 60 + f.second) * 1000 + f.milli - f.offset;
  }
}

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  const literal = (s: string) => {
    const last = tokens[tokens.length - 1];
    if (last?.kind === 'literal') last.text += s;
    else tokens.push({ kind: 'literal', text: s });
  };
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i]!;
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        literal("'");
        i += 2;
        continue;
      }
      // '' inside a quoted run is a quote too
      let j = i + 1;
      let text = '';
      for (;;) {
        const close = pattern.indexOf("'", j);
        if (close < 0) throw new ConfigError(`Unterminated quote in pattern ${pattern}`);
        text += pattern.slice(j, close);
        if (pattern[close + 1] === "'") {
          text += "'";
          j = close + 2;
          continue;
        }
        i = close + 1;
        break;
      }
      literal(text);
      continue;
    }
    if (/[a-zA-Z]/.test(c)) {
      if (!LETTERS.includes(c)) throw new ConfigError(`Illegal pattern character '${c}'`);
      let j = i;
      while (pattern[j] === c) j++;
      tokens.push({ kind: 'field', letter: c, count: j - i });
      i = j;
      continue;
    }
    literal(c);
    i++;
  }
  return tokens;
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? `-${s}` : s;
}

function formatField(letter: string, count: number, d: Date): string {
  const hour = d.getUTCHours();
  switch (letter) {
    case 'G':
      return d.getUTCFullYear() > 0 ? 'AD' : 'BC';
    case 'y':
    case 'Y': {
      const y = d.getUTCFullYear();
      return count === 2 ? pad(y % 100, 2) : pad(y, count);
    }
    case 'M':
    case 'L': {
      const m = d.getUTCMonth();
      if (count >= 4) return MONTHS[m]!;
      if (count === 3) return MONTHS[m]!.slice(0, 3);
      return pad(m + 1, count);
    }
    case 'd':
      return pad(d.getUTCDate(), count);
    case 'D':
      return pad(Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY_MS) + 1, count);
    case 'E':
      return count >= 4 ? DAYS[d.getUTCDay()]! : DAYS[d.getUTCDay()]!.slice(0, 3);
    case 'u':
      return pad(d.getUTCDay() === 0 ? 7 : d.getUTCDay(), count);
    case 'F':
      return pad(Math.floor((d.getUTCDate() - 1) / 7) + 1, count);
    case 'w':
    case 'W':
      return pad(isoWeek(d), count);
    case 'a':
      return hour < 12 ? 'AM' : 'PM';
    case 'H':
      return pad(hour, count);
    case 'k':
      return pad(hour === 0 ? 24 : hour, count);
    case 'K':
      return pad(hour % 12, count);
    case 'h':
      return pad(hour % 12 === 0 ? 12 : hour % 12, count);
    case 'm':
      return pad(d.getUTCMinutes(), count);
    case 's':
      return pad(d.getUTCSeconds(), count);
    case 'S':
      return pad(d.getUTCMilliseconds(), count);
    case 'z':
      return count >= 4 ? 'Coordinated Universal Time' : 'UTC';
    case 'Z':
      return '+0000';
    case 'X':
      return 'Z';
    default:
      return '';
  }
}

function isoWeek(d: Date): number {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  t.setUTCDate(t.getUTCDate() + 4 - (t.getUTCDay() || 7));
  return Math.ceil(((t.getTime() - Date.UTC(t.getUTCFullYear(), 0, 1)) / DAY_MS + 1) / 7);
}

/** Java resolves two-digit years into the century that puts them within 80 years before and 20 after now. */
function twoDigitYear(n: number): number {
  const now = new Date().getUTCFullYear();
  const start = now - 80;
  let y = Math.floor(start / 100) * 100 + n;
  if (y < start) y += 100;
  return y;
}

function matchName(text: string, names: string[]): { index: number; length: number } | null {
  const lower = text.toLowerCase();
  for (const [i, name] of names.entries())
    if (lower.startsWith(name.toLowerCase())) return { index: i, length: name.length };
  for (const [i, name] of names.entries())
    if (lower.startsWith(name.slice(0, 3).toLowerCase())) return { index: i, length: 3 };
  return null;
}

function parseZone(text: string): { offsetMs: number; length: number } | null {
  if (text.startsWith('Z')) return { offsetMs: 0, length: 1 };
  const named = /^(UTC|GMT|Coordinated Universal Time)/.exec(text);
  const afterName = named ? named[0].length : 0;
  const m = /^([+-])(\d{2}):?(\d{2})?/.exec(text.slice(afterName));
  if (m) {
    const offset = (Number(m[2]) * 60 + Number(m[3] ?? 0)) * 60_000 * (m[1] === '-' ? -1 : 1);
    return { offsetMs: offset, length: afterName + m[0].length };
  }
  return named ? { offsetMs: 0, length: afterName } : null;
}
