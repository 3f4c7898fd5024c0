import { DataError } from '@tributary/connect-api';
import { ExactNumber } from './values.js';

type Reviver = (key: string, value: unknown, context?: { source?: string }) => unknown;
const parseWithSource = JSON.parse as (text: string, reviver: Reviver) => unknown;

/**
 * Whether `text` has 16 or more digits in a row, which a double may not hold exactly: only then is the
 * reviver worth its cost. A plain loop: the equivalent regular expression was a tenth of a sink's CPU.
 */
function hasLongDigits(text: string): boolean {
  const n = text.length;
  // Any 16 digits in a row cover one of every 16th position: look only there, and measure the run
  // around a digit found. After a run ending at `end`, the next window starts at end + 2 or later.
  for (let i = 15; i < n; i += 16) {
    if (!isDigit(text.charCodeAt(i))) continue;
    let start = i;
    while (start > 0 && isDigit(text.charCodeAt(start - 1))) start--;
    let end = i;
    while (end + 1 < n && isDigit(text.charCodeAt(end + 1))) end++;
    if (end - start + 1 >= 16) return true;
    i = end;
  }
  return false;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * JSON.parse, except that numbers a double cannot hold exactly come back exact: integers beyond 2^53
 * as bigint, other long numbers as {@link ExactNumber} (its source text). `keepDecimals` keeps every
 * fractional number's text, for Decimal payloads written as NUMERIC.
 */
export function parseJson(text: string, keepDecimals = false): unknown {
  try {
    if (!keepDecimals && !hasLongDigits(text)) return JSON.parse(text);
    return parseWithSource(text, (_key, value, context) => {
      if (typeof value !== 'number' || context?.source === undefined) return value;
      const src = context.source!;
      if (/^-?\d+$/.test(src)) return Number.isSafeInteger(value) ? value : BigInt(src);
      return keepDecimals || hasLongDigits(src) ? new ExactNumber(src) : value;
    });
  } catch (e) {
    throw new DataError('Converting byte[] to Kafka Connect data failed due to serialization error: ', { cause: e });
  }
}
