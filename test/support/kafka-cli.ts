/**
 * The Java side of the test broker (test/services/kafka.sh): the addresses and credentials it prints
 * with `kafka.sh info`, worker settings for its SASL_SSL listener, and Kafka's own CLI classes run
 * from its jars (console producer and consumer, DumpLogSegments) to compare with a real Java client.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from './worker-process.js';

const SCRIPT = join(ROOT, 'test/services/kafka.sh');

/** The `key=value` lines of `kafka.sh info`. */
export interface KafkaInfo {
  readonly bootstrap: string;
  readonly sasl_ssl: string;
  readonly sasl_mechanism: string;
  readonly sasl_username: string;
  readonly sasl_password: string;
  /** The CA certificate (PEM) that signed the broker's certificate. */
  readonly ca: string;
  readonly log_dirs: string;
}

export function kafkaInfo(): KafkaInfo {
  const out = execFileSync('bash', [SCRIPT, 'info'], { encoding: 'utf8' });
  const info: Record<string, string> = {};
  for (const l of out.split('\n')) {
    const eq = l.indexOf('=');
    if (eq > 0) info[l.slice(0, eq)] = l.slice(eq + 1);
  }
  for (const k of ['bootstrap', 'sasl_ssl', 'sasl_mechanism', 'sasl_username', 'sasl_password', 'ca', 'log_dirs']) {
    if (!info[k]) throw new Error(`kafka.sh info printed no ${k}=: ${out}`);
  }
  return info as unknown as KafkaInfo;
}

/** Kafka Connect worker keys for the SASL_SSL listener (SCRAM, PEM truststore); overrides win. */
export function saslSslSettings(
  info: KafkaInfo,
  overrides: { password?: string; ca?: string } = {},
): Record<string, string> {
  const password = overrides.password ?? info.sasl_password;
  return {
    'bootstrap.servers': info.sasl_ssl,
    'security.protocol': 'SASL_SSL',
    'sasl.mechanism': info.sasl_mechanism,
    'sasl.jaas.config': `org.apache.kafka.common.security.scram.ScramLoginModule required username="${info.sasl_username}" password="${password}";`,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': overrides.ca ?? info.ca,
  };
}

/**
 * Runs one of Kafka's classes (`kafka.sh run-class CLASS ARGS...`), `input` on its stdin. Resolves
 * with its stdout; rejects with its stderr when it exits non-zero or outlives `timeoutMs`.
 */
export function kafkaTool(args: readonly string[], input = '', timeoutMs = 180_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [SCRIPT, 'run-class', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${args[0]} exited with ${code ?? signal}: ${stderr.slice(-2000)}`));
    });
    child.stdin.end(input);
  });
}

/** The compression codec of every record batch in a topic's partition, from the broker's own files. */
export async function batchCodecs(info: KafkaInfo, topic: string, partition = 0): Promise<string[]> {
  const dir = join(info.log_dirs, `${topic}-${partition}`);
  const files = (await readdir(dir)).filter((f) => f.endsWith('.log')).map((f) => join(dir, f));
  const out = await kafkaTool(['kafka.tools.DumpLogSegments', '--files', files.join(',')]);
  return [...out.matchAll(/compresscodec: (\w+)/g)].map((m) => m[1]!.toLowerCase());
}
