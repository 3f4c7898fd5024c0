import type { TopicPartitionRef } from '../log.js';

export interface MemberSubscription {
  readonly memberId: string;
  readonly topics: readonly string[];
}

/**
 * Kafka's RangeAssignor: for each topic, the members subscribed to it (in the order given) get
 * contiguous ranges of its partitions; when they do not divide evenly the first members get one
 * more. Deterministic, so every member computes the same answer.
 */
export function assignRange(
  members: readonly MemberSubscription[],
  partitionCounts: ReadonlyMap<string, number>,
): Map<string, TopicPartitionRef[]> {
  const result = new Map<string, TopicPartitionRef[]>(members.map((m) => [m.memberId, []]));
  const topics = new Set(members.flatMap((m) => m.topics));
  for (const topic of [...topics].sort()) {
    const count = partitionCounts.get(topic) ?? 0;
    const subscribers = members.filter((m) => m.topics.includes(topic));
    if (count === 0 || subscribers.length === 0) continue;
    const per = Math.floor(count / subscribers.length);
    const extra = count % subscribers.length;
    let next = 0;
    subscribers.forEach((m, i) => {
      const n = per + (i < extra ? 1 : 0);
      const list = result.get(m.memberId)!;
      for (let p = next; p < next + n; p++) list.push({ topic, partition: p });
      next += n;
    });
  }
  return result;
}
