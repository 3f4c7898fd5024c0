import { DataError } from '@tributary/connect-api';

/**
 * PostgreSQL's text forms (as pgoutput sends them and the snapshot reads them, with the session settings
 * of pg-client.ts) turned into the numbers and strings Debezium writes.
 */

export function toInt64(t: string): number | bigint {
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : BigInt(t);
}

export function toFloat(t: string): number {
  if (t === 'Infinity') return Infinity;
  if (t === '-Infinity') return -Infinity;
  return Number(t);
}

export function byteaFromText(t: string): Uint8Array {
  if (t.startsWith('\\x')) return Buffer.from(t.slice(2), 'hex');
  // Escape format (bytea_output=escape); the connections set hex, this is a fallback.
  const out: number[] = [];
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '\\') {
      if (t[i + 1] === '\\') {
        out.push(92);
        i++;
      } else {
        out.push(parseInt(t.slice(i + 1, i + 4), 8));
        i += 3;
      }
    } else out.push(t.charCodeAt(i));
  }
  return Uint8Array.from(out);
}

/**
 * Bits as Debezium writes them: the little-endian bytes of the bit string's value, only as many as its
 * highest set bit needs (none for all zeros), whatever the column's length.
 */
export function bitsFromText(t: string): Uint8Array {
  let v = t === '' ? 0n : BigInt(`0b${t}`);
  const out: number[] = [];
  while (v > 0n) {
    out.push(Number(v & 0xffn));
    v >>= 8n;
  }
  return Uint8Array.from(out);
}

/** hstore text (`"k"=>"v", "n"=>NULL`) → its entries in text order. */
export function hstoreEntries(t: string): Array<[string, string | null]> {
  const out: Array<[string, string | null]> = [];
  let i = 0;
  const token = (): string | null => {
    while (t[i] === ' ' || t[i] === ',') i++;
    if (t[i] === '"') {
      let s = '';
      for (i++; i < t.length && t[i] !== '"'; i++) s += t[i] === '\\' ? t[++i] : t[i];
      i++;
      return s;
    }
    const m = /^[^\s,=]+/.exec(t.slice(i));
    if (!m) throw new DataError(`Unexpected hstore text ${t.slice(0, 100)}`);
    i += m[0].length;
    return m[0] === 'NULL' ? null : m[0];
  };
  while (i < t.length) {
    while (t[i] === ' ' || t[i] === ',') i++;
    if (i >= t.length) break;
    const key = token();
    while (t[i] === ' ') i++;
    if (t.slice(i, i + 2) !== '=>') throw new DataError(`Unexpected hstore text ${t.slice(0, 100)}`);
    i += 2;
    while (t[i] === ' ') i++;
    const quoted = t[i] === '"';
    const value = token();
    out.push([key ?? 'NULL', quoted ? (value ?? 'NULL') : value]);
  }
  return javaHashMapOrder(out);
}

/**
 * Entries in the iteration order of a java.util.HashMap they were put into (Debezium reads hstore into
 * one): by bucket of the spread String hash in a table that doubles past 3/4 full, then insertion order.
 */
function javaHashMapOrder<V>(entries: Array<[string, V]>): Array<[string, V]> {
  let capacity = 16;
  while (entries.length > capacity * 0.75) capacity *= 2;
  const hash = (k: string) => {
    let h = 0;
    for (let i = 0; i < k.length; i++) h = (Math.imul(h, 31) + k.charCodeAt(i)) | 0;
    return (h ^ (h >>> 16)) >>> 0;
  };
  return entries
    .map((e, i) => ({ e, i, b: hash(e[0]) & (capacity - 1) }))
    .sort((a, b) => a.b - b.b || a.i - b.i)
    .map((x) => x.e);
}

/** hstore as Debezium's io.debezium.data.Json: a JSON object of string (or null) values. */
export function hstoreJson(t: string): string {
  return `{${hstoreEntries(t)
    .map(([k, v]) => `${JSON.stringify(k)}:${v === null ? 'null' : JSON.stringify(v)}`)
    .join(',')}}`;
}

/** point text `(x,y)` → coordinates and the little-endian WKB of a 2D point (io.debezium.data.geometry.Point). */
export function pointFromText(t: string): { x: number; y: number; wkb: Uint8Array } {
  const m = /^\(([^,]+),([^)]+)\)$/.exec(t.trim());
  if (!m) throw new DataError(`Unexpected point text ${t}`);
  const x = toFloat(m[1]!),
    y = toFloat(m[2]!);
  const wkb = Buffer.alloc(21);
  wkb.writeUInt8(1, 0);
  wkb.writeUInt32LE(1, 1);
  wkb.writeDoubleLE(x, 5);
  wkb.writeDoubleLE(y, 13);
  return { x, y, wkb: new Uint8Array(wkb) };
}

const DAY_US = 86_400_000_000n;

/**
 * What Debezium streams for date ±infinity: PostgreSQL's sentinel day numbers read as dates and overflowed
 * into an int32 epoch day. (Its snapshot, through JDBC, writes -622191234 and -625821272 instead.)
 */
export const DATE_INFINITY = { positive: -2147472692, negative: -2147472691 };

export function epochDays(t: string): number {
  if (t === 'infinity') return DATE_INFINITY.positive;
  if (t === '-infinity') return DATE_INFINITY.negative;
  const { y, mo, d } = ymd(t);
  return epochDay(y, mo, d);
}

function ymd(t: string): { y: number; mo: number; d: number } {
  const bc = t.endsWith(' BC');
  const m = /^(\d+)-(\d\d)-(\d\d)/.exec(t);
  if (!m) throw new DataError(`Unexpected date text ${t}`);
  const y = Number(m[1]);
  return { y: bc ? 1 - y : y, mo: Number(m[2]), d: Number(m[3]) };
}

/** Days since 1970-01-01 of a proleptic Gregorian date, for any year (PostgreSQL's reach beyond JS Date's). */
function epochDay(y: number, mo: number, d: number): number {
  const yy = mo <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** `HH:MM:SS[.ffffff]` → microseconds since midnight (24:00:00 is allowed by PostgreSQL). */
export function timeMicros(t: string): bigint {
  const m = /^(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?/.exec(t);
  if (!m) throw new DataError(`Unexpected time text ${t}`);
  return (
    ((BigInt(m[1]!) * 60n + BigInt(m[2]!)) * 60n + BigInt(m[3]!)) * 1_000_000n + BigInt((m[4] ?? '').padEnd(6, '0'))
  );
}

/** Wall-clock timestamp text (treated as UTC, as Debezium does) → µs since the epoch. */
export function timestampMicros(t: string): bigint {
  // Debezium's sentinels for ±infinity.
  if (t === 'infinity') return 9223372036825200000n;
  if (t === '-infinity') return -9223372036832400000n;
  const { y, mo, d } = ymd(t);
  const day = BigInt(epochDay(y, mo, d)) * DAY_US;
  const time = t.indexOf(' ') > 0 ? timeMicros(t.slice(t.indexOf(' ') + 1)) : 0n;
  return javaEpochMicros(day + time);
}

/**
 * µs as Debezium computes them (TimeUnit.SECONDS.toMicros, which saturates, plus the fraction in plain
 * long arithmetic, which wraps): the same number within ±292,000 years, Debezium's beyond (year 294276).
 */
function javaEpochMicros(us: bigint): bigint {
  const secs = us / 1_000_000n - (us % 1_000_000n < 0n ? 1n : 0n);
  const frac = us - secs * 1_000_000n;
  return BigInt.asIntN(64, clampInt64(secs * 1_000_000n) + frac);
}

/** Java's saturating conversions: beyond int64, the nearest bound. */
export function clampInt64(v: bigint): bigint {
  return v > 9223372036854775807n ? 9223372036854775807n : v < -9223372036854775808n ? -9223372036854775808n : v;
}

/**
 * timestamptz text (session TimeZone=UTC) → ISO-8601 UTC as Debezium's ZonedTimestamp: `digits`
 * fractional digits, or java.time's ISO form (trailing zeros cut) when `digits` is 0.
 */
export function zonedTimestamp(t: string, digits: number): string {
  if (t === 'infinity' || t === '-infinity') return t;
  const m = /^(\d+)-(\d\d)-(\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)([+-]\d\d(?::\d\d(?::\d\d)?)?)?( BC)?$/.exec(t);
  if (!m) throw new DataError(`Unexpected timestamptz text ${t}`);
  const y = m[6] ? 1 - Number(m[1]) : Number(m[1]);
  const us =
    BigInt(epochDay(y, Number(m[2]), Number(m[3]))) * DAY_US +
    timeMicros(m[4]!) -
    offsetMicros(m[5] ? `00:00:00${m[5]}` : '');
  const day = us / DAY_US - (us % DAY_US < 0n ? 1n : 0n);
  const tod = us - day * DAY_US;
  const frac = tod % 1_000_000n;
  const s = tod / 1_000_000n;
  const hms = [s / 3600n, (s / 60n) % 60n, s % 60n].map((v) => String(v).padStart(2, '0')).join(':');
  return `${isoDate(Number(day))}T${hms}${digits > 0 ? `.${frac.toString().padStart(6, '0').padEnd(digits, '0').slice(0, digits)}` : fraction(frac)}Z`;
}

/** A day count as java.time prints its date: 4-digit years, a sign beyond 9999 or before year 0. */
function isoDate(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const mo = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (mo <= 2 ? 1 : 0);
  const yy = y < 0 ? `-${String(-y).padStart(4, '0')}` : y > 9999 ? `+${y}` : String(y).padStart(4, '0');
  return `${yy}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export function zonedTime(t: string): string {
  const us = timeMicros(t) - offsetMicros(t);
  const day = ((us % DAY_US) + DAY_US) % DAY_US;
  const s = day / 1_000_000n;
  const hh = String(s / 3600n).padStart(2, '0'),
    mm = String((s / 60n) % 60n).padStart(2, '0'),
    ss = String(s % 60n).padStart(2, '0');
  return `${hh}:${mm}:${ss}${fraction(day % 1_000_000n)}Z`;
}

/** Fraction of a second as java.time's ISO formatter prints it: omitted when zero, else trailing zeros cut. */
function fraction(us: bigint): string {
  return us === 0n ? '' : `.${us.toString().padStart(6, '0').replace(/0+$/, '')}`;
}

function offsetMicros(t: string): bigint {
  const m = /([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?$/.exec(t);
  if (!m || !/\d\d:\d\d:\d\d/.test(t)) return 0n;
  const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return BigInt(m[1] === '-' ? -secs : secs) * 1_000_000n;
}

/** ISO-8601 interval text (IntervalStyle=iso_8601) → µs, with Debezium's average month (30.4375 days). */
export function intervalMicros(t: string): bigint {
  const m = /^P(?:(-?\d+)Y)?(?:(-?\d+)M)?(?:(-?\d+)D)?(?:T(?:(-?\d+)H)?(?:(-?\d+)M)?(?:(-?[\d.]+)S)?)?$/.exec(t);
  if (!m) throw new DataError(`Unexpected interval text ${t}`);
  const n = (i: number) => Number(m[i] ?? 0);
  const days = n(1) * 365.25 + n(2) * 30.4375 + n(3);
  const secs = n(4) * 3600 + n(5) * 60 + n(6);
  return BigInt(Math.round(days * 86_400_000_000)) + BigInt(Math.round(secs * 1_000_000));
}

/**
 * ISO-8601 interval text → Debezium's io.debezium.time.Interval: every component spelled out
 * (`PnYnMnDTnHnMnS`), seconds as a plain decimal without trailing zeros.
 */
export function intervalIso(t: string): string {
  const m = /^P(?:(-?\d+)Y)?(?:(-?\d+)M)?(?:(-?\d+)D)?(?:T(?:(-?\d+)H)?(?:(-?\d+)M)?(?:(-?[\d.]+)S)?)?$/.exec(t);
  if (!m) throw new DataError(`Unexpected interval text ${t}`);
  const n = (i: number) => String(Number(m[i] ?? 0));
  let sec = (m[6] ?? '0').replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  if (/^-?0$/.test(sec)) sec = '0';
  return `P${n(1)}Y${n(2)}M${n(3)}DT${n(4)}H${n(5)}M${sec}S`;
}

/** PostgreSQL array text `{a,"b c",NULL}` (one dimension) → element texts, null for NULL. */
export function parseArray(t: string): Array<string | null> {
  const out: Array<string | null> = [];
  let i = t.indexOf('{') + 1;
  if (t[i] === '}') return out;
  while (i < t.length) {
    let v: string | null;
    if (t[i] === '"') {
      let s = '';
      for (i++; t[i] !== '"'; i++) s += t[i] === '\\' ? t[++i] : t[i];
      i++;
      v = s;
    } else {
      let j = i;
      while (t[j] !== ',' && t[j] !== '}') j++;
      const raw = t.slice(i, j);
      v = raw === 'NULL' ? null : raw;
      i = j;
    }
    out.push(v);
    if (t[i] === '}') break;
    i++;
  }
  return out;
}
