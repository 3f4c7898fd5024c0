import { DataError } from '@tributary/connect-api';

/**
 * The subset of Java's `SimpleDateFormat` patterns that `parser.timestamp.date.formats` uses in
 * practice: y, M, d, H, h, m, s, S, a, quoted literals, and the zone letters Z/X/XXX. Each pattern is
 * compiled once into a regular expression. Unlike `SimpleDateFormat`, trailing text is accepted only
 * when it is a zone designator (`Z`, `+01:00`, `+0100`), which is then honoured instead of ignored.
 */
export interface DateParser {
  /** Milliseconds since the epoch, or undefined when `text` does not match any format. */
  parse(text: string): number | undefined;
  readonly formats: readonly string[];
}

/** Capture-group index of each pattern letter in the compiled expression (0: absent). */
type Slots = Record<'y' | 'yy' | 'M' | 'd' | 'H' | 'h' | 'm' | 's' | 'S' | 'a' | 'Z', number>;

interface Compiled {
  re: RegExp;
  at: Slots;
}

const ZONE = '(Z|[+-]\\d{2}(?::?\\d{2})?)';

function compile(pattern: string): Compiled {
  let re = '^';
  const groups: string[] = [];
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i]!;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated quote in date format "${pattern}"`);
      const lit = end === i + 1 ? "'" : pattern.slice(i + 1, end);
      re += lit.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      i = end + 1;
      continue;
    }
    let n = 1;
    while (pattern[i + n] === c) n++;
    i += n;
    switch (c) {
      case 'y':
        re += n === 2 ? '(\\d{2})' : '(\\d{4})';
        groups.push(n === 2 ? 'yy' : 'y');
        break;
      case 'M':
        re += n >= 2 ? '(\\d{2})' : '(\\d{1,2})';
        groups.push('M');
        break;
      case 'd':
        re += n >= 2 ? '(\\d{2})' : '(\\d{1,2})';
        groups.push('d');
        break;
      case 'H':
        re += n >= 2 ? '(\\d{2})' : '(\\d{1,2})';
        groups.push('H');
        break;
      case 'h':
        re += n >= 2 ? '(\\d{2})' : '(\\d{1,2})';
        groups.push('h');
        break;
      case 'm':
        re += n >= 2 ? '(\\d{2})' : '(\\d{1,2})';
        groups.push('m');
        break;
      case 's':
        re += n >= 2 ? '(\\d{2})' : '(\\d{1,2})';
        groups.push('s');
        break;
      case 'S':
        re += `(\\d{1,${Math.max(n, 3)}})`;
        groups.push('S');
        break;
      case 'a':
        re += '([AaPp][Mm])';
        groups.push('a');
        break;
      case 'Z':
      case 'X':
      case 'z':
        re += ZONE;
        groups.push('Z');
        break;
      default:
        if (/[A-Za-z]/.test(c))
          throw new Error(`date format letter "${c}" in "${pattern}" is not supported (use y M d H h m s S a Z X)`);
        re += c.repeat(n).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  if (!groups.includes('Z')) {
    re += `${ZONE}?`;
    groups.push('Z');
  }
  const at: Slots = { y: 0, yy: 0, M: 0, d: 0, H: 0, h: 0, m: 0, s: 0, S: 0, a: 0, Z: 0 };
  groups.forEach((g, i) => {
    at[g as keyof Slots] = i + 1;
  });
  return { re: new RegExp(`${re}$`), at };
}

/** Minutes east of UTC for `Z`, `+01:00`, `+0100`, `+01`. */
function zoneOffsetMinutes(z: string): number {
  if (z === 'Z') return 0;
  const sign = z[0] === '-' ? -1 : 1;
  const digits = z.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0));
}

/** `UTC`, `GMT`, `Z` or a fixed offset such as `+02:00`; named zones need a fixed offset instead. */
export function parseTimezone(tz: string): number {
  const t = tz.trim();
  if (/^(UTC|GMT|Z)$/i.test(t)) return 0;
  const m = /^(?:UTC|GMT)?([+-]\d{2}(?::?\d{2})?)$/i.exec(t);
  if (m) return zoneOffsetMinutes(m[1]!);
  throw new DataError(`time zone "${tz}" is not supported: give UTC or a fixed offset such as +02:00`);
}

export function dateParser(formats: readonly string[], defaultOffsetMinutes = 0): DateParser {
  const compiled = formats.map(compile);
  // Files repeat the same timestamp text row after row (a batch date, a load time): remember the last one.
  let lastText: string | undefined;
  let lastMs: number | undefined;
  const parse = (text: string): number | undefined => {
    for (const { re, at } of compiled) {
      const m = re.exec(text);
      if (!m) continue;
      const num = (slot: number, otherwise: number) =>
        slot === 0 || m[slot] === undefined ? otherwise : Number(m[slot]);
      const year = at.y ? num(at.y, 1970) : at.yy ? 2000 + num(at.yy, 0) : 1970;
      let hour = at.H ? num(at.H, 0) : num(at.h, 0) % 12;
      if (at.a && /p/i.test(m[at.a]!)) hour += 12;
      const month = num(at.M, 1),
        day = num(at.d, 1),
        min = num(at.m, 0),
        sec = num(at.s, 0);
      const ms = at.S && m[at.S] !== undefined ? Number(m[at.S]!.padEnd(3, '0').slice(0, 3)) : 0;
      if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) continue;
      const utc = Date.UTC(year, month - 1, day, hour, min, sec, ms);
      if (new Date(utc).getUTCDate() !== day) continue; // 31 February and friends
      const zone = at.Z ? m[at.Z] : undefined;
      const offset = zone !== undefined ? zoneOffsetMinutes(zone) : defaultOffsetMinutes;
      return utc - offset * 60_000;
    }
    return undefined;
  };
  return {
    formats,
    parse(text: string): number | undefined {
      if (text !== lastText) {
        lastMs = parse(text);
        lastText = text;
      }
      return lastMs;
    },
  };
}
