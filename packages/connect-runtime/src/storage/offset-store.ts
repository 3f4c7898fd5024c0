import type { SourceOffset, SourcePartition } from '@tributary/connect-api';
import { readJsonFile, writeFileAtomic } from './atomic-file.js';

/**
 * Where source offsets live. Keys are Kafka Connect's offset-topic keys, `["<connector>",{partition}]`
 * serialized as JSON, so that the standalone file and the Kafka topic hold the same keys and values.
 */
export interface OffsetStore {
  start(): Promise<void>;
  get(connector: string, partition: SourcePartition): Promise<SourceOffset | null>;
  /** Writes a set of offsets atomically; a null offset deletes the partition's entry. */
  set(connector: string, entries: ReadonlyArray<[SourcePartition, SourceOffset | null]>): Promise<void>;
  /** Every partition of a connector with its offset. */
  list(connector: string): Promise<Array<{ partition: SourcePartition; offset: SourceOffset }>>;
  stop(): Promise<void>;
}

/** The canonical key: `["conn",{...}]` with the partition's keys sorted, so equal maps match. */
export function offsetKey(connector: string, partition: SourcePartition): string {
  const sorted = Object.fromEntries(Object.entries(partition).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return JSON.stringify([connector, sorted]);
}

interface OffsetFile {
  version: 1;
  offsets: Record<string, SourceOffset>;
}

/**
 * Standalone offsets in one JSON file (`offset.storage.file.filename`), rewritten atomically on each
 * flush. Kafka's standalone file is Java-serialized; ours is JSON with the same keys and values.
 */
export class FileOffsetStore implements OffsetStore {
  private data = new Map<string, SourceOffset>();
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly path: string) {}

  async start(): Promise<void> {
    const file = await readJsonFile<OffsetFile>(this.path, { version: 1, offsets: {} });
    this.data = new Map(Object.entries(file.offsets));
  }

  async get(connector: string, partition: SourcePartition): Promise<SourceOffset | null> {
    return this.data.get(offsetKey(connector, partition)) ?? null;
  }

  async set(connector: string, entries: ReadonlyArray<[SourcePartition, SourceOffset | null]>): Promise<void> {
    for (const [p, o] of entries) {
      const k = offsetKey(connector, p);
      if (o === null) this.data.delete(k);
      else this.data.set(k, o);
    }
    const body: OffsetFile = { version: 1, offsets: Object.fromEntries(this.data) };
    const text = JSON.stringify(body, null, 1);
    // Writes are serialized so an older snapshot never lands after a newer one.
    this.writing = this.writing.then(() => writeFileAtomic(this.path, text));
    await this.writing;
  }

  async list(connector: string): Promise<Array<{ partition: SourcePartition; offset: SourceOffset }>> {
    const out: Array<{ partition: SourcePartition; offset: SourceOffset }> = [];
    for (const [k, offset] of this.data) {
      const [name, partition] = JSON.parse(k) as [string, SourcePartition];
      if (name === connector) out.push({ partition, offset });
    }
    return out;
  }

  async stop(): Promise<void> {
    await this.writing;
  }
}
