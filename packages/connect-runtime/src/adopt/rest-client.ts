/** An error answer of a worker: the HTTP status and Kafka Connect's error body message. */
export class RestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(`${status}: ${message}`);
  }
}

/** A thin client for a worker's REST API; errors carry Kafka Connect's error body message. */
export class RestClient {
  constructor(
    private readonly base: string,
    private readonly auth?: string,
  ) {}

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.auth) headers.authorization = `Basic ${Buffer.from(this.auth).toString('base64')}`;
    let res: Response;
    try {
      res = await fetch(new URL(path, this.base), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new Error(
        `cannot reach the worker at ${this.base}: ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}`,
      );
    }
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null; // a proxy's HTML error page: the text is the message
    }
    if (res.status >= 400) {
      throw new RestError(res.status, (parsed as { message?: string })?.message ?? text);
    }
    return { status: res.status, body: parsed as T };
  }
}
