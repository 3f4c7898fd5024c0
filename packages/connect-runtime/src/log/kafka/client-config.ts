/**
 * Translates a worker's Kafka client settings — Kafka Connect's keys, as a user would write them for
 * the Java worker — into kafkajs options. Worker-level keys apply to every client; `producer.*`,
 * `consumer.*` and `admin.*` override them for that client, as in Kafka Connect. Keys without a
 * kafkajs equivalent are reported so the caller can log them once.
 */
import { CompressionTypes, type AdminConfig, type ConsumerConfig, type KafkaConfig, type ProducerConfig, type SASLOptions } from 'kafkajs';

export interface KafkaClientSettings {
  clientConfig: Partial<KafkaConfig>;
  producerConfig: Partial<ProducerConfig> & { compression?: number; timeout?: number };
  consumerConfig: Partial<ConsumerConfig> & { concurrency?: number };
  adminConfig: Partial<AdminConfig>;
  /** `producer.*` / `consumer.*` / `admin.*` keys that kafkajs has no equivalent for. */
  ignored: string[];
}

const COMPRESSION: Record<string, number> = {
  none: CompressionTypes.None, gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy, lz4: CompressionTypes.LZ4, zstd: CompressionTypes.ZSTD,
};

const int = (v: string, key: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`${key}: expected a number, got "${v}"`);
  return n;
};

/** Parses `...LoginModule required username="u" password="p";` (PLAIN and SCRAM). */
function jaasCredentials(jaas: string): { username: string; password: string } | null {
  const user = /username\s*=\s*"([^"]*)"/.exec(jaas);
  const pass = /password\s*=\s*"([^"]*)"/.exec(jaas);
  return user && pass ? { username: user[1]!, password: pass[1]! } : null;
}

/** Settings every client shares: security and timeouts (worker keys, no prefix). */
function clientSettings(props: Readonly<Record<string, string>>): Partial<KafkaConfig> {
  const out: Partial<KafkaConfig> = {};
  if (props['client.id']) out.clientId = props['client.id'];
  if (props['request.timeout.ms']) out.requestTimeout = int(props['request.timeout.ms'], 'request.timeout.ms');
  if (props['socket.connection.setup.timeout.ms']) out.connectionTimeout = int(props['socket.connection.setup.timeout.ms'], 'socket.connection.setup.timeout.ms');
  const protocol = (props['security.protocol'] ?? 'PLAINTEXT').toUpperCase();
  if (protocol === 'SSL' || protocol === 'SASL_SSL') out.ssl = true;
  if (protocol.startsWith('SASL')) {
    const mechanism = (props['sasl.mechanism'] ?? 'PLAIN').toLowerCase();
    const creds = jaasCredentials(props['sasl.jaas.config'] ?? '');
    if (!creds) throw new Error('sasl.jaas.config: expected username="…" password="…"');
    if (mechanism !== 'plain' && mechanism !== 'scram-sha-256' && mechanism !== 'scram-sha-512') {
      throw new Error(`sasl.mechanism: ${props['sasl.mechanism']} is not supported (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)`);
    }
    out.sasl = { mechanism, ...creds } as SASLOptions;
  }
  return out;
}

export function kafkaClientSettings(props: Readonly<Record<string, string>>): KafkaClientSettings {
  const ignored: string[] = [];
  const producerConfig: KafkaClientSettings['producerConfig'] = {};
  const consumerConfig: KafkaClientSettings['consumerConfig'] = {};
  const adminConfig: KafkaClientSettings['adminConfig'] = {};
  for (const [key, value] of Object.entries(props)) {
    const dot = key.indexOf('.');
    const prefix = key.slice(0, dot);
    const name = key.slice(dot + 1);
    if (prefix === 'producer') {
      switch (name) {
        case 'compression.type': {
          const c = COMPRESSION[value.toLowerCase()];
          if (c === undefined) throw new Error(`${key}: unknown compression "${value}"`);
          producerConfig.compression = c;
          break;
        }
        case 'request.timeout.ms': case 'delivery.timeout.ms': producerConfig.timeout = int(value, key); break;
        case 'max.in.flight.requests.per.connection': producerConfig.maxInFlightRequests = Math.min(5, int(value, key)); break;
        case 'metadata.max.age.ms': producerConfig.metadataMaxAge = int(value, key); break;
        case 'transaction.timeout.ms': producerConfig.transactionTimeout = int(value, key); break;
        case 'acks': case 'enable.idempotence':
          // Always acks=all with the idempotent producer: anything weaker could lose records.
          if (!['all', '-1', 'true'].includes(value.toLowerCase())) ignored.push(key);
          break;
        default: ignored.push(key);
      }
    } else if (prefix === 'consumer') {
      switch (name) {
        case 'session.timeout.ms': consumerConfig.sessionTimeout = int(value, key); break;
        case 'heartbeat.interval.ms': consumerConfig.heartbeatInterval = int(value, key); break;
        case 'max.poll.interval.ms': consumerConfig.rebalanceTimeout = int(value, key); break;
        case 'fetch.max.bytes': consumerConfig.maxBytes = int(value, key); break;
        case 'max.partition.fetch.bytes': consumerConfig.maxBytesPerPartition = int(value, key); break;
        case 'fetch.min.bytes': consumerConfig.minBytes = int(value, key); break;
        case 'fetch.max.wait.ms': consumerConfig.maxWaitTimeInMs = int(value, key); break;
        case 'metadata.max.age.ms': consumerConfig.metadataMaxAge = int(value, key); break;
        case 'isolation.level': consumerConfig.readUncommitted = value === 'read_uncommitted'; break;
        case 'client.rack': consumerConfig.rackId = value; break;
        case 'allow.auto.create.topics': consumerConfig.allowAutoTopicCreation = value.toLowerCase() === 'true'; break;
        default: ignored.push(key);
      }
    } else if (prefix === 'admin') {
      if (name === 'retries') adminConfig.retry = { retries: int(value, key) };
      else ignored.push(key);
    }
  }
  return { clientConfig: clientSettings(props), producerConfig, consumerConfig, adminConfig, ignored };
}
