/**
 * The few calls of Confluent's schema registry REST API the AvroConverter needs (also served by
 * Apicurio's `ccompat` API and Karapace). Network trouble and 5xx are RetriableErrors; a 4xx
 * (incompatible schema, unknown subject) is a DataError with the registry's message.
 */
import { DataError, RetriableError } from '@tributary/connect-api';

export interface RegisteredSchema {
  id: number;
  /** The schema text as the registry stores it. */
  schema: string;
  version?: number;
}

/** What the converter needs from a registry; tests substitute an in-memory one. */
export interface SchemaRegistry {
  /** Registers (or finds) `schema` under `subject` and returns its id. */
  register(subject: string, schema: string): Promise<number>;
  /** The id of `schema` under `subject`, without registering it. */
  lookup(subject: string, schema: string): Promise<number>;
  latest(subject: string): Promise<RegisteredSchema>;
  byId(id: number): Promise<string>;
}

export interface RegistryOptions {
  urls: string[];
  /** `user:password` for HTTP basic auth, or null. */
  userInfo: string | null;
  timeoutMs?: number;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export class HttpSchemaRegistry implements SchemaRegistry {
  private readonly headers: Record<string, string>;
  private next = 0;

  constructor(private readonly opts: RegistryOptions) {
    if (opts.urls.length === 0) throw new DataError("schema.registry.url is empty: set it to the registry's base URL");
    this.headers = { 'content-type': CONTENT_TYPE, accept: `${CONTENT_TYPE}, application/json` };
    if (opts.userInfo) this.headers.authorization = `Basic ${Buffer.from(opts.userInfo).toString('base64')}`;
  }

  async register(subject: string, schema: string): Promise<number> {
    const body = await this.call('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema });
    return (body as { id: number }).id;
  }

  async lookup(subject: string, schema: string): Promise<number> {
    const body = await this.call('POST', `/subjects/${encodeURIComponent(subject)}`, { schema });
    return (body as { id: number }).id;
  }

  async latest(subject: string): Promise<RegisteredSchema> {
    return (await this.call('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`)) as RegisteredSchema;
  }

  async byId(id: number): Promise<string> {
    const body = await this.call('GET', `/schemas/ids/${id}`);
    return (body as { schema: string }).schema;
  }

  /** One request; on a network error the next URL of `schema.registry.url` is tried. */
  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    let lastErr: unknown;
    for (let i = 0; i < this.opts.urls.length; i++) {
      const base = this.opts.urls[(this.next + i) % this.opts.urls.length]!.replace(/\/+$/, '');
      let res: Response;
      try {
        res = await fetch(base + path, {
          method,
          headers: this.headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
        });
      } catch (err) {
        lastErr = err;
        this.next = (this.next + i + 1) % this.opts.urls.length;
        continue;
      }
      const text = await res.text();
      if (res.ok) return JSON.parse(text);
      // The URL is safe to show: credentials travel in a header, never in it.
      const detail = registryMessage(text);
      const msg = `Schema registry ${method} ${base}${path} answered ${res.status}: ${detail}`;
      if (res.status >= 500 || res.status === 429) throw new RetriableError(msg);
      throw new DataError(msg, { code: `SCHEMA_REGISTRY_${res.status}` });
    }
    throw new RetriableError(
      `Schema registry unreachable at ${this.opts.urls.join(', ')}: ${(lastErr as Error)?.message ?? lastErr}`,
      { cause: lastErr },
    );
  }
}

function registryMessage(text: string): string {
  try {
    const j = JSON.parse(text) as { message?: string; error_code?: number };
    if (j.message) return j.error_code ? `${j.message} (error_code ${j.error_code})` : j.message;
  } catch {
    /* not JSON */
  }
  return text.slice(0, 300);
}
