import type { LogHeader, LogRecord } from '../log/log.js';

/** Bytes as the console shows them: text when they are printable UTF-8, else hex; cut at a limit. */
export interface BytesView {
  /** The bytes as text (printable UTF-8), cut to the limit. */
  text?: string;
  /** Otherwise the first bytes as hex. */
  hex?: string;
  /** Size in bytes of the whole value. */
  size: number;
  truncated: boolean;
}

export interface RecordView {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: BytesView | null;
  value: BytesView | null;
  headers: Array<{ key: string; value: BytesView | null }>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
// Control characters other than tab, newline and carriage return mark binary data.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** `limit` bounds what is sent: a 1 MB value arrives as its first `limit` characters (or `limit / 2` bytes in hex). */
export function viewBytes(b: Uint8Array | null, limit: number): BytesView | null {
  if (b === null) return null;
  const size = b.length;
  // Decode a little past the limit so a multi-byte character cut at the edge does not make text look binary.
  const head = b.subarray(0, Math.min(size, limit * 4));
  let text: string | null = null;
  try {
    text = utf8.decode(head, { stream: head.length < size });
  } catch {
    text = null;
  }
  if (text !== null && !CONTROL.test(text)) {
    const truncated = head.length < size || text.length > limit;
    return { text: text.length > limit ? text.slice(0, limit) : text, size, truncated };
  }
  const bytes = b.subarray(0, Math.min(size, Math.floor(limit / 2)));
  return {
    hex: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex'),
    size,
    truncated: bytes.length < size,
  };
}

export function viewRecord(r: LogRecord, limit: number): RecordView {
  return {
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    key: viewBytes(r.key, limit),
    value: viewBytes(r.value, limit),
    headers: r.headers.map((h: LogHeader) => ({ key: h.key, value: viewBytes(h.value, limit) })),
  };
}

/** A header's value as text, or null. */
export function headerText(headers: readonly LogHeader[], key: string): string | null {
  const h = headers.find((x) => x.key === key);
  return h?.value ? Buffer.from(h.value).toString('utf8') : null;
}
