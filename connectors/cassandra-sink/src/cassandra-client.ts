import cassandra from 'cassandra-driver';
import type { ParsedConfig } from '@tributary/connect-api';
import type { TableShape } from './table-writer.js';

const { Client, auth, errors, policies, types } = cassandra;

/** Driver options from the connector's keys. */
export function clientOptions(cfg: ParsedConfig): cassandra.ClientOptions {
  const contactPoints = cfg.list('contactPoints');
  const localDc = cfg.string('loadBalancing.localDc');
  const bundle = cfg.string('cloud.secureConnectBundle');
  const username = cfg.string('auth.username');
  const opts: cassandra.ClientOptions = {
    contactPoints: contactPoints.length > 0 ? contactPoints : ['127.0.0.1'],
    protocolOptions: { port: cfg.int('port') },
    socketOptions: { readTimeout: cfg.int('queryExecutionTimeout') * 1000, connectTimeout: 5000 },
    pooling: {
      coreConnectionsPerHost: {
        [types.distance.local]: cfg.int('connectionPoolLocalSize'),
        [types.distance.remote]: 1,
      },
    },
    policies: {
      // The driver's default waits up to 10 minutes between attempts; a node that comes back after a
      // short outage should be used again within seconds.
      reconnection: new policies.reconnection.ExponentialReconnectionPolicy(500, 5000, false),
      // The sink retries whole puts itself (and writes are idempotent), so the driver should not.
      retry: new policies.retry.FallthroughRetryPolicy(),
      // Without a local DC (only allowed with the default local contact point) any node will do.
      ...(localDc ? {} : bundle ? {} : { loadBalancing: new policies.loadBalancing.RoundRobinPolicy() }),
    },
    ...(localDc ? { localDataCenter: localDc } : {}),
  };
  if (bundle) {
    delete opts.contactPoints;
    opts.cloud = { secureConnectBundle: bundle };
  }
  if (username || cfg.string('auth.provider').toUpperCase() === 'PLAIN') {
    opts.authProvider = new auth.PlainTextAuthProvider(username, cfg.password('auth.password') ?? '');
  }
  return opts;
}

/** The connector's view of one driver session: table metadata and the two ways of writing. */
export class CassandraSession {
  private constructor(private readonly client: cassandra.Client) {}

  /** Connects; throws the driver's error (see {@link isRetriableDriverError}) when no node answers. */
  static async open(opts: cassandra.ClientOptions): Promise<CassandraSession> {
    const client = new Client(opts);
    try {
      await client.connect();
    } catch (e) {
      await client.shutdown().catch(() => undefined);
      throw e;
    }
    return new CassandraSession(client);
  }

  /** The table's columns and keys, or null when the keyspace or table does not exist. */
  async table(keyspace: string, name: string): Promise<TableShape | null> {
    const t = await this.client.metadata.getTable(keyspace, name);
    if (!t) return null;
    return {
      keyspace,
      name,
      columns: new Map(t.columns.map((c) => [c.name, c.type as never])),
      partitionKey: t.partitionKeys.map((c) => c.name),
      clusteringKey: t.clusteringKeys.map((c) => c.name),
    };
  }

  async execute(query: string, params: unknown[], consistency: number): Promise<void> {
    await this.client.execute(query, params, { prepare: true, consistency });
  }

  /** An UNLOGGED batch: atomic and cheap only when every statement hits the same partition. */
  async batch(queries: Array<{ query: string; params: unknown[] }>, consistency: number): Promise<void> {
    await this.client.batch(queries, { prepare: true, logged: false, consistency });
  }

  async close(): Promise<void> {
    await this.client.shutdown();
  }
}

const RETRIABLE_CODES = new Set<number>([
  types.responseErrorCodes.serverError,
  types.responseErrorCodes.unavailableException,
  types.responseErrorCodes.overloaded,
  types.responseErrorCodes.isBootstrapping,
  types.responseErrorCodes.truncateError,
  types.responseErrorCodes.writeTimeout,
  types.responseErrorCodes.readTimeout,
  types.responseErrorCodes.writeFailure,
  types.responseErrorCodes.unprepared,
]);

/**
 * True for failures of the cluster rather than of the statement: no node reachable, timeouts,
 * overload, a node going away mid-request. Retrying the same write later can succeed.
 */
export function isRetriableDriverError(err: unknown): boolean {
  if (
    err instanceof errors.NoHostAvailableError ||
    err instanceof errors.OperationTimedOutError ||
    err instanceof errors.BusyConnectionError
  )
    return true;
  if (err instanceof errors.ResponseError) return RETRIABLE_CODES.has(err.code);
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^(ECONN|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN)/.test(code)) return true;
  // Socket closed while a request was in flight, or the client shutting down.
  const msg = (err as Error | null)?.message ?? '';
  return /socket|connection|closed|shutdown/i.test(msg) && !(err instanceof TypeError);
}

/** A short, credential-free description of a driver error for logs and statuses. */
export function describeDriverError(err: unknown): string {
  if (err instanceof errors.NoHostAvailableError) {
    const inner = Object.entries(err.innerErrors ?? {})
      .map(([h, e]) => `${h}: ${(e as Error).message}`)
      .join('; ');
    return `no Cassandra node could be reached (${inner || err.message})`;
  }
  return (err as Error)?.message ?? String(err);
}
