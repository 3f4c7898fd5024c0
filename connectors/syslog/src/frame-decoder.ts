/**
 * Splits a TCP byte stream into syslog frames (RFC 6587). Each frame decides its own style by its
 * first byte, as netty-codec-syslog does: a digit starts octet counting (`LEN SP MSG`, LEN in bytes),
 * anything else runs to the next LF (a CR before it and NUL bytes around it are dropped). A digit
 * run is taken as a length only when `SP` and `<` follow it, so a line like `12 apples` stays a line.
 *
 * Nothing is dropped in silence: a frame over `maxBytes` is delivered cut to `maxBytes` with an
 * error and the rest of it skipped; a frame the peer cut short by closing is delivered as far as it
 * got, with an error. Memory per connection stays within about `maxBytes` plus one read chunk.
 */
export type FrameSink = (frame: Buffer, error: string | null) => void;

const LF = 10;
const CR = 13;
const NUL = 0;
const SP = 32;
/** Up to 10 digits of LEN (more than any frame we would accept). */
const MAX_LEN_DIGITS = 10;

export class FrameDecoder {
  private pending: Buffer | null = null;
  /** Bytes of an oversized octet-counted frame still to skip. */
  private skip = 0;
  /** Skipping an oversized line up to its LF. */
  private discardLine = false;

  constructor(
    private readonly maxBytes: number,
    private readonly emit: FrameSink,
  ) {}

  /** Feeds the next chunk read from the socket. */
  push(chunk: Buffer): void {
    let data = chunk;
    if (this.pending) {
      data = Buffer.concat([this.pending, chunk]);
      this.pending = null;
    }
    const len = data.length;
    let pos = 0;
    while (pos < len) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, len - pos);
        pos += n;
        this.skip -= n;
        continue;
      }
      if (this.discardLine) {
        const nl = data.indexOf(LF, pos);
        if (nl < 0) {
          pos = len;
          break;
        }
        pos = nl + 1;
        this.discardLine = false;
        continue;
      }
      const b = data[pos]!;
      if (b === LF || b === CR || b === NUL || b === SP) {
        pos++;
        continue;
      } // separators between frames
      if (b >= 49 && b <= 57) {
        const next = this.octetCounted(data, pos);
        if (next === -1) break; // need more bytes
        if (next !== -2) {
          pos = next;
          continue;
        }
        // -2: digits not followed by SP, so not a length: a line that starts with a digit.
      }
      const next = this.line(data, pos);
      if (next === -1) break;
      pos = next;
    }
    if (pos < len) this.pending = data.subarray(pos);
  }

  /**
   * The peer closed. A partial octet-counted frame is delivered with an error; a last line without
   * its LF is delivered as complete (many simple senders do not end the last line).
   */
  end(): void {
    const data = this.pending;
    this.pending = null;
    if (!data || data.length === 0 || this.skip > 0 || this.discardLine) return;
    const header = lengthPrefix(data, 0);
    if (header) {
      const got = data.length - header.start;
      this.emit(
        data.subarray(header.start),
        `truncated frame: the connection closed after ${got} of ${header.length} bytes`,
      );
      return;
    }
    this.emit(trimLine(data, 0, data.length), null);
  }

  /** Next position, -1 when more bytes are needed, -2 when this is not an octet-counted frame. */
  private octetCounted(data: Buffer, pos: number): number {
    const header = lengthPrefix(data, pos);
    if (header === undefined) return -1;
    if (header === null) return -2;
    const { start, length } = header;
    // A real frame's message starts with its PRI; without '<' this is a line like "12 apples".
    if (start >= data.length) return -1;
    if (data[start] !== 60) return -2;
    const available = data.length - start;
    if (length <= this.maxBytes) {
      if (available < length) return -1;
      // rsyslog's RFC 5424 template ends the message with LF even inside a counted frame.
      this.emit(trimLine(data, start, start + length), null);
      return start + length;
    }
    if (available < this.maxBytes) return -1;
    this.emit(
      data.subarray(start, start + this.maxBytes),
      `frame of ${length} bytes exceeds syslog.message.max.bytes (${this.maxBytes}); delivered cut to that size`,
    );
    this.skip = length - this.maxBytes;
    return start + this.maxBytes;
  }

  private line(data: Buffer, pos: number): number {
    const nl = data.indexOf(LF, pos);
    const end = nl < 0 ? data.length : nl;
    if (end - pos > this.maxBytes) {
      this.emit(
        data.subarray(pos, pos + this.maxBytes),
        `line longer than syslog.message.max.bytes (${this.maxBytes}); delivered cut to that size`,
      );
      if (nl < 0) {
        this.discardLine = true;
        return data.length;
      }
      return nl + 1;
    }
    if (nl < 0) return -1;
    this.emit(trimLine(data, pos, nl), null);
    return nl + 1;
  }
}

/**
 * `LEN SP` at `pos`: where the message starts and its length; undefined when the header is not
 * complete yet; null when these bytes are not a length prefix.
 */
function lengthPrefix(data: Buffer, pos: number): { start: number; length: number } | null | undefined {
  let i = pos;
  let n = 0;
  while (i < data.length && i - pos < MAX_LEN_DIGITS) {
    const c = data[i]!;
    if (c === SP) return i > pos ? { start: i + 1, length: n } : null;
    if (c < 48 || c > 57) return null;
    n = n * 10 + (c - 48);
    i++;
  }
  return i - pos >= MAX_LEN_DIGITS ? null : undefined;
}

/** The frame without trailing LF, CR and NUL bytes. */
function trimLine(data: Buffer, from: number, to: number): Buffer {
  let end = to;
  while (end > from && (data[end - 1] === LF || data[end - 1] === CR || data[end - 1] === NUL)) end--;
  return data.subarray(from, end);
}
