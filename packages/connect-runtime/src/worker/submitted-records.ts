import type { SourceOffset, SourcePartition } from '@tributary/connect-api';

interface Pending {
  offset: SourceOffset;
  acked: boolean;
}

interface PartitionQueue {
  partition: SourcePartition;
  items: Pending[];
  head: number;
}

/**
 * Tracks source records from poll to acknowledgement. A partition's offset becomes committable only
 * when every earlier record of that partition was acknowledged (or dropped), as Kafka's
 * `SubmittedRecords`: one slow record holds back its partition's commits, never skips them.
 */
export class SubmittedRecords {
  private readonly queues = new Map<string, PartitionQueue>();
  private outstanding = 0;

  /** Registers a record in poll order; call `ack()` on the returned handle when the log has it. */
  submit(partition: SourcePartition, partitionKey: string, offset: SourceOffset): Pending {
    let q = this.queues.get(partitionKey);
    if (!q) {
      q = { partition, items: [], head: 0 };
      this.queues.set(partitionKey, q);
    }
    const p: Pending = { offset, acked: false };
    q.items.push(p);
    this.outstanding++;
    return p;
  }

  ack(p: Pending): void {
    if (!p.acked) {
      p.acked = true;
      this.outstanding--;
    }
  }

  /** Records submitted and not yet acknowledged. */
  get pending(): number {
    return this.outstanding;
  }

  /** Removes the acknowledged prefix of each partition and returns its last offset. */
  committable(): Array<[SourcePartition, SourceOffset]> {
    const out: Array<[SourcePartition, SourceOffset]> = [];
    for (const [key, q] of this.queues) {
      let last: SourceOffset | null = null;
      while (q.head < q.items.length && q.items[q.head]!.acked) last = q.items[q.head++]!.offset;
      if (q.head === q.items.length) this.queues.delete(key);
      else if (q.head > 1024 && q.head * 2 > q.items.length) {
        q.items = q.items.slice(q.head);
        q.head = 0;
      }
      if (last) out.push([q.partition, last]);
    }
    return out;
  }
}
