import { DataError, Struct, type SinkRecord } from '@tributary/connect-api';

/** Milliseconds to add to a UTC instant to get the wall-clock time in `timeZone`. */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  const p = partsIn(ms, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - (ms - (((ms % 1000) + 1000) % 1000));
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(ms: number, timeZone: string) {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  const out: Record<string, string> = {};
  for (const part of f.formatToParts(new Date(ms))) out[part.type] = part.value;
  return {
    year: Number(out.year),
    month: Number(out.month),
    day: Number(out.day),
    hour: Number(out.hour),
    minute: Number(out.minute),
    second: Number(out.second),
  };
}

/** As Confluent's TimeBasedPartitioner.getPartition: floor the local time to the bucket, back to UTC. */
export function floorToBucket(ms: number, durationMs: number, timeZone: string): number {
  const local = ms + zoneOffsetMs(ms, timeZone);
  const floored = Math.floor(local / durationMs) * durationMs;
  return floored - zoneOffsetMs(floored - zoneOffsetMs(ms, timeZone), timeZone);
}

/** The next instant after `ms` on a grid of `intervalMs` aligned to local midnight (scheduled rotation). */
export function nextBoundary(ms: number, intervalMs: number, timeZone: string): number {
  const off = zoneOffsetMs(ms, timeZone);
  const local = ms + off;
  const midnight = Math.floor(local / 86_400_000) * 86_400_000;
  const next = midnight + (Math.floor((local - midnight) / intervalMs) + 1) * intervalMs;
  return next - off;
}

/**
 * A formatter for the subset of Joda-Time patterns storage partitioners use: quoted literals, and
 * Y/y (year), M (month; MMM/MMMM as text in `locale`), d (day), H (hour), m, s, S (millis), with
 * the run length as the zero-padded width.
 */
export function pathFormatter(pattern: string, locale: string, timeZone: string): (ms: number) => string {
  type Piece = string | { letter: string; width: number };
  const pieces: Piece[] = [];
  for (let i = 0; i < pattern.length;) {
    const ch = pattern[i]!;
    if (ch === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end === i + 1) {
        pieces.push("'");
        i += 2;
        continue;
      }
      pieces.push(pattern.slice(i + 1, end < 0 ? pattern.length : end));
      i = end < 0 ? pattern.length : end + 1;
    } else if (/[A-Za-z]/.test(ch)) {
      let j = i;
      while (pattern[j] === ch) j++;
      if (!'YyMdHmsS'.includes(ch))
        throw new Error(`path.format: unsupported pattern letter ${ch} (use Y, M, d, H, m, s, S and 'quoted' text)`);
      pieces.push({ letter: ch, width: j - i });
      i = j;
    } else {
      pieces.push(ch);
      i++;
    }
  }
  const monthText = (ms: number, width: number) =>
    new Intl.DateTimeFormat(locale || 'en-US', { timeZone, month: width === 3 ? 'short' : 'long' }).format(
      new Date(ms),
    );
  return (ms) => {
    const p = partsIn(ms, timeZone);
    const millis = ((ms % 1000) + 1000) % 1000;
    return pieces
      .map((piece) => {
        if (typeof piece === 'string') return piece;
        const pad = (n: number) => String(n).padStart(piece.width, '0');
        switch (piece.letter) {
          case 'Y':
          case 'y':
            return piece.width === 2 ? pad(p.year % 100) : pad(p.year);
          case 'M':
            return piece.width >= 3 ? monthText(ms, piece.width) : pad(p.month);
          case 'd':
            return pad(p.day);
          case 'H':
            return pad(p.hour);
          case 'm':
            return pad(p.minute);
          case 's':
            return pad(p.second);
          default:
            return pad(millis);
        }
      })
      .join('');
  };
}

/** A value field by dotted path (or its parts), from a Struct or a plain object/Map. Undefined when absent. */
export function fieldValue(value: unknown, path: string | readonly string[]): unknown {
  let cur: unknown = value;
  for (const name of typeof path === 'string' ? path.split('.') : path) {
    if (cur instanceof Struct) {
      if (!cur.schema.fields?.some((f) => f.name === name)) return undefined;
      cur = cur.get(name);
    } else if (cur instanceof Map) {
      if (!cur.has(name)) return undefined;
      cur = cur.get(name);
    } else if (cur !== null && typeof cur === 'object' && !(cur instanceof Uint8Array)) {
      if (!(name in cur)) return undefined;
      cur = (cur as Record<string, unknown>)[name];
    } else {
      return undefined;
    }
  }
  return cur;
}

export type TimestampExtractor = (record: SinkRecord) => number;

/** timestamp.extractor: Record, RecordField or Wallclock. */
export function timestampExtractor(kind: string, field: string): TimestampExtractor {
  switch (kind) {
    case 'Record':
      return (r) => {
        if (r.timestamp === null || r.timestamp === undefined)
          throw new DataError(
            `Record at ${r.topic}-${r.kafkaPartition}@${r.kafkaOffset} has no timestamp (timestamp.extractor=Record).`,
          );
        return r.timestamp;
      };
    case 'RecordField':
      return (r) => {
        const v = fieldValue(r.value, field);
        if (v instanceof Date) return v.getTime();
        if (typeof v === 'number' || typeof v === 'bigint') return Number(v);
        if (typeof v === 'string') {
          const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
          if (!Number.isNaN(ms)) return ms;
        }
        throw new DataError(
          `Record at ${r.topic}-${r.kafkaPartition}@${r.kafkaOffset} has no usable timestamp in field "${field}" (timestamp.extractor=RecordField needs epoch ms, a Date or ISO-8601 text).`,
        );
      };
    default:
      return () => Date.now();
  }
}
