import type { TopicPartitionRef } from '../log.js';

/** A map key for a topic-partition (topic names cannot contain ':'). */
export function tpKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

/** Orders by topic, then partition. */
export function compareTp(a: TopicPartitionRef, b: TopicPartitionRef): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

export function tpList(tps: Iterable<TopicPartitionRef>): TopicPartitionRef[] {
  return [...tps].map((tp) => ({ topic: tp.topic, partition: tp.partition })).sort(compareTp);
}
