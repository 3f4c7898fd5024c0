/**
 * Text forms that Kafka's JsonConverter gets from Java and Jackson, reproduced so our bytes equal
 * theirs: `Double.toString`, `Float.toString`, `BigDecimal.toString` and Jackson's string escaping.
 */

/** Java's `Double.toString` (the JDK 19+ shortest-digits definition). */
export function javaDouble(x: number): string {
  if (Number.isNaN(x) || !Number.isFinite(x)) return nonFinite(x);
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const abs = x < 0 ? -x : x;
  if (abs >= 1e-3 && abs < 1e7) {
    // JS prints this range in plain notation with the same shortest digits; Java adds ".0" to whole numbers.
    const s = String(x);
    return s.includes('.') ? s : `${s}.0`;
  }
  return javaFormat(
    x,
    shortestDigits(x, x.toExponential(), (s) => Number(s) === x),
  );
}

/** Java's `Float.toString` for a value that is (or is rounded to) a 32-bit float. */
export function javaFloat(value: number): string {
  const x = Math.fround(value);
  if (Number.isNaN(x) || !Number.isFinite(x)) return nonFinite(x);
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const roundTrips = (s: string) => Math.fround(Number(s)) === x;
  let text = '';
  for (let p = 0; p < 9 && text === ''; p++) {
    const candidate = x.toExponential(p);
    if (roundTrips(candidate)) text = candidate;
  }
  return javaFormat(x, shortestDigits(x, text || x.toExponential(8), roundTrips));
}

/**
 * Jackson writes NaN and the infinities as quoted strings (QUOTE_NON_NUMERIC_NUMBERS is on by default),
 * so they already carry their JSON quotes here.
 */
function nonFinite(x: number): string {
  return Number.isNaN(x) ? '"NaN"' : x > 0 ? '"Infinity"' : '"-Infinity"';
}

interface Digits {
  neg: boolean;
  digits: string;
  exp: number;
}

/**
 * The shortest significant digits that read back as `x`. Java looks at two-digit candidates too when one
 * digit suffices and keeps the closer one (so `Double.MIN_VALUE` prints as 4.9E-324, not 5.0E-324).
 */
function shortestDigits(x: number, text: string, roundTrips: (s: string) => boolean): Digits {
  let m = EXPONENTIAL.exec(text)!;
  if ((m[3] ?? '') === '') {
    const two = x.toExponential(1);
    if (roundTrips(two)) m = EXPONENTIAL.exec(two)!;
  }
  const digits = (m[2]! + (m[3] ?? '')).replace(/0+$/, '') || '0';
  return { neg: m[1] === '-', digits, exp: Number(m[4]) };
}

const EXPONENTIAL = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/;

/** Plain notation for 1e-3 <= |x| < 1e7, else computerized scientific notation, as Java does. */
function javaFormat(x: number, d: Digits): string {
  const abs = Math.abs(x);
  const sign = d.neg ? '-' : '';
  if (abs >= 1e-3 && abs < 1e7) {
    const pointAt = d.exp + 1;
    if (pointAt <= 0) return `${sign}0.${'0'.repeat(-pointAt)}${d.digits}`;
    const whole = d.digits.length > pointAt ? d.digits.slice(0, pointAt) : d.digits.padEnd(pointAt, '0');
    const frac = d.digits.length > pointAt ? d.digits.slice(pointAt) : '0';
    return `${sign}${whole}.${frac}`;
  }
  const frac = d.digits.length > 1 ? d.digits.slice(1) : '0';
  return `${sign}${d.digits[0]}.${frac}E${d.exp}`;
}

/**
 * Java's `BigDecimal.toString` for an unscaled value and scale: plain when the scale is non-negative and
 * the adjusted exponent is at least -6, otherwise scientific (`1E-10`, `1.2E+3`).
 */
export function javaBigDecimal(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  const coeff = (neg ? -unscaled : unscaled).toString();
  const sign = neg ? '-' : '';
  const adjusted = -scale + (coeff.length - 1);
  if (scale >= 0 && adjusted >= -6) {
    if (scale === 0) return sign + coeff;
    const padded = coeff.padStart(scale + 1, '0');
    return `${sign}${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`;
  }
  const mantissa = coeff.length > 1 ? `${coeff[0]}.${coeff.slice(1)}` : coeff;
  return `${sign}${mantissa}E${adjusted >= 0 ? '+' : ''}${adjusted}`;
}

// Characters Jackson escapes: quote, backslash, controls, and (in this version) every UTF-16 surrogate.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
const SHORT_ESCAPES: Record<number, string> = {
  8: '\\b',
  9: '\\t',
  10: '\\n',
  12: '\\f',
  13: '\\r',
  34: '\\"',
  92: '\\\\',
};
const HEX = '0123456789ABCDEF';

/** Whether `s` goes between JSON quotes as it is (Jackson would escape none of its characters). */
export function needsNoEscape(s: string): boolean {
  return !NEEDS_ESCAPE.test(s);
}

/** A JSON string literal escaped exactly as Jackson's generator writes it. */
export function jsonQuote(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  let out = '"';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 34 && c !== 92 && (c < 0xd800 || c > 0xdfff)) continue;
    out += s.slice(from, i);
    out += SHORT_ESCAPES[c] ?? `\\u${HEX[(c >> 12) & 15]}${HEX[(c >> 8) & 15]}${HEX[(c >> 4) & 15]}${HEX[c & 15]}`;
    from = i + 1;
  }
  return `${out}${s.slice(from)}"`;
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64 (Jackson rejects what Node would silently skip); null when `s` is not base64. */
export function fromBase64(s: string): Uint8Array | null {
  if (s.length % 4 !== 0 || !BASE64.test(s)) return null;
  const b = Buffer.from(s, 'base64');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
