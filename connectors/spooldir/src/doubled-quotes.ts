import { Transform, type TransformCallback } from 'node:stream';

const NL = 10;
const CR = 13;

/**
 * With an explicit `csv.escape.char`, OpenCSV reads both spellings of a quote inside a quoted field:
 * escaped (`\"`) and doubled (`""`). csv-parse takes one of them only, so this transform rewrites a
 * doubled quote inside a quoted field as escape + quote before the parser sees it. Both are two
 * bytes, so byte positions (where a record starts, for recovering after a malformed one) stay true.
 *
 * It follows the quoting as csv-parse does: a quote opens a quoted field only where a field starts;
 * inside one, the escape character makes the next byte literal and a quote followed by anything but
 * a quote closes it. Works on bytes, so the quote, escape and separator must be ASCII and the file
 * UTF-8 or Latin-1 (the caller checks).
 */
export class DoubledQuotes extends Transform {
  private quoted = false;
  private fieldStart = true;
  private escaping = false;
  /** A quote inside a quoted field, at the end of the last chunk: what follows decides what it is. */
  private heldQuote = false;

  constructor(
    private readonly quote: number,
    private readonly escape: number,
    private readonly separator: number,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const held = this.heldQuote;
    const buf = held ? Buffer.concat([Buffer.of(this.quote), chunk]) : chunk; // chunks are ours to change
    this.heldQuote = false;
    let end = buf.length;
    for (let i = 0; i < buf.length; i++) {
      const c = buf[i]!;
      if (this.quoted) {
        if (this.escaping) {
          this.escaping = false;
          continue;
        }
        if (c === this.escape) {
          this.escaping = true;
          continue;
        }
        if (c !== this.quote) continue;
        if (i + 1 === buf.length) {
          this.heldQuote = true;
          end = i;
          break;
        }
        if (buf[i + 1] === this.quote) {
          buf[i] = this.escape;
          i++;
          continue;
        }
        this.quoted = false;
        this.fieldStart = false;
      } else if (c === this.quote && this.fieldStart) {
        this.quoted = true;
      } else {
        this.fieldStart = c === this.separator || c === NL || c === CR;
      }
    }
    done(null, buf.subarray(0, end));
  }

  override _flush(done: TransformCallback): void {
    done(null, this.heldQuote ? Buffer.of(this.quote) : undefined);
  }
}
