import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The memory scheme. Every open object gets a {@link SpillBuffer} holding the bytes not uploaded yet;
 * they go out as a multipart part once a buffer reaches `s3.part.size`. One {@link MemoryBudget} per
 * task caps the bytes held in memory by all buffers together: past it, the largest buffers move
 * their bytes to a temporary file (append-only, truncated when the part is uploaded). So a hundred
 * open partitions cost at most the budget plus one part being uploaded, never a hundred parts; and
 * the files keep growing exactly as they would in memory, so rotation and names stay deterministic.
 */
export class MemoryBudget {
  private inMemory = 0;
  private readonly buffers = new Set<SpillBuffer>();
  private dir: Promise<string> | null = null;
  spills = 0;

  constructor(
    readonly maxBytes: number,
    private readonly spillRoot: string,
  ) {}

  get bytesInMemory(): number {
    return this.inMemory;
  }

  /** A new, empty buffer under this budget. */
  buffer(): SpillBuffer {
    const b = new SpillBuffer(this);
    this.buffers.add(b);
    return b;
  }

  /** @internal */ track(delta: number): void {
    this.inMemory += delta;
  }
  /** @internal */ forget(b: SpillBuffer): void {
    this.buffers.delete(b);
  }
  /** @internal */ spillDir(): Promise<string> {
    this.dir ??= mkdtemp(join(this.spillRoot || tmpdir(), 'tributary-s3-spill-'));
    return this.dir;
  }

  /**
   * Spills the largest in-memory buffers until the total is back under the budget. Buffers whose
   * bytes are being uploaded are left alone (they are about to be freed anyway).
   */
  async enforce(): Promise<void> {
    while (this.inMemory > this.maxBytes) {
      let largest: SpillBuffer | null = null;
      for (const b of this.buffers) if (!b.pinned && (!largest || b.memoryBytes > largest.memoryBytes)) largest = b;
      if (!largest || largest.memoryBytes === 0) return;
      await largest.spill();
      this.spills++;
    }
  }

  async dispose(): Promise<void> {
    for (const b of [...this.buffers]) await b.dispose();
    if (this.dir) await rm(await this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}

/**
 * The not-yet-uploaded bytes of one object: memory chunks after an optional spilled prefix.
 *
 * An upload (in the background, while other objects are written) takes the bytes with
 * {@link takeAll}; until it ends with {@link release} or {@link restore} the buffer is pinned and
 * is not spilled, and spills and takes never interleave, so the file always holds a prefix.
 */
export class SpillBuffer {
  private chunks: Buffer[] = [];
  private mem = 0;
  private spilled = 0;
  private file: FileHandle | null = null;
  private path = '';
  private lock: Promise<unknown> = Promise.resolve();
  /** Bytes taken by an upload that has not ended yet. */
  pinned = false;
  private static seq = 0;

  constructor(private readonly budget: MemoryBudget) {}

  get size(): number {
    return this.mem + this.spilled;
  }
  get memoryBytes(): number {
    return this.mem;
  }

  append(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.mem += chunk.length;
    this.budget.track(chunk.length);
  }

  /** Moves the in-memory bytes to this buffer's temporary file (not while an upload holds them). */
  spill(): Promise<void> {
    return this.serially(() => this.spillNow());
  }

  private async spillNow(): Promise<void> {
    if (this.mem === 0 || this.pinned) return;
    if (!this.file) {
      this.path = join(await this.budget.spillDir(), `part-${process.pid}-${SpillBuffer.seq++}`);
      this.file = await open(this.path, 'w+');
    }
    const data = Buffer.concat(this.chunks, this.mem);
    const n = data.length;
    this.chunks = [];
    this.mem = 0;
    this.budget.track(-n);
    await this.file.write(data, 0, n, this.spilled);
    this.spilled += n;
  }

  /**
   * Everything buffered, as one Buffer, and the buffer emptied and pinned. After the upload call
   * {@link release}; on a failed upload give the bytes back with {@link restore} so nothing is lost.
   */
  takeAll(): Promise<Buffer> {
    return this.serially(() => this.takeNow());
  }

  private async takeNow(): Promise<Buffer> {
    this.pinned = true;
    const parts: Buffer[] = [];
    if (this.spilled > 0 && this.file) {
      const head = Buffer.allocUnsafe(this.spilled);
      await this.file.read(head, 0, this.spilled, 0);
      await this.file.truncate(0);
      parts.push(head);
      this.spilled = 0;
    }
    parts.push(...this.chunks);
    this.budget.track(-this.mem);
    const out = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    this.chunks = [];
    this.mem = 0;
    return out;
  }

  /** The upload of the bytes {@link takeAll} returned succeeded. */
  release(): void {
    this.pinned = false;
  }

  /** Puts back bytes {@link takeAll} returned, in front of anything appended since. */
  restore(data: Buffer): void {
    this.chunks.unshift(data);
    this.mem += data.length;
    this.budget.track(data.length);
    this.pinned = false;
  }

  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => {});
    return run;
  }

  async dispose(): Promise<void> {
    this.budget.track(-this.mem);
    this.chunks = [];
    this.mem = 0;
    this.budget.forget(this);
    if (this.file) {
      await this.file.close().catch(() => {});
      await rm(this.path, { force: true });
      this.file = null;
    }
  }
}
