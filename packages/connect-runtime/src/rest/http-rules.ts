import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Connect's (Jersey's) message for a status it answers by itself: `HTTP 405 Method Not Allowed`. */
export function httpMessage(status: number): string {
  return status === 413
    ? 'HTTP 413 Request Entity Too Large'
    : `HTTP ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd();
}

/**
 * The paths the API serves and their methods, collected as routes are added, so that a known path
 * asked with another method gets 405 (and OPTIONS gets 200 with `Allow`), as Connect answers.
 */
export class RouteTable {
  private readonly routes: Array<{ pattern: RegExp; methods: Set<string> }> = [];

  constructor(app: FastifyInstance) {
    app.addHook('onRoute', (route) => {
      const pattern = new RegExp(
        '^' +
          route.url
            .split('/')
            .map((s) => (s.startsWith(':') ? '[^/]+' : escape(s)))
            .join('/') +
          '/?$',
      );
      let entry = this.routes.find((r) => r.pattern.source === pattern.source);
      if (!entry) this.routes.push((entry = { pattern, methods: new Set() }));
      for (const m of [route.method].flat()) entry.methods.add(m);
    });
  }

  /** Methods served at `path`, in Connect's `Allow` order (HEAD first, OPTIONS last); empty when none. */
  allowed(path: string): string[] {
    const methods = new Set<string>();
    for (const r of this.routes) if (r.pattern.test(path)) for (const m of r.methods) methods.add(m);
    if (methods.size === 0) return [];
    return ['HEAD', ...[...methods].filter((m) => m !== 'HEAD' && m !== 'OPTIONS'), 'OPTIONS'];
  }

  /** The handler for requests no route took: OPTIONS 200, another method 405, an unknown path 404. */
  notFound() {
    return (req: FastifyRequest, reply: FastifyReply) => {
      const path = req.url.split('?')[0]!;
      const allowed = this.allowed(path);
      if (allowed.length > 0 && req.method === 'OPTIONS') {
        return reply.code(200).header('Allow', allowed.join(',')).type('text/plain').send(allowed.join(', '));
      }
      const status = allowed.length > 0 ? 405 : 404;
      return reply.code(status).send({ error_code: status, message: httpMessage(status) });
    };
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Connect reads request bodies as JSON only: a body (or a Content-Type) of any other type is 415,
 * before anything else happens. A write with no body and no Content-Type is fine (`curl -X PUT …/pause`).
 */
export async function requireJson(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  if (req.method !== 'POST' && req.method !== 'PUT' && req.method !== 'PATCH') return undefined;
  const type = req.headers['content-type'];
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  const json = type !== undefined && /^application\/json\s*(;|$)/i.test(type.trim());
  if (json || (type === undefined && !hasBody)) return undefined;
  return reply.code(415).send({ error_code: 415, message: httpMessage(415) });
}

/**
 * A request the HTTP parser refuses (bad request line, bad header) still gets an error body of
 * Connect's shape, then the connection closes.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const reason =
    err.code === 'HPE_INVALID_VERSION'
      ? 'Unknown Version'
      : ((err as { reason?: string }).reason ?? STATUS_CODES[status]);
  const body = JSON.stringify({ error_code: status, message: `HTTP ${status} ${STATUS_CODES[status]}: ${reason}` });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
