import { Client, errors, type ClientOptions } from '@elastic/elasticsearch';
import { ConnectError } from '@tributary/connect-api';
import type { SinkSettings } from './config.js';

/** What Elasticsearch said about one bulk item. */
export interface ItemResult {
  readonly status: number;
  readonly error?: {
    readonly type?: string;
    readonly reason?: string;
    readonly caused_by?: { type?: string; reason?: string };
  };
}

/** The calls the sink makes, so that tests can stand in for Elasticsearch where they only need logic. */
export interface SinkClient {
  /** Sends one NDJSON `_bulk` body; one result per action, in request order. */
  bulk(ndjson: string): Promise<ItemResult[]>;
  /** Creates the index (with `mapping`) or data stream unless it exists; adds `mapping` to an index that has none. */
  ensureIndex(name: string, dataStream: boolean, mapping: (() => object | null) | null): Promise<void>;
  close(): Promise<void>;
}

/**
 * A request that failed as a whole. `retriable` says whether trying again may help (Elasticsearch
 * away, overloaded, timing out); otherwise the message says what to fix.
 */
export class RequestFailure extends ConnectError {
  constructor(message: string, retriable: boolean, cause?: unknown) {
    super(message, { code: retriable ? 'ES_UNAVAILABLE' : 'ES_REQUEST_FAILED', retriable, cause });
  }
}

/** Signals "this index has no mapping yet and the record carries no schema to build one". */
export class NeedsSchemaError extends Error {}

const BULK_FILTER = 'errors,items.*.status,items.*.error';

/** The `@elastic/elasticsearch` 8.x client, with its own retries off: the sink retries by its policy. */
export class ElasticsearchSinkClient implements SinkClient {
  private readonly client: Client;
  private readonly where: string;

  constructor(
    s: Pick<SinkSettings, 'urls' | 'username' | 'password' | 'readTimeoutMs' | 'connectionTimeoutMs' | 'compression'>,
  ) {
    this.where = s.urls.join(',');
    this.client = new Client({
      nodes: s.urls,
      ...(s.username && s.password ? { auth: { username: s.username, password: s.password } } : {}),
      maxRetries: 0,
      requestTimeout: s.readTimeoutMs,
      compression: s.compression,
      // Passed through to undici's Pool; the client's types do not list its connect options.
      agent: { connect: { timeout: s.connectionTimeoutMs } } as unknown as ClientOptions['agent'],
    });
  }

  async bulk(ndjson: string): Promise<ItemResult[]> {
    const res = await this.call('bulk', () =>
      this.client.transport.request<{ errors?: boolean; items?: Record<string, ItemResult>[] }>({
        method: 'POST',
        path: '/_bulk',
        bulkBody: ndjson,
        querystring: { filter_path: BULK_FILTER },
      }),
    );
    const items = res.items ?? [];
    return items.map((it) => Object.values(it)[0]!);
  }

  async ensureIndex(name: string, dataStream: boolean, mapping: (() => object | null) | null): Promise<void> {
    if (dataStream) return this.ensureDataStream(name);
    const exists = await this.call(`check index ${name}`, () => this.client.indices.exists({ index: name }));
    if (!exists) {
      const m = mapping ? mapping() : null;
      if (mapping && !m) throw new NeedsSchemaError();
      try {
        await this.call(`create index ${name}`, () =>
          this.client.indices.create({ index: name, ...(m ? { mappings: m } : {}) }),
        );
        return;
      } catch (e) {
        if (!(e instanceof RequestFailure && /resource_already_exists_exception/.test(e.message))) throw e;
        // Another task created it first: fall through and add the mapping if it still has none.
      }
    }
    if (!mapping) return;
    const current = await this.call(`read mapping of ${name}`, () => this.client.indices.getMapping({ index: name }));
    const props = Object.values(current)[0]?.mappings?.properties;
    if (props && Object.keys(props).length > 0) return;
    const m = mapping();
    if (!m) throw new NeedsSchemaError();
    await this.call(`put mapping of ${name}`, () => this.client.indices.putMapping({ index: name, ...m }));
  }

  private async ensureDataStream(name: string): Promise<void> {
    try {
      await this.call(`read data stream ${name}`, () => this.client.indices.getDataStream({ name }));
      return;
    } catch (e) {
      if (!(e instanceof RequestFailure && /\b404\b|index_not_found/.test(e.message))) throw e;
    }
    try {
      await this.call(`create data stream ${name}`, () => this.client.indices.createDataStream({ name }));
    } catch (e) {
      if (e instanceof RequestFailure && /resource_already_exists_exception/.test(e.message)) return;
      if (e instanceof RequestFailure && !e.retriable) {
        throw new RequestFailure(
          `${e.message}. A data stream needs an index template with "data_stream": {} whose pattern matches ${name}; create one first.`,
          false,
          e,
        );
      }
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** Runs one request, turning the client's errors into a RequestFailure that says what happened. */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.describe(what, e);
    }
  }

  private describe(what: string, e: unknown): RequestFailure {
    if (e instanceof errors.ResponseError) {
      const status = e.statusCode ?? 0;
      const body = e.body as { error?: { type?: string; reason?: string } } | undefined;
      const reason = body?.error ? `${body.error.type}: ${body.error.reason}` : e.message;
      const hint =
        status === 401 || status === 403
          ? ' Check connection.username and connection.password.'
          : status === 413
            ? ' Lower batch.size or bulk.size.bytes (or raise http.max_content_length on the cluster).'
            : '';
      return new RequestFailure(
        `Elasticsearch refused to ${what} (HTTP ${status}): ${reason}.${hint}`,
        status === 429 || status >= 500,
        e,
      );
    }
    if (
      e instanceof errors.ConnectionError ||
      e instanceof errors.TimeoutError ||
      e instanceof errors.NoLivingConnectionsError
    ) {
      return new RequestFailure(
        `Could not ${what}: Elasticsearch at ${this.where} is unreachable (${e.name}: ${e.message})`,
        true,
        e,
      );
    }
    if (e instanceof errors.ProductNotSupportedError) {
      return new RequestFailure(
        `${this.where} is not Elasticsearch (or not a version the 8.x client accepts): ${e.message}`,
        false,
        e,
      );
    }
    return new RequestFailure(`Could not ${what}: ${(e as Error)?.message ?? String(e)}`, false, e);
  }
}
