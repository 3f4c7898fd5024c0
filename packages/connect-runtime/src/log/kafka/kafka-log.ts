/**
 * The Kafka log: the `Log` interface over @platformatic/kafka, used through its public API only.
 * Every client it opens — producers, consumers, the admin client, and the worker group of
 * distributed mode (`groupClient()`) — takes its connection settings from one KafkaSettings, so
 * security, timeouts and `producer.*`/`consumer.*`/`admin.*` apply the same way in every mode.
 * It also tracks whether Kafka answers (`reachability`), from every client's successes and failures,
 * for the worker's health endpoint.
 */
import { Consumer as ClientConsumer } from '@platformatic/kafka';
import type { Logger } from '../../logging.js';
import type {
  Admin,
  Consumer,
  ConsumerOptions,
  Log,
  Producer,
  ProducerOptions,
  TransactionalProducer,
} from '../log.js';
import { KafkaAdmin } from './admin.js';
import { KafkaConsumer } from './consumer.js';
import { KafkaProducer } from './producer.js';
import { KafkaSettings } from './settings.js';
import { KafkaTransactionalProducer } from './transactional-producer.js';

export interface KafkaLogOptions {
  /** The worker's properties (bootstrap.servers, security, producer.*, consumer.*, admin.*). */
  readonly props: Readonly<Record<string, string>>;
  /** Client id when `client.id` is not set. */
  readonly clientId?: string;
  readonly logger: Logger;
}

export interface Reachability {
  readonly reachable: boolean;
  readonly brokers: readonly string[];
  /** How we connect: protocol and SASL mechanism (no secrets). */
  readonly security: string;
  readonly error?: string;
  readonly at: number;
}

export class KafkaLog implements Log {
  readonly kind = 'kafka' as const;
  readonly settings: KafkaSettings;
  private readonly adminClient: KafkaAdmin;
  private readonly producers = new Set<Producer | TransactionalProducer>();
  private readonly consumers = new Set<Consumer>();
  private readonly groupClients = new Set<ClientConsumer>();
  /** What the clients last saw: null before anything was tried. For the health endpoint. */
  reachability: Reachability | null = null;
  closed = false;

  constructor(private readonly opts: KafkaLogOptions) {
    this.settings = new KafkaSettings(opts.props, opts.clientId ?? 'tributary');
    this.adminClient = new KafkaAdmin(this.settings.connection('admin'));
  }

  get brokers(): string[] {
    return this.settings.brokers;
  }

  producer(options: ProducerOptions = {}): Producer {
    const p = new KafkaProducer({
      connection: this.settings.connection('producer', options.overrides, options.clientId),
      props: this.settings.props('producer', options.overrides),
      logger: this.opts.logger,
      onAttempt: (err) => {
        this.note(err);
        options.onTrouble?.(err);
      },
    });
    return this.track(this.producers, p);
  }

  transactionalProducer(options: ProducerOptions & { readonly transactionalId: string }): TransactionalProducer {
    const p = new KafkaTransactionalProducer({
      connection: this.settings.connection('producer', options.overrides, options.clientId),
      props: this.settings.props('producer', options.overrides),
      transactionalId: options.transactionalId,
      logger: this.opts.logger,
      onAttempt: (err) => {
        this.note(err);
        options.onTrouble?.(err);
      },
    });
    this.track(this.producers, p);
    return p;
  }

  /** Initializes each id once, which bumps its epoch: older producers of it can no longer write. */
  async fenceProducers(transactionalIds: readonly string[]): Promise<void> {
    await Promise.all(
      transactionalIds.map(async (id) => {
        const p = new KafkaTransactionalProducer({
          connection: this.settings.connection('admin'),
          props: this.settings.props('producer'),
          transactionalId: id,
          logger: this.opts.logger,
        });
        try {
          await p.init();
        } finally {
          await p.close();
        }
      }),
    );
  }

  consumer(options: ConsumerOptions): Consumer {
    const c = new KafkaConsumer(options, {
      connection: this.settings.connection('consumer', options.overrides, options.clientId),
      props: this.settings.props('consumer', options.overrides),
      logger: this.opts.logger,
      listTopics: () => this.adminClient.listTopics(),
      onTrouble: (err) => {
        this.note(err);
        options.onTrouble?.(err);
      },
    });
    return this.track(this.consumers, c);
  }

  admin(): Admin {
    return this.adminClient;
  }

  /** A client for the worker group's requests (distributed mode), with the admin settings. */
  groupClient(groupId: string): ClientConsumer {
    const c = this.settings.connection('admin', undefined, `${this.settings.connection('admin').clientId}-group`);
    const client = new ClientConsumer({
      clientId: c.clientId,
      groupId,
      bootstrapBrokers: c.brokers,
      tls: c.tls,
      sasl: c.sasl,
      connectTimeout: c.connectTimeout,
      requestTimeout: c.requestTimeout,
      timeout: c.requestTimeout,
      retries: 1,
    });
    this.groupClients.add(client);
    return client;
  }

  /** Records a client's failure (or success after one) for `reachability`. */
  note(err: Error | null): void {
    const security = this.settings.connection('admin').describe;
    this.reachability = err
      ? { reachable: false, brokers: this.brokers, security, error: err.message, at: Date.now() }
      : { reachable: true, brokers: this.brokers, security, at: Date.now() };
  }

  /** Resolves once a broker answers; rejects (naming the brokers and the reason) when none does. */
  async probe(): Promise<void> {
    try {
      await this.adminClient.listTopics();
      this.note(null);
    } catch (err) {
      this.note(err as Error);
      throw err;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.consumers].map((c) => c.close()));
    await Promise.allSettled([...this.producers].map((p) => p.close()));
    await Promise.allSettled([...this.groupClients].map((c) => c.close(true)));
    await this.adminClient.close();
  }

  /** Keeps `client` in `set` until it is closed, so close() can close what callers left open. */
  private track<T extends { close(): Promise<void> }>(set: Set<T>, client: T): T {
    set.add(client);
    const close = client.close.bind(client);
    client.close = async () => {
      set.delete(client);
      await close();
    };
    return client;
  }

  /** Open producers and consumers (for leak checks). */
  get openClients(): number {
    return this.producers.size + this.consumers.size;
  }
}

/** Opens the Kafka log. Connections are made lazily: nothing here waits for a broker. */
export function openKafkaLog(opts: KafkaLogOptions): KafkaLog {
  return new KafkaLog(opts);
}
