/**
 * The Kafka log: the `Log` interface over kafkajs. One kafkajs client per log; one kafkajs producer
 * per `producer()`, one group member per `consumer()`, one shared admin connection. kafkajs's own
 * log lines go to the worker's logger.
 */
import { Kafka, logLevel, type AdminConfig, type ConsumerConfig, type KafkaConfig, type LogEntry, type ProducerConfig } from 'kafkajs';
import type { Logger } from '../../logging.js';
import type { Admin, Consumer, ConsumerOptions, Log, Producer } from '../log.js';
import { KafkaAdmin } from './admin.js';
import { KafkaConsumer } from './consumer.js';
import { KafkaProducer } from './producer.js';

export interface KafkaLogOptions {
  readonly brokers: readonly string[];
  readonly clientId?: string;
  readonly logger: Logger;
  /** Client-wide kafkajs settings (ssl, sasl, connectionTimeout, requestTimeout, …). */
  readonly clientConfig?: Partial<KafkaConfig>;
  readonly producerConfig?: Partial<ProducerConfig> & { compression?: number; timeout?: number };
  readonly consumerConfig?: Partial<ConsumerConfig> & { concurrency?: number };
  readonly adminConfig?: Partial<AdminConfig>;
}

/** kafkajs's warnings that say nothing a Tributary user can act on. */
const QUIET = [/Limiting retries for the idempotent producer/, /KafkaJS v2\.0\.0 switched default partitioner/];

function logCreator(logger: Logger) {
  return () => ({ level, log }: LogEntry) => {
    const { message, ...extra } = log;
    const entry = { kafkajs: log.namespace, ...extra };
    if (level === logLevel.ERROR) logger.error(entry, message);
    else if (level === logLevel.WARN && !QUIET.some((q) => q.test(message))) logger.warn(entry, message);
    else if (level === logLevel.INFO) logger.debug(entry, message);
    else logger.trace(entry, message);
  };
}

export class KafkaLog implements Log {
  readonly kind = 'kafka' as const;
  readonly kafka: Kafka;
  private readonly adminClient: KafkaAdmin;
  private readonly producers = new Set<KafkaProducer>();
  private readonly consumers = new Set<KafkaConsumer>();

  constructor(private readonly opts: KafkaLogOptions) {
    this.kafka = new Kafka({
      clientId: opts.clientId ?? 'tributary',
      connectionTimeout: 3_000,
      requestTimeout: 30_000,
      retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 5_000 },
      ...opts.clientConfig,
      brokers: [...opts.brokers],
      logLevel: logLevel.INFO,
      logCreator: logCreator(opts.logger),
    });
    this.adminClient = new KafkaAdmin(this.kafka, opts.brokers);
  }

  producer(): Producer {
    const { compression, timeout, ...config } = this.opts.producerConfig ?? {};
    const p = new KafkaProducer({ kafka: this.kafka, brokers: this.opts.brokers, config, compression, timeoutMs: timeout });
    this.producers.add(p);
    const close = p.close.bind(p);
    p.close = async () => {
      this.producers.delete(p);
      await close();
    };
    return p;
  }

  consumer(options: ConsumerOptions): Consumer {
    const { concurrency, ...config } = this.opts.consumerConfig ?? {};
    const c = new KafkaConsumer(options, {
      kafka: this.kafka, brokers: this.opts.brokers, logger: this.opts.logger, config, concurrency, listTopics: () => this.adminClient.listTopics(),
    });
    this.consumers.add(c);
    const close = c.close.bind(c);
    c.close = async () => {
      this.consumers.delete(c);
      await close();
    };
    return c;
  }

  admin(): Admin {
    return this.adminClient;
  }

  /** What the last probe found: null before the first one. For a health endpoint (REST `GET /`). */
  reachability: { reachable: boolean; brokers: readonly string[]; error?: string; at: number } | null = null;
  closed = false;

  /** Resolves once a broker answers; rejects (RetriableError naming the brokers) when none does. */
  async probe(): Promise<void> {
    try {
      await this.adminClient.listTopics();
      this.reachability = { reachable: true, brokers: this.opts.brokers, at: Date.now() };
    } catch (err) {
      this.reachability = { reachable: false, brokers: this.opts.brokers, error: (err as Error).message, at: Date.now() };
      throw err;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.consumers].map((c) => c.close()));
    await Promise.allSettled([...this.producers].map((p) => p.close()));
    await this.adminClient.close();
  }
}

/** Opens the Kafka log. Connections are made lazily: nothing here waits for a broker. */
export function openKafkaLog(opts: KafkaLogOptions): KafkaLog {
  return new KafkaLog(opts);
}
