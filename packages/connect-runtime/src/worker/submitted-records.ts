import type { SourceOffset, SourcePartition } from '@tributary/connect-api';

/** One polled record on its way to the log. */
export interface Pending {
  readonly offset: SourceOffset;
  acked: boolean;
  readonly queue: PartitionQueue;
}

interface PartitionQueue {
  readonly partition: SourcePartition;
  items: Pending[];
  head: number;
  /** The offset of the longest fully acknowledged prefix, not yet handed out by `committable()`. */
  ready: SourceOffset | null;
}

/**
 * Tracks source records from poll to acknowledgement. A partition's offset becomes committable only
 * when every earlier record of that partition was acknowledged (or dropped), as Kafka's
 * `SubmittedRecords`: one slow record holds back its partition's commits, never skips them.
 * Acknowledged prefixes are folded away as acks arrive, so memory holds only records in flight.
 */
export class SubmittedRecords {
  private readonly queues = new Map<string, PartitionQueue>();
  private outstanding = 0;

  /** Registers a record in poll order; call `ack()` with the handle when the log has it. */
  submit(partition: SourcePartition, partitionKey: string, offset: SourceOffset): Pending {
    let q = this.queues.get(partitionKey);
    if (!q) {
      q = { partition, items: [], head: 0, ready: null };
      this.queues.set(partitionKey, q);
    }
    const p: Pending = { offset, acked: false, queue: q };
    q.items.push(p);
    this.outstanding++;
    return p;
  }

  ack(p: Pending): void {
    if (p.acked) return;
    p.acked = true;
    this.outstanding--;
    const q = p.queue;
    while (q.head < q.items.length && q.items[q.head]!.acked) q.ready = q.items[q.head++]!.offset;
    if (q.head === q.items.length) {
      q.items = [];
      q.head = 0;
    } else if (q.head > 1024 && q.head * 2 > q.items.length) {
      q.items = q.items.slice(q.head);
      q.head = 0;
    }
  }

  /** Records submitted and not yet acknowledged. */
  get pending(): number {
    return this.outstanding;
  }

  /** The newest committable offset of each partition that advanced since the last call. */
  committable(): Array<[SourcePartition, SourceOffset]> {
    const out: Array<[SourcePartition, SourceOffset]> = [];
    for (const [key, q] of this.queues) {
      if (q.ready) out.push([q.partition, q.ready]);
      q.ready = null;
      if (q.items.length === 0) this.queues.delete(key);
    }
    return out;
  }
}
