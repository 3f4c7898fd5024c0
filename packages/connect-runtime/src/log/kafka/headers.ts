/**
 * Header conversion between the log interface (an ordered list) and kafkajs (an object keyed by
 * header name, repeated names as arrays). kafkajs cannot express two names interleaved (a, b, a): on
 * the wire the headers come out grouped by name, in order of first appearance; values of one name
 * keep their order. kafkajs cannot encode a null header value either (it sizes every value with
 * Buffer.byteLength), so a null value goes out as an empty one.
 */
import type { IHeaders } from 'kafkajs';
import type { LogHeader } from '../log.js';

export function toKafkaHeaders(headers: readonly LogHeader[] | undefined): IHeaders | undefined {
  if (!headers || headers.length === 0) return undefined;
  const out: Record<string, Buffer[]> = {};
  for (const h of headers) {
    const value = h.value === null ? Buffer.alloc(0) : Buffer.from(h.value.buffer, h.value.byteOffset, h.value.byteLength);
    (out[h.key] ??= []).push(value);
  }
  const result: IHeaders = {};
  for (const [k, vs] of Object.entries(out)) result[k] = (vs.length === 1 ? vs[0] : vs) as IHeaders[string];
  return result;
}

export function fromKafkaHeaders(headers: IHeaders | undefined): LogHeader[] {
  if (!headers) return [];
  const out: LogHeader[] = [];
  for (const [key, v] of Object.entries(headers)) {
    const values = Array.isArray(v) ? v : [v];
    for (const value of values) {
      out.push({ key, value: value === null || value === undefined ? null : typeof value === 'string' ? Buffer.from(value) : value });
    }
  }
  return out;
}
