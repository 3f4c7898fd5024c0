import type { SourceOffset, SourcePartition } from '@tributary/connect-api';
import type { Logger } from '../logging.js';
import type { Log, ProduceRecord, Producer } from '../log/log.js';
import { offsetKey, type OffsetStore } from '../storage/offset-store.js';
import { jsonBytes, jsonValue, keyText, textBytes, TopicReader } from './topic-reader.js';

/**
 * Source offsets in the offsets topic, as Kafka Connect writes them: key `["<connector>",{partition}]`,
 * value the offset map (null deletes), partitioned by key hash. Every worker reads the whole topic, so
 * a task that moves to another worker resumes from the last flushed offset.
 */
export class OffsetTopic implements OffsetStore {
  private readonly data = new Map<string, SourceOffset>();
  private readonly reader: TopicReader;
  private producer: Producer | null = null;

  constructor(
    private readonly log: Log,
    readonly topic: string,
    logger: Logger,
  ) {
    this.reader = new TopicReader(
      log,
      topic,
      (r) => {
        const k = normalizeKey(keyText(r));
        const v = jsonValue(r) as SourceOffset | null;
        if (v === null) this.data.delete(k);
        else this.data.set(k, v);
      },
      logger,
    );
  }

  async start(): Promise<void> {
    this.producer = this.log.producer();
    await this.reader.start();
  }

  async get(connector: string, partition: SourcePartition): Promise<SourceOffset | null> {
    return this.data.get(offsetKey(connector, partition)) ?? null;
  }

  async set(connector: string, entries: ReadonlyArray<[SourcePartition, SourceOffset | null]>): Promise<void> {
    await this.producer!.send(this.offsetRecords(connector, entries));
    this.remember(connector, entries);
  }

  /** The records that store these offsets (for a transaction that carries them with the data). */
  offsetRecords(connector: string, entries: ReadonlyArray<[SourcePartition, SourceOffset | null]>): ProduceRecord[] {
    return entries.map(([p, o]) => ({
      topic: this.topic,
      key: textBytes(offsetKey(connector, p)),
      value: jsonBytes(o),
    }));
  }

  /** Takes offsets written elsewhere (a committed transaction) into this worker's view at once. */
  remember(connector: string, entries: ReadonlyArray<[SourcePartition, SourceOffset | null]>): void {
    for (const [p, o] of entries) {
      if (o === null) this.data.delete(offsetKey(connector, p));
      else this.data.set(offsetKey(connector, p), o);
    }
  }

  async list(connector: string): Promise<Array<{ partition: SourcePartition; offset: SourceOffset }>> {
    const out: Array<{ partition: SourcePartition; offset: SourceOffset }> = [];
    for (const [k, offset] of this.data) {
      const [name, partition] = JSON.parse(k) as [string, SourcePartition];
      if (name === connector) out.push({ partition, offset });
    }
    return out;
  }

  /** Makes offsets written by other workers visible (called before a task starts here). */
  refresh(): Promise<void> {
    return this.reader.readToEnd();
  }

  async stop(): Promise<void> {
    await this.reader.stop();
    await this.producer?.close();
  }
}

/** Keys written by other implementations may order partition keys differently; compare them sorted. */
function normalizeKey(text: string): string {
  try {
    const [name, partition] = JSON.parse(text) as [string, SourcePartition];
    return offsetKey(name, partition);
  } catch {
    return text;
  }
}
