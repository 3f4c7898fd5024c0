import type { SourceOffset } from '@tributary/connect-api';
import type { Item, RecordReader } from './record-reader.js';

/**
 * What kafka-connect-spooldir's `{"offset": n}` counts (AbstractSourceTask.offset() → recordOffset()):
 * `lines` for CSV (OpenCSV's getLinesRead: physical lines read through the record, header and
 * `csv.skip.lines` included) and line-delimited files (LineNumberReader's line number); `records` for the
 * JSON tasks, whose counter is the 0-based index of the record.
 */
export type JavaOffsetUnit = 'lines' | 'records';

/** Where a task resumes in a file after an offset the Java connector wrote. */
export type JavaResume = { readonly afterLine: number } | { readonly afterRecord: number };

/**
 * True for an offset kafka-connect-spooldir wrote (or one PATCHed in its format): a number under `offset`
 * and none of the file identity our task writes beside it.
 */
export function isJavaOffset(stored: SourceOffset | null | undefined): stored is SourceOffset {
  return !!stored && typeof stored.offset === 'number' && stored.headHash === undefined;
}

/**
 * The resume point a Java offset gives. The Java CSV task skips rows until OpenCSV has read `offset` lines
 * and drops the row it read last, so it goes on with the record after line `offset`; the JSON task stored the
 * 0-based index of its last record, which is our record number minus one.
 */
export function javaResume(stored: SourceOffset, unit: JavaOffsetUnit): JavaResume {
  const n = Math.max(0, Math.trunc(Number(stored.offset)));
  return unit === 'lines' ? { afterLine: n } : { afterRecord: n + 1 };
}

/**
 * The `offset` the Java connector needs to resume after our record `item` (the handback direction): the
 * line it ends on for CSV and lines, our record number for JSON (Java skips that many records).
 */
export function javaOffsetOf(item: Pick<Item, 'offset' | 'line'>, unit: JavaOffsetUnit): number {
  return unit === 'lines' ? item.line : item.offset;
}

/** A reader that passes over the records ending on or before `line` (they were emitted by the Java task). */
export function afterLine(reader: RecordReader, line: number): RecordReader {
  return {
    async read(max: number): Promise<Item[]> {
      const items = await reader.read(max);
      // A fatal item has no line (0): it is kept, so a file that cannot be read is still reported.
      return items.filter((i) => i.line > line || (i.fatal === true && i.line === 0));
    },
    get done() {
      return reader.done;
    },
    close: () => reader.close(),
  };
}
