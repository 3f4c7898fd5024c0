import type { SinkSettings } from './config.js';

/**
 * Where a topic's records go: the index named by topic.index.map, the data stream
 * `{type}-{dataset}-{namespace}`, or an index named after the topic (Confluent's rules: lower case,
 * at most 255 bytes, no leading `-`, `_` or `+`, and `.`/`..` renamed since ES refuses them).
 */
export function resourceName(
  topic: string,
  s: Pick<SinkSettings, 'topicIndexMap' | 'dataStreamType' | 'dataStreamDataset' | 'dataStreamNamespace'>,
): string {
  const mapped = s.topicIndexMap.get(topic);
  if (mapped !== undefined) return mapped;
  if (s.dataStreamType) {
    const namespace = s.dataStreamNamespace.replaceAll('${topic}', topic.toLowerCase()).slice(0, 100);
    return `${s.dataStreamType}-${s.dataStreamDataset}-${namespace}`;
  }
  return indexNameOf(topic);
}

export function indexNameOf(topic: string): string {
  let name = topic.toLowerCase();
  while (Buffer.byteLength(name) > 255) name = name.slice(0, -1);
  name = name.replace(/^[-_+]/, '');
  if (name === '.') return 'dot';
  if (name === '..') return 'dotdot';
  return name;
}
