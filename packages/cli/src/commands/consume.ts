import { resolve } from 'node:path';
import type { Command } from 'commander';
import { openEmbeddedLog, openLog, readConfigFile, WorkerConfig, type Log } from '@tributary/connect-runtime';
import { writeOut } from '../closed-pipe.js';

interface ConsumeOpts {
  fromBeginning?: boolean;
  maxMessages?: string;
  printKey?: boolean;
  timeoutMs?: string;
  bootstrapServer?: string;
  logDir?: string;
  consumerConfig?: string;
  isolationLevel: string;
}

type Logger = Parameters<typeof openLog>[1];

const text = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('utf8'));

/** Warnings and errors of the Kafka client as plain lines on stderr: stdout carries only records. */
function stderrLogger(): Logger {
  const write = (level: string) => (obj: unknown, msg?: string) => {
    const m = typeof obj === 'string' ? obj : (msg ?? '');
    process.stderr.write(`[${level}] ${m}\n`);
  };
  const noop = () => {};
  const logger = {
    error: write('error'),
    fatal: write('error'),
    warn: write('warn'),
    info: noop,
    debug: noop,
    trace: noop,
    level: 'warn',
    child: () => logger,
  };
  return logger as unknown as Logger;
}

/**
 * Kafka is read without a consumer group (every partition, nothing committed), so it leaves nothing
 * behind and never disturbs a connector's group. `--consumer.config` takes Kafka client settings
 * (security, …) from a properties or JSON file, as Kafka's console consumer does.
 */
async function openSource(o: ConsumeOpts): Promise<Log> {
  if (o.bootstrapServer) {
    const extra = o.consumerConfig ? await readConfigFile(resolve(o.consumerConfig)) : {};
    return openLog(
      new WorkerConfig({ 'client.id': 'tributary-consume', ...extra, 'bootstrap.servers': o.bootstrapServer }),
      stderrLogger(),
    );
  }
  return openEmbeddedLog({ dir: resolve(o.logDir!), readOnly: true });
}

/** `tributary consume TOPIC`: prints records as JSON lines; never commits, never writes. */
export function registerConsumeCommand(program: Command): void {
  program
    .command('consume <topic>')
    .description('print the records of a topic as JSON lines (read-only)')
    .option('--from-beginning', 'start at the earliest record instead of the end')
    .option('--max-messages <n>', 'exit after this many records')
    .option('--print-key', 'include the key (always included with --json-style output)')
    .option('--timeout-ms <n>', 'exit after this many ms without a new record')
    .option('--bootstrap-server <hosts>', 'read from Kafka')
    .option('--log-dir <dir>', 'read from an embedded log directory (works while a worker writes to it)')
    .option(
      '--consumer.config <file>',
      'Kafka client settings (security.protocol, sasl.*, ssl.*, …) as a .properties or JSON file',
    )
    .option(
      '--isolation-level <level>',
      "read_uncommitted (default, as Kafka's console consumer) or read_committed (only committed transactions)",
      'read_uncommitted',
    )
    .action(async (topic: string, o: ConsumeOpts) => {
      if (!o.logDir && !o.bootstrapServer) throw new Error('give --log-dir <dir> or --bootstrap-server <hosts>');
      const log = await openSource(o);
      const max = o.maxMessages ? Number(o.maxMessages) : Infinity;
      const idle = o.timeoutMs ? Number(o.timeoutMs) : Infinity;
      if (!['read_uncommitted', 'read_committed'].includes(o.isolationLevel))
        throw new Error(`--isolation-level: ${o.isolationLevel} is not read_uncommitted or read_committed`);
      const consumer = log.consumer({
        topics: [topic],
        autoOffsetReset: o.fromBeginning ? 'earliest' : 'latest',
        overrides: { 'isolation.level': o.isolationLevel },
      });
      await consumer.start();
      let count = 0;
      let lastRecordAt = Date.now();
      while (count < max && Date.now() - lastRecordAt < idle) {
        const batch = await consumer.poll(Math.min(500, idle === Infinity ? 500 : idle));
        if (batch.length > 0) lastRecordAt = Date.now();
        for (const r of batch) {
          const out: Record<string, unknown> = {};
          if (o.printKey) out.key = text(r.key);
          out.value = text(r.value);
          out.headers = Object.fromEntries(r.headers.map((h) => [h.key, text(h.value)]));
          out.partition = r.partition;
          out.offset = r.offset;
          out.timestamp = r.timestamp;
          await writeOut(`${JSON.stringify(out)}\n`);
          if (++count >= max) break;
        }
      }
      await consumer.close();
      await log.close();
      process.stderr.write(`Processed a total of ${count} messages\n`);
    });
}
