/** How objects are named: exactly Confluent's `topics/<topic>/<encoded partition>/<topic>+<p>+<start>.<ext>`. */
export interface NamingOptions {
  topicsDir: string;
  directoryDelim: string;
  fileDelim: string;
  zeroPadWidth: number;
  extension: string;
}

export function objectKey(
  o: NamingOptions,
  topic: string,
  encodedPartition: string,
  kafkaPartition: number,
  startOffset: number,
): string {
  const name = `${topic}${o.fileDelim}${kafkaPartition}${o.fileDelim}${String(startOffset).padStart(o.zeroPadWidth, '0')}${o.extension}`;
  const dirs = [topic, encodedPartition, name].join(o.directoryDelim);
  return o.topicsDir === '' ? dirs : `${o.topicsDir}${o.directoryDelim}${dirs}`;
}
