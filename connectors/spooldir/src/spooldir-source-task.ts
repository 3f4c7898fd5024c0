import { mkdir, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import {
  ConnectError,
  DataError,
  Schemas,
  sleep,
  Struct,
  TimestampType,
  type ConfigDef,
  type Header,
  type ParsedConfig,
  type SourceOffset,
  type SourceRecord,
  type SourceTask,
  type SourceTaskContext,
} from '@tributary/connect-api';
import {
  checkDirectory,
  clearStaleMarkers,
  dateDir,
  headHash,
  listEligible,
  moveInto,
  removeMarker,
  writeMarker,
  type InputFile,
  type ScanOptions,
} from './input-directory.js';
import type { Item, RecordReader } from './record-reader.js';
import { afterLine, isJavaOffset, javaOffsetOf, javaResume, type JavaOffsetUnit } from './java-offsets.js';
import { VERSION } from './config.js';

/** Name, size, mtime and head hash: the identity offsets are keyed by, so a reused name is read anew. */
interface FileIdentity {
  length: number;
  lastModified: number;
  headHash: string;
}

interface OpenFile {
  readonly file: InputFile;
  readonly identity: FileIdentity;
  readonly reader: RecordReader;
  readonly partition: { fileName: string };
  readonly headers: Header[];
  /** The committed offset the file resumed after. */
  readonly startAfter: number;
  lastEmitted: number;
}

type Outcome = { kind: 'finished' } | { kind: 'error'; line: number; reason: string };

/** A file read to its end (or to a bad row) whose records may not all be committed yet. */
interface Closing {
  readonly file: InputFile;
  readonly identity: FileIdentity;
  readonly partition: { fileName: string };
  readonly lastOffset: number;
  readonly outcome: Outcome;
}

/**
 * Reads the files of a spool directory one at a time, in order. Unlike kafka-connect-spooldir, a file
 * is moved (or deleted) only from `commit()`, once the offset store holds the offset of its last
 * record: the runtime calls `commit()` after the log acknowledged the records and the offsets were
 * written, so a crash can never leave a finished file whose rows are not in the log.
 *
 * Offsets: partition `{"fileName": name}`, offset `{"offset": n, length, lastModified, headHash}`.
 * A stored offset applies only to a file with the same identity; another file under that name starts
 * from its first record.
 */
export abstract class SpoolDirSourceTask implements SourceTask {
  protected cfg!: ParsedConfig;
  protected ctx!: SourceTaskContext;
  private scan!: ScanOptions;
  private topic = '';
  private batchSize = 1000;
  private current: OpenFile | null = null;
  private readonly closing = new Map<string, Closing>();
  /** Files left in place (cleanup.policy NONE) that were fully read, by identity. */
  private readonly leftInPlace = new Set<string>();
  private halt: Error | null = null;
  private tolerateBadRows = false;
  private finishing: Promise<void> = Promise.resolve();
  private idleNoted = false;

  version(): string {
    return VERSION;
  }

  protected abstract configDef(): ConfigDef;
  /** What the Java connector's offsets of this format count (see java-offsets.ts). */
  protected readonly javaOffsetUnit: JavaOffsetUnit = 'lines';
  /** Opens a reader positioned after record `startAfter`. */
  protected abstract openReader(file: InputFile, startAfter: number): RecordReader;

  async start(config: Record<string, string>, ctx: SourceTaskContext): Promise<void> {
    this.ctx = ctx;
    this.cfg = this.configDef().parse(config);
    this.topic = this.cfg.string('topic');
    this.batchSize = this.cfg.int('batch.size');
    this.tolerateBadRows = (ctx.connectorConfig['errors.tolerance'] ?? 'none').toLowerCase() === 'all';
    this.scan = {
      inputPath: this.cfg.string('input.path'),
      pattern: new RegExp(`^(?:${this.cfg.string('input.file.pattern')})$`),
      markerExtension: this.cfg.string('processing.file.extension'),
      minimumAgeMs: this.cfg.int('file.minimum.age.ms'),
      sort: this.cfg.list('files.sort.attributes'),
      taskIndex: Number(config['task.index'] ?? ctx.taskId),
      taskCount: Number(config['task.count'] ?? 1),
    };
    await checkDirectory(this.scan.inputPath, 'input.path');
    const removed = await clearStaleMarkers(this.scan);
    if (removed.length > 0)
      ctx.logger.warn(
        `removed stale processing markers of ${removed.join(', ')} (left by a crash or a stop); those files resume after their last committed record`,
      );
  }

  async poll(): Promise<SourceRecord[] | null> {
    if (this.halt) throw this.halt;
    if (!this.current) {
      this.current = await this.openNext();
      if (!this.current) return this.idle();
    }
    const cur = this.current;
    const items = await cur.reader.read(this.batchSize);
    const records: SourceRecord[] = [];
    for (const item of items) {
      if (!item.error) {
        records.push(this.toRecord(cur, item));
        cur.lastEmitted = item.offset;
      } else if (this.tolerateBadRows && !item.fatal) {
        records.push(this.badRowRecord(cur, item)); // the runtime's error handler skips or dead-letters it
        cur.lastEmitted = item.offset;
      } else {
        await this.badFile(cur, item);
        break;
      }
    }
    if (this.current === cur && cur.reader.done) await this.endOfFile(cur, { kind: 'finished' });
    return records.length > 0 ? records : null;
  }

  /**
   * Called after the runtime durably stored the offsets flushed so far: every closing file whose last
   * record is now in the offset store is moved, deleted or sent to error.path.
   */
  async commit(): Promise<void> {
    this.finishing = this.finishing.then(async () => {
      for (const c of [...this.closing.values()]) {
        const stored = await this.ctx.offsetStorageReader.offset(c.partition);
        if (!stored || !sameIdentity(stored, c.identity) || Number(stored.offset) < c.lastOffset) continue;
        this.closing.delete(c.file.name);
        await this.cleanUp(c);
      }
    });
    await this.finishing;
  }

  async stop(): Promise<void> {
    await this.finishing.catch(() => undefined);
    const cur = this.current;
    this.current = null;
    if (cur) {
      await cur.reader.close();
      await removeMarker(cur.file, this.scan.markerExtension).catch(() => undefined);
    }
    // Files whose last records are not committed stay in input.path and resume after a restart.
    for (const c of this.closing.values()) await removeMarker(c.file, this.scan.markerExtension).catch(() => undefined);
    this.closing.clear();
  }

  private async openNext(): Promise<OpenFile | null> {
    await checkDirectory(this.scan.inputPath, 'input.path');
    const { files, tooYoung } = await listEligible(this.scan, new Set(this.closing.keys()));
    for (const file of files) {
      let identity: FileIdentity;
      try {
        identity = { length: file.size, lastModified: file.mtimeMs, headHash: await headHash(file.path) };
      } catch (e) {
        await this.unreadable(file, e as Error);
        continue;
      }
      if (this.leftInPlace.has(identityKey(file.name, identity))) continue;
      const partition = { fileName: file.name };
      const stored = await this.ctx.offsetStorageReader.offset(partition);
      // An offset kafka-connect-spooldir wrote has no identity: it resumes where the Java task would.
      const java = isJavaOffset(stored) ? javaResume(stored, this.javaOffsetUnit) : null;
      const startAfter =
        stored && sameIdentity(stored, identity)
          ? Number(stored.offset) || 0
          : java && 'afterRecord' in java
            ? java.afterRecord
            : 0;
      await writeMarker(file, this.scan.markerExtension, this.ctx.id);
      const opened = this.openReader(file, startAfter);
      const reader = java && 'afterLine' in java ? afterLine(opened, java.afterLine) : opened;
      this.idleNoted = false;
      this.ctx.logger.info(
        `reading ${file.path} (${file.size} bytes)${startAfter > 0 ? ` after record ${startAfter}, its last committed one` : ''}`,
      );
      return { file, identity, reader, partition, headers: fileHeaders(file), startAfter, lastEmitted: startAfter };
    }
    if (!this.idleNoted && tooYoung > 0)
      this.ctx.logger.info(`${tooYoung} matching file(s) are younger than file.minimum.age.ms; waiting`);
    this.idleNoted = true;
    return null;
  }

  /** A file that cannot be opened goes to error.path, like one with a bad row. */
  private async unreadable(file: InputFile, err: Error): Promise<void> {
    const reason = `cannot read the file: ${err.message}`;
    if (this.cfg.bool('halt.on.error')) {
      throw new ConnectError(
        `${file.path}: ${reason}. halt.on.error=true stopped the task: fix its permissions or remove it, then restart the task.`,
        { code: 'SPOOLDIR_UNREADABLE', cause: err },
      );
    }
    this.ctx.logger.error(`${file.path}: ${reason}; moving it to error.path`);
    await this.toErrorPath(file, 0, reason);
  }

  private async badFile(cur: OpenFile, item: Item): Promise<void> {
    const reason = item.error!.message;
    if (this.cfg.bool('halt.on.error')) {
      await cur.reader.close();
      await removeMarker(cur.file, this.scan.markerExtension);
      this.current = null;
      // Rows before the bad one are still delivered: the error is raised at the next poll.
      this.halt = new ConnectError(
        `${cur.file.path} record ${item.offset}, ${reason}. halt.on.error=true stopped the task; the file stays in input.path. ` +
          'Fix or remove the file and restart the task, or set halt.on.error=false (file to error.path) or errors.tolerance=all (row skipped/dead-lettered).',
        { code: 'SPOOLDIR_BAD_ROW', cause: item.error },
      );
      return;
    }
    this.ctx.logger.error(
      `${cur.file.path} record ${item.offset}, ${reason}; the file goes to error.path once the ${cur.lastEmitted - cur.startAfter} record(s) before it are committed`,
    );
    await this.endOfFile(cur, { kind: 'error', line: item.line, reason });
  }

  private async endOfFile(cur: OpenFile, outcome: Outcome): Promise<void> {
    await cur.reader.close();
    this.current = null;
    const c: Closing = {
      file: cur.file,
      identity: cur.identity,
      partition: cur.partition,
      lastOffset: cur.lastEmitted,
      outcome,
    };
    if (cur.lastEmitted <= cur.startAfter) {
      // Nothing of it is in flight: every record is already committed (or there were none).
      this.finishing = this.finishing.then(() => this.cleanUp(c));
      await this.finishing;
    } else {
      this.closing.set(cur.file.name, c);
    }
  }

  private async cleanUp(c: Closing): Promise<void> {
    const { file } = c;
    if (c.outcome.kind === 'error') {
      await this.toErrorPath(file, c.outcome.line, c.outcome.reason, c.lastOffset);
      return;
    }
    const policy = this.cfg.string('cleanup.policy').toUpperCase();
    const records = c.lastOffset;
    if (policy === 'DELETE') await unlink(file.path);
    else if (policy === 'MOVE') await moveInto(file.path, this.cfg.string('finished.path'));
    else if (policy === 'MOVEBYDATE')
      await moveInto(file.path, join(this.cfg.string('finished.path'), dateDir(file.mtimeMs)));
    else this.leftInPlace.add(identityKey(file.name, await currentIdentity(file.path)));
    await removeMarker(file, this.scan.markerExtension);
    this.ctx.logger.info(`finished ${file.name}: ${records} record(s) committed; cleanup.policy ${policy}`);
  }

  private async toErrorPath(file: InputFile, line: number, reason: string, committed = 0): Promise<void> {
    const errorPath = this.cfg.string('error.path');
    await mkdir(errorPath, { recursive: true });
    const moved = await moveInto(file.path, errorPath);
    const sidecar = `${moved}.error.txt`;
    await writeFile(
      sidecar,
      [
        `file: ${file.path}`,
        `line: ${line}`,
        `reason: ${reason}`,
        `records delivered before it: ${committed}`,
        `at: ${new Date().toISOString()}`,
        '',
      ].join('\n'),
    );
    await removeMarker(file, this.scan.markerExtension);
  }

  private toRecord(cur: OpenFile, item: Item): SourceRecord {
    const value = item.value;
    return {
      topic: this.topic,
      sourcePartition: cur.partition,
      sourceOffset: offsetOf(item.offset, cur.identity, javaOffsetOf(item, this.javaOffsetUnit)),
      keySchema: item.key instanceof Struct ? item.key.schema : null,
      key: item.key ?? null,
      valueSchema: value instanceof Struct ? value.schema : Schemas.STRING,
      value,
      timestamp: this.timestampOf(cur, value),
      headers: [...cur.headers, { key: 'file.offset', schema: Schemas.INT64, value: item.offset }],
    };
  }

  private timestampOf(cur: OpenFile, value: unknown): number | null {
    const mode = this.cfg.string('timestamp.mode');
    if (mode === 'FILE_TIME') return cur.file.mtimeMs;
    if (mode === 'FIELD' && value instanceof Struct) {
      const t = value.get(this.cfg.string('timestamp.field'));
      return t instanceof Date ? t.getTime() : null;
    }
    return null;
  }

  /**
   * The bad row as an errant record: the runtime's error handler skips it (writing the row to the
   * dead-letter queue when one is set) and its offset still advances (errors.tolerance=all).
   */
  private badRowRecord(cur: OpenFile, item: Item): SourceRecord {
    const error = new DataError(`${cur.file.path} ${item.error!.message}`, { cause: item.error });
    this.ctx.logger.warn(
      `${error.message}; errors.tolerance=all: skipping the row (dead-lettered when a DLQ topic is set)`,
    );
    return {
      topic: this.topic,
      sourcePartition: cur.partition,
      sourceOffset: offsetOf(item.offset, cur.identity, javaOffsetOf(item, this.javaOffsetUnit)),
      key: null,
      value: null,
      errant: { error, raw: item.raw ?? null },
      headers: [...cur.headers, { key: 'file.offset', schema: Schemas.INT64, value: item.offset }],
    };
  }

  private async idle(): Promise<null> {
    await sleep(this.cfg.int('empty.poll.wait.ms'), this.ctx.signal);
    return null;
  }
}

/** `javaOffset`: what kafka-connect-spooldir would store here, for a handback to it (see the README). */
function offsetOf(offset: number, id: FileIdentity, javaOffset: number): SourceOffset {
  return { offset, length: id.length, lastModified: id.lastModified, headHash: id.headHash, javaOffset };
}

function sameIdentity(stored: SourceOffset, id: FileIdentity): boolean {
  return stored.length === id.length && stored.lastModified === id.lastModified && stored.headHash === id.headHash;
}

/** The identity of the file as it is now: one that grew while it was read is no longer the one it was opened as. */
async function currentIdentity(path: string): Promise<FileIdentity> {
  const st = await stat(path);
  return { length: st.size, lastModified: Math.floor(st.mtimeMs), headHash: await headHash(path) };
}

function identityKey(name: string, id: FileIdentity): string {
  return `${name}|${id.length}|${id.lastModified}|${id.headHash}`;
}

/** The headers kafka-connect-spooldir puts on every record, built once per file. */
function fileHeaders(file: InputFile): Header[] {
  const ext = extname(file.name);
  return [
    { key: 'file.name', schema: Schemas.STRING, value: file.name },
    {
      key: 'file.name.without.extension',
      schema: Schemas.STRING,
      value: ext ? file.name.slice(0, -ext.length) : file.name,
    },
    { key: 'file.path', schema: Schemas.STRING, value: file.path },
    { key: 'file.parent.dir.name', schema: Schemas.STRING, value: basename(dirname(file.path)) },
    { key: 'file.length', schema: Schemas.INT64, value: file.size },
    { key: 'file.last.modified', schema: TimestampType.SCHEMA, value: new Date(file.mtimeMs) },
  ];
}
