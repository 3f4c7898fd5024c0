/**
 * Committed offsets of consumer groups: one file per group, `<dir>/groups/<group>.json`, replaced
 * atomically (temp file, fsync, rename) on every commit. Persisted and versioned:
 *
 *   { "version": 1, "groupId": "g", "offsets": [{ "topic": "t", "partition": 0, "offset": 42 }] }
 *
 * `offset` is the next offset to read, as in Kafka. Offsets are sorted by topic then partition.
 */
import { createHash } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConnectError } from '@tributary/connect-api';
import type { TopicPartitionRef } from '../log.js';
import { readJsonIfExists, writeFileAtomic } from './fs-util.js';
import { compareTp, tpKey } from './topic-partition.js';

export type CommittedOffset = TopicPartitionRef & { offset: number };

export interface GroupFileV1 {
  readonly version: 1;
  readonly groupId: string;
  readonly offsets: CommittedOffset[];
}

/** A file name for any group id: URI-encoded, hashed when too long for a file system. */
export function groupFileName(groupId: string): string {
  const encoded = encodeURIComponent(groupId);
  if (encoded.length <= 200) return `${encoded}.json`;
  const hash = createHash('sha256').update(groupId).digest('hex').slice(0, 16);
  return `${encoded.slice(0, 150)}-${hash}.json`;
}

export function serializeGroupFile(groupId: string, offsets: Iterable<CommittedOffset>): string {
  const file: GroupFileV1 = {
    version: 1,
    groupId,
    offsets: [...offsets].map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset })).sort(compareTp),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

export class GroupStore {
  private readonly dir: string;
  private readonly readOnly: boolean;
  /** Write mode caches each group's offsets (this process is the only writer). */
  private readonly cache = new Map<string, Map<string, CommittedOffset>>();
  private readonly writes = new Map<string, Promise<void>>();

  private constructor(dir: string, readOnly: boolean) {
    this.dir = dir;
    this.readOnly = readOnly;
  }

  static async open(dataDir: string, readOnly: boolean): Promise<GroupStore> {
    const dir = join(dataDir, 'groups');
    if (!readOnly) await mkdir(dir, { recursive: true });
    return new GroupStore(dir, readOnly);
  }

  /** The group's committed offsets, sorted. */
  async offsets(groupId: string): Promise<CommittedOffset[]> {
    return [...(await this.load(groupId)).values()].sort(compareTp);
  }

  /** The committed offset of one partition, or undefined. */
  async committed(groupId: string, topic: string, partition: number): Promise<number | undefined> {
    return (await this.load(groupId)).get(tpKey(topic, partition))?.offset;
  }

  /** Merges `offsets` into the group's committed offsets and persists them before resolving. */
  commit(groupId: string, offsets: readonly CommittedOffset[]): Promise<void> {
    for (const o of offsets) {
      if (!Number.isSafeInteger(o.offset) || o.offset < 0) {
        throw new ConnectError(`invalid offset ${o.offset} for ${o.topic}-${o.partition}`, { code: 'INVALID_OFFSET' });
      }
    }
    return this.serialized(groupId, async () => {
      const current = await this.load(groupId);
      const next = new Map(current);
      for (const o of offsets) {
        next.set(tpKey(o.topic, o.partition), { topic: o.topic, partition: o.partition, offset: o.offset });
      }
      await writeFileAtomic(this.path(groupId), serializeGroupFile(groupId, next.values()));
      this.cache.set(groupId, next);
    });
  }

  delete(groupId: string): Promise<void> {
    return this.serialized(groupId, async () => {
      await rm(this.path(groupId), { force: true });
      this.cache.delete(groupId);
    });
  }

  /** Resolves once pending writes are done. */
  async close(): Promise<void> {
    await Promise.allSettled(this.writes.values());
  }

  private path(groupId: string): string {
    return join(this.dir, groupFileName(groupId));
  }

  private serialized(groupId: string, op: () => Promise<void>): Promise<void> {
    if (this.readOnly) {
      return Promise.reject(new ConnectError('the embedded log is open read-only', { code: 'LOG_READ_ONLY' }));
    }
    const prev = this.writes.get(groupId) ?? Promise.resolve();
    const next = prev.then(op);
    const settle = (): void => {
      if (this.writes.get(groupId) === tracked) this.writes.delete(groupId);
    };
    const tracked: Promise<void> = next.then(settle, settle);
    this.writes.set(groupId, tracked);
    return next;
  }

  private async load(groupId: string): Promise<Map<string, CommittedOffset>> {
    const cached = this.cache.get(groupId);
    if (cached) return cached;
    const raw = (await readJsonIfExists(this.path(groupId))) as Partial<GroupFileV1> | undefined;
    const loadedMeanwhile = this.cache.get(groupId);
    if (loadedMeanwhile) return loadedMeanwhile;
    const map = new Map<string, CommittedOffset>();
    if (raw !== undefined) {
      if (raw.version !== 1 || !Array.isArray(raw.offsets)) {
        throw new ConnectError(`unreadable offsets file of group '${groupId}' (expected version 1)`, {
          code: 'LOG_CORRUPT',
        });
      }
      for (const o of raw.offsets) map.set(tpKey(o.topic, o.partition), o);
    }
    if (!this.readOnly) this.cache.set(groupId, map);
    return map;
  }
}
