import { DataError } from '@tributary/connect-api';
import { ExactNumber } from './values.js';

type Reviver = (key: string, value: unknown, context?: { source?: string }) => unknown;
const parseWithSource = JSON.parse as (text: string, reviver: Reviver) => unknown;

// 16+ digits in a row may not survive a double; only then pay for the reviver.
const LONG_DIGITS = /\d{16}/;

/**
 * JSON.parse, except that numbers a double cannot hold exactly come back exact: integers beyond 2^53
 * as bigint, other long numbers as {@link ExactNumber} (its source text). `keepDecimals` keeps every
 * fractional number's text, for Decimal payloads written as NUMERIC.
 */
export function parseJson(text: string, keepDecimals = false): unknown {
  try {
    if (!keepDecimals && !LONG_DIGITS.test(text)) return JSON.parse(text);
    return parseWithSource(text, (_key, value, context) => {
      if (typeof value !== 'number' || context?.source === undefined) return value;
      const src = context.source!;
      if (/^-?\d+$/.test(src)) return Number.isSafeInteger(value) ? value : BigInt(src);
      return keepDecimals || LONG_DIGITS.test(src) ? new ExactNumber(src) : value;
    });
  } catch (e) {
    throw new DataError('Converting byte[] to Kafka Connect data failed due to serialization error: ', { cause: e });
  }
}
