import { randomUUID } from 'node:crypto';
import type { Log, LogHeader, LogRecord, ProduceRecord } from '../log/log.js';
import { headerText, viewRecord, type RecordView } from './record-view.js';

/** The header a re-driven record carries: `<dlq topic>/<partition>/<offset>` it came from. */
export const REDRIVEN_HEADER = 'tributary.redriven.from';
const ERROR_PREFIX = '__connect.errors.';

/** Where the re-drives of a DLQ topic are noted, so the console shows them and a second one asks first. */
export function ledgerTopic(dlqTopic: string): string {
  return `${dlqTopic}.redriven`;
}

export interface DlqEntry extends RecordView {
  /** The `__connect.errors.*` headers, decoded, without their prefix (stage, class.name, exception.message, …). */
  error: Record<string, string | null>;
  /** When and where it was re-driven, if it was. */
  redriven: Array<{ at: number; to: string }>;
}

export interface RedriveReport {
  sent: number;
  not_sent: Array<{ partition: number; offset: number; reason: string }>;
  /** Set when records went out but the note of their re-drive could not be written. */
  ledger_error?: string;
}

/** Reads every record of `topic` from its start up to what was there when asked, at most `limit`. */
export async function readTopic(log: Log, topic: string, limit: number, timeoutMs = 10_000): Promise<LogRecord[]> {
  const admin = log.admin();
  if ((await admin.partitionCount(topic)) === null) return [];
  const ends = new Map(
    (await admin.partitionOffsets(topic)).filter((p) => p.high > p.low).map((p) => [p.partition, p.high]),
  );
  if (ends.size === 0) return [];
  const groupId = `tributary-browse-${randomUUID()}`;
  const consumer = log.consumer({
    groupId,
    clientId: groupId,
    topics: [topic],
    autoOffsetReset: 'earliest',
    maxPollRecords: 500,
  });
  const out: LogRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  try {
    await consumer.start();
    const done = new Set<number>();
    while (done.size < ends.size && out.length < limit && Date.now() < deadline) {
      for (const r of await consumer.poll(200)) {
        if (r.offset >= (ends.get(r.partition) ?? 0)) continue;
        if (out.length < limit) out.push(r);
        if (r.offset + 1 >= ends.get(r.partition)!) done.add(r.partition);
      }
    }
  } finally {
    await consumer.close().catch(() => undefined);
    await log
      .admin()
      .deleteGroup(groupId)
      .catch(() => undefined);
  }
  return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

/** The DLQ records with their error headers decoded and their re-drives, at most `limit`. */
export async function browseDlq(
  log: Log,
  dlqTopic: string,
  limit: number,
  valueLimit: number,
): Promise<{ topic: string; records: DlqEntry[] }> {
  const [records, ledger] = await Promise.all([readTopic(log, dlqTopic, limit), readLedger(log, dlqTopic)]);
  return {
    topic: dlqTopic,
    records: records.map((r) => ({
      ...viewRecord(r, valueLimit),
      error: Object.fromEntries(
        r.headers
          .filter((h) => h.key.startsWith(ERROR_PREFIX))
          .map((h) => [h.key.slice(ERROR_PREFIX.length), headerText([h], h.key)]),
      ),
      redriven: ledger.get(`${r.partition}/${r.offset}`) ?? [],
    })),
  };
}

async function readLedger(log: Log, dlqTopic: string): Promise<Map<string, Array<{ at: number; to: string }>>> {
  const out = new Map<string, Array<{ at: number; to: string }>>();
  for (const r of await readTopic(log, ledgerTopic(dlqTopic), 100_000)) {
    const key = r.key ? Buffer.from(r.key).toString('utf8') : '';
    const v = r.value ? (JSON.parse(Buffer.from(r.value).toString('utf8')) as { at: number; to: string }) : null;
    if (!v) continue;
    let list = out.get(key);
    if (!list) out.set(key, (list = []));
    list.push(v);
  }
  return out;
}

export interface RedriveRequest {
  /** `partition/offset` of the DLQ records to send; all of them when absent. */
  records?: Array<{ partition: number; offset: number }>;
  /** Send records that were re-driven before too (the console asks first). */
  force: boolean;
  /** Where records without a `__connect.errors.topic` header go (a sink's only topic). */
  fallbackTopic: string | null;
  /** Send every record here instead of the topic it failed on (e.g. a topic only one connector reads). */
  toTopic?: string;
}

export class AlreadyRedriven extends Error {
  constructor(readonly records: Array<{ partition: number; offset: number }>) {
    super(
      `${records.length} of these records were re-driven before; send again with force=true to re-drive them once more`,
    );
  }
}

/**
 * Sends DLQ records back to the topic they failed on (the `__connect.errors.topic` header), with their
 * key, value and headers less the `__connect.errors.*` ones, plus `tributary.redriven.from`. Sends in
 * small batches, so a failure reports which records went and which did not; notes each one sent in the
 * ledger topic.
 */
export async function redrive(log: Log, dlqTopic: string, req: RedriveRequest, limit: number): Promise<RedriveReport> {
  const [all, ledger] = await Promise.all([readTopic(log, dlqTopic, limit), readLedger(log, dlqTopic)]);
  const wanted = req.records ? new Set(req.records.map((r) => `${r.partition}/${r.offset}`)) : null;
  const chosen = wanted ? all.filter((r) => wanted.has(`${r.partition}/${r.offset}`)) : all;
  const report: RedriveReport = { sent: 0, not_sent: [] };
  if (wanted) {
    const found = new Set(chosen.map((r) => `${r.partition}/${r.offset}`));
    for (const k of wanted) {
      if (!found.has(k)) {
        const [partition, offset] = k.split('/').map(Number) as [number, number];
        report.not_sent.push({ partition, offset, reason: 'no such record in the dead letter queue' });
      }
    }
  }
  const again = chosen.filter((r) => ledger.has(`${r.partition}/${r.offset}`));
  if (again.length > 0 && !req.force)
    throw new AlreadyRedriven(again.map((r) => ({ partition: r.partition, offset: r.offset })));

  const admin = log.admin();
  const exists = new Map<string, boolean>();
  const targetOf = async (r: LogRecord): Promise<string | { reason: string }> => {
    const topic = req.toTopic ?? headerText(r.headers, `${ERROR_PREFIX}topic`) ?? req.fallbackTopic;
    if (!topic)
      return {
        reason:
          'the record has no __connect.errors.topic header (set errors.deadletterqueue.context.headers.enable=true) and the connector has no single topic',
      };
    if (!exists.has(topic)) exists.set(topic, (await admin.partitionCount(topic)) !== null);
    return exists.get(topic) ? topic : { reason: `topic ${topic} does not exist` };
  };
  const producer = log.producer({ clientId: 'tributary-redrive' });
  try {
    const BATCH = 50;
    for (let i = 0; i < chosen.length; i += BATCH) {
      const slice = chosen.slice(i, i + BATCH);
      const out: Array<{ source: LogRecord; record: ProduceRecord }> = [];
      for (const r of slice) {
        const topic = await targetOf(r);
        if (typeof topic !== 'string') {
          report.not_sent.push({ partition: r.partition, offset: r.offset, reason: topic.reason });
          continue;
        }
        const headers: LogHeader[] = [
          ...r.headers.filter((h) => !h.key.startsWith(ERROR_PREFIX) && h.key !== REDRIVEN_HEADER),
          { key: REDRIVEN_HEADER, value: Buffer.from(`${dlqTopic}/${r.partition}/${r.offset}`) },
        ];
        out.push({ source: r, record: { topic, key: r.key, value: r.value, headers } });
      }
      if (out.length === 0) continue;
      let acks;
      try {
        acks = await producer.send(out.map((o) => o.record));
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        for (const o of out) report.not_sent.push({ partition: o.source.partition, offset: o.source.offset, reason });
        continue;
      }
      report.sent += acks.length;
      const at = Date.now();
      try {
        await admin.createTopics([{ topic: ledgerTopic(dlqTopic), partitions: 1 }]);
        await producer.send(
          out.map((o, j) => ({
            topic: ledgerTopic(dlqTopic),
            key: Buffer.from(`${o.source.partition}/${o.source.offset}`),
            value: Buffer.from(
              JSON.stringify({ at, to: `${acks[j]!.topic}/${acks[j]!.partition}/${acks[j]!.offset}` }),
            ),
          })),
        );
      } catch (err) {
        report.ledger_error = `sent, but not noted as re-driven: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
  } finally {
    await producer.close();
  }
  return report;
}
