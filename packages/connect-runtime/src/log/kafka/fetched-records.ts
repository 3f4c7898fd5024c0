/**
 * Turns the record batches of one fetched partition into log records: offsets and timestamps made
 * absolute, records before the fetch position skipped (a batch may start earlier), control batches
 * (transaction markers) skipped, and under read_committed the batches of aborted transactions
 * dropped, as the Java consumer does with the fetch response's aborted-transaction list.
 */
import type { fetchV17, RecordsBatch } from '@platformatic/kafka';

type FetchResponsePartition = fetchV17.FetchResponsePartition;
import type { LogHeader, LogRecord } from '../log.js';

const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;

export interface Fetched {
  readonly records: LogRecord[];
  /** Key and value bytes, for bounding the buffer. */
  readonly bytes: number;
  /** The next offset to fetch. */
  readonly next: number;
}

export function decodeFetched(topic: string, partition: number, p: FetchResponsePartition, from: number): Fetched {
  const records: LogRecord[] = [];
  let bytes = 0;
  let next = from;
  const batches: RecordsBatch[] = p.records ?? [];
  // Aborted transactions by producer id, each from its first offset on, until its abort marker.
  const aborted = [...(p.abortedTransactions ?? [])].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1));
  const abortedNow = new Set<bigint>();
  for (const batch of batches) {
    const base = Number(batch.firstOffset);
    const last = base + batch.lastOffsetDelta;
    while (aborted.length > 0 && aborted[0]!.firstOffset <= batch.firstOffset + BigInt(batch.lastOffsetDelta))
      abortedNow.add(aborted.shift()!.producerId);
    if (last >= next) next = last + 1;
    if (batch.attributes & CONTROL) {
      // The abort or commit marker closes the producer's transaction.
      abortedNow.delete(batch.producerId);
      continue;
    }
    if (batch.attributes & TRANSACTIONAL && abortedNow.has(batch.producerId)) continue;
    const firstTs = Number(batch.firstTimestamp);
    for (const r of batch.records) {
      const offset = base + r.offsetDelta;
      if (offset < from) continue;
      let headers: LogHeader[] = [];
      if (r.headers.length > 0) headers = r.headers.map(([k, v]) => ({ key: k ? k.toString('utf8') : '', value: v }));
      records.push({
        topic,
        partition,
        offset,
        timestamp: firstTs + Number(r.timestampDelta),
        key: r.key,
        value: r.value,
        headers,
      });
      bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0) + 64;
    }
  }
  return { records, bytes, next };
}
