/**
 * Compressed topics on the real broker (test/services kafka), for each of gzip, snappy, lz4 and zstd:
 * records Kafka's own console producer compressed are read through the runtime's Log, and records
 * the Log's producer compressed (worker setting producer.compression.type) are read back by Kafka's
 * console consumer. Kafka's DumpLogSegments shows that the batches on disk carry the codec.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, openLog, WorkerConfig, type Log, type LogRecord } from '@tributary/connect-runtime';
import { batchCodecs, kafkaInfo, kafkaTool, type KafkaInfo } from '../support/kafka-cli.js';
import { ensureService } from '../support/services.js';

const CODECS = ['gzip', 'snappy', 'lz4', 'zstd'] as const;
const RECORDS = 2_000;
const run = `${Date.now().toString(36)}-${process.pid}`;
const logger = createLogger('e2e-compression');
logger.level = process.env.TRIBUTARY_LOG_LEVEL ?? 'warn';
const text = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('utf8'));

/** Record `i` of a topic: key, a compressible value and two headers (no tabs, commas or colons). */
const expected = (i: number, src: string) => ({
  key: `k-${i}`,
  value: `value-${String(i).padStart(6, '0')} ${'abcdefgh'.repeat(1 + (i % 16))}`,
  headers: [
    ['n', String(i)],
    ['src', src],
  ] as const,
});

/** Opens the log a worker with these settings would use. */
async function workerLog(info: KafkaInfo, extra: Record<string, string> = {}): Promise<Log> {
  return openLog(
    new WorkerConfig({ 'bootstrap.servers': info.bootstrap, 'client.id': `e2e-compression-${run}`, ...extra }),
    logger,
  );
}

/** Reads `n` records of a topic from the beginning with a fresh group, failing after 60 s. */
async function readAll(log: Log, topic: string, n: number): Promise<LogRecord[]> {
  const consumer = log.consumer({ groupId: `${topic}-reader`, topics: [topic], autoOffsetReset: 'earliest' });
  try {
    await consumer.start();
    const out: LogRecord[] = [];
    const deadline = Date.now() + 60_000;
    while (out.length < n && Date.now() < deadline) out.push(...(await consumer.poll(1_000)));
    return out;
  } finally {
    await consumer.close();
  }
}

describe(
  "compressed topics: Kafka's console producer and consumer against the runtime's Log",
  { timeout: 20 * 60_000 },
  () => {
    let info: KafkaInfo;
    let log: Log;
    before(async () => {
      ensureService('kafka');
      info = kafkaInfo();
      log = await workerLog(info);
    });
    after(async () => {
      await log?.close();
    });

    for (const codec of CODECS) {
      it(`${codec}: reads, in order, what Kafka's console producer compressed`, async () => {
        const topic = `e2e-compress-java-${codec}-${run}`;
        await log.admin().createTopics([{ topic, partitions: 1, replicationFactor: 1 }]);
        const lines: string[] = [];
        for (let i = 0; i < RECORDS; i++) {
          const r = expected(i, 'java');
          lines.push(`${r.headers.map(([k, v]) => `${k}:${v}`).join(',')}\t${r.key}\t${r.value}`);
        }
        await kafkaTool(
          [
            'kafka.tools.ConsoleProducer',
            '--bootstrap-server',
            info.bootstrap,
            '--topic',
            topic,
            '--compression-codec',
            codec,
            '--property',
            'parse.key=true',
            '--property',
            'parse.headers=true',
          ],
          lines.join('\n') + '\n',
        );
        const codecs = new Set(await batchCodecs(info, topic));
        assert.deepEqual([...codecs], [codec], `the console producer wrote ${codec} batches`);

        const got = await readAll(log, topic, RECORDS);
        assert.equal(got.length, RECORDS, `all ${RECORDS} records read`);
        got.forEach((rec, i) => {
          const want = expected(i, 'java');
          assert.equal(rec.offset, i, `record ${i} in offset order`);
          assert.equal(text(rec.key), want.key, `key of record ${i}`);
          assert.equal(text(rec.value), want.value, `value of record ${i}`);
          assert.deepEqual(
            rec.headers.map((h) => [h.key, text(h.value)]),
            want.headers.map(([k, v]) => [k, v]),
            `headers of record ${i}`,
          );
        });
      });

      it(`${codec}: producer.compression.type=${codec} writes batches Kafka's console consumer reads`, async () => {
        const topic = `e2e-compress-ours-${codec}-${run}`;
        const ours = await workerLog(info, { 'producer.compression.type': codec });
        try {
          await ours.admin().createTopics([{ topic, partitions: 1, replicationFactor: 1 }]);
          const producer = ours.producer({ clientId: `e2e-compression-${codec}` });
          try {
            const enc = (s: string) => Buffer.from(s, 'utf8');
            for (let from = 0; from < RECORDS; from += 500) {
              const batch = [];
              for (let i = from; i < Math.min(RECORDS, from + 500); i++) {
                const r = expected(i, 'tributary');
                batch.push({
                  topic,
                  partition: 0,
                  key: enc(r.key),
                  value: enc(r.value),
                  headers: r.headers.map(([key, v]) => ({ key, value: enc(v) })),
                });
              }
              await producer.send(batch);
            }
          } finally {
            await producer.close();
          }
        } finally {
          await ours.close();
        }
        const codecs = new Set(await batchCodecs(info, topic));
        assert.deepEqual([...codecs], [codec], `the Log's producer wrote ${codec} batches`);

        const out = await kafkaTool([
          'org.apache.kafka.tools.consumer.ConsoleConsumer',
          '--bootstrap-server',
          info.bootstrap,
          '--topic',
          topic,
          '--from-beginning',
          '--max-messages',
          String(RECORDS),
          '--timeout-ms',
          '60000',
          '--group',
          `${topic}-java`,
          '--property',
          'print.key=true',
          '--property',
          'print.headers=true',
        ]);
        const lines = out.split('\n').filter((l) => l !== '');
        assert.equal(lines.length, RECORDS, `Kafka's console consumer read all ${RECORDS} records`);
        lines.forEach((l, i) => {
          const want = expected(i, 'tributary');
          assert.equal(
            l,
            `${want.headers.map(([k, v]) => `${k}:${v}`).join(',')}\t${want.key}\t${want.value}`,
            `record ${i}`,
          );
        });
      });
    }
  },
);
