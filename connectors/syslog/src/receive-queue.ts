import { isUtf8 } from 'node:buffer';

/** One message as it came off the wire, decoded but not parsed yet (parsing happens in `poll()`). */
export interface Received {
  /** The frame decoded as UTF-8 (a leading BOM removed; bad bytes as U+FFFD). */
  text: string;
  /** The sender as Java prints an InetSocketAddress: `/192.168.10.105:38254`. */
  remoteAddress: string;
  remoteIp: string;
  receivedAt: number;
  /** A framing problem (cut to size, connection closed mid-frame); null when the frame was whole. */
  frameError: string | null;
}

/**
 * Decodes a frame into a {@link Received}. Decoding here rather than keeping the bytes means one
 * string per message instead of a Buffer copy plus a string (a frame is a view into a read chunk
 * that must not stay alive).
 */
export function receivedFrame(
  frame: Buffer,
  frameError: string | null,
  remoteAddress: string,
  remoteIp: string,
): Received {
  const bytes =
    frame.length >= 3 && frame[0] === 0xef && frame[1] === 0xbb && frame[2] === 0xbf ? frame.subarray(3) : frame;
  const text = bytes.toString('utf8');
  let error = frameError;
  // Only look further when the fast decode produced replacement characters.
  if (text.includes('\uFFFD') && !isUtf8(bytes)) {
    const bad = 'invalid UTF-8: bad bytes replaced by U+FFFD';
    error = frameError ? `${frameError}; ${bad}` : bad;
  }
  return { text, remoteAddress, remoteIp, receivedAt: Date.now(), frameError: error };
}

/**
 * The bounded hand-over between the listeners and `poll()`. It reports when it fills up and when it
 * has drained to half, so the server can stop and restart reading TCP sockets: the worker only
 * polls when the log keeps up, so a slow log slows the senders instead of growing memory.
 *
 * The bound is soft by at most one socket read per connection: a chunk already read is framed
 * whole, because a syslog frame cannot be put back into the socket.
 */
export class ReceiveQueue {
  private items: Received[] = [];
  private head = 0;
  private waiter: (() => void) | null = null;
  private isFull = false;

  constructor(
    readonly maxSize: number,
    private readonly onFull: () => void,
    private readonly onDrained: () => void,
  ) {}

  get size(): number {
    return this.items.length - this.head;
  }
  get full(): boolean {
    return this.isFull;
  }

  push(item: Received): void {
    this.items.push(item);
    if (!this.isFull && this.size >= this.maxSize) {
      this.isFull = true;
      this.onFull();
    }
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w();
    }
  }

  /** Up to `max` messages, oldest first. */
  take(max: number): Received[] {
    const end = Math.min(this.items.length, this.head + max);
    const out = this.items.slice(this.head, end);
    this.head = end;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (this.isFull && this.size <= this.maxSize / 2) {
      this.isFull = false;
      this.onDrained();
    }
    return out;
  }

  /** Resolves when a message arrives, after `ms`, or when `signal` aborts, whichever comes first. */
  waitForData(ms: number, signal: AbortSignal): Promise<void> {
    if (this.size > 0 || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        if (this.waiter === done) this.waiter = null;
        resolve();
      };
      const t = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.waiter = done;
    });
  }
}
