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

interface Compiled {
  re: RegExp;
  groups: string[];
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
      case 'y': re += n === 2 ? '(\\d{2})' : '(\\d{4})'; groups.push(n === 2 ? 'yy' : 'y'); break;
      case 'M': re += n >= 2 ? '(\\d{2})' : '(\\d{1,2})'; groups.push('M'); break;
      case 'd': re += n >= 2 ? '(\\d{2})' : '(\\d{1,2})'; groups.push('d'); break;
      case 'H': re += n >= 2 ? '(\\d{2})' : '(\\d{1,2})'; groups.push('H'); break;
      case 'h': re += n >= 2 ? '(\\d{2})' : '(\\d{1,2})'; groups.push('h'); break;
      case 'm': re += n >= 2 ? '(\\d{2})' : '(\\d{1,2})'; groups.push('m'); break;
      case 's': re += n >= 2 ? '(\\d{2})' : '(\\d{1,2})'; groups.push('s'); break;
      case 'S': re += `(\\d{1,${Math.max(n, 3)}})`; groups.push('S'); break;
      case 'a': re += '([AaPp][Mm])'; groups.push('a'); break;
      case 'Z': case 'X': case 'z': re += ZONE; groups.push('Z'); break;
      default:
        if (/[A-Za-z]/.test(c)) throw new Error(`date format letter "${c}" in "${pattern}" is not supported (use y M d H h m s S a Z X)`);
        re += c.repeat(n).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  if (!groups.includes('Z')) { re += `${ZONE}?`; groups.push('Z'); }
  return { re: new RegExp(`${re}$`), groups };
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
  return {
    formats,
    parse(text: string): number | undefined {
      for (const { re, groups } of compiled) {
        const m = re.exec(text);
        if (!m) continue;
        const p: Record<string, string | undefined> = {};
        groups.forEach((g, i) => { p[g] = m[i + 1]; });
        const year = p.y !== undefined ? Number(p.y) : p.yy !== undefined ? 2000 + Number(p.yy) : 1970;
        let hour = p.H !== undefined ? Number(p.H) : p.h !== undefined ? Number(p.h) % 12 : 0;
        if (p.a && /p/i.test(p.a)) hour += 12;
        const month = p.M !== undefined ? Number(p.M) : 1;
        const day = p.d !== undefined ? Number(p.d) : 1;
        const min = Number(p.m ?? 0), sec = Number(p.s ?? 0);
        const ms = p.S !== undefined ? Number(p.S.padEnd(3, '0').slice(0, 3)) : 0;
        if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) continue;
        const utc = Date.UTC(year, month - 1, day, hour, min, sec, ms);
        if (new Date(utc).getUTCDate() !== day) continue; // 31 February and friends
        const offset = p.Z !== undefined ? zoneOffsetMinutes(p.Z) : defaultOffsetMinutes;
        return utc - offset * 60_000;
      }
      return undefined;
    },
  };
}
