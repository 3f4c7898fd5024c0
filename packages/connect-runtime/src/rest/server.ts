import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { ConflictError } from '../errors.js';
import type { Logger } from 'pino';
import type { Herder } from '../herder/herder.js';
import type { WorkerMetrics } from '../metrics.js';
import { loggerLevels } from '../logging.js';
import { errorHandler } from './errors.js';
import { connectorRoutes } from './connector-routes.js';
import { clientErrorHandler, requireJson, RouteTable } from './http-rules.js';
import { loggerRoutes } from './logger-routes.js';
import { pluginRoutes } from './plugin-routes.js';
import { consoleRoutes } from './console-routes.js';
import { uiRoutes } from './ui-routes.js';
import { adoptRoutes } from './adopt-routes.js';
import { signalRoutes, type SignalTask } from './signal-routes.js';
import { ConsoleMetrics } from '../inspect/console-metrics.js';
import type { Log } from '../log/log.js';
import type { AutoRestarter } from '../restart/auto-restarter.js';

export interface RestServerOptions {
  herder: Herder;
  metrics: WorkerMetrics;
  logger: Logger;
  host: string;
  port: number;
  bodyLimit: number;
  basicAuthUsers: Map<string, string> | null;
  /** The worker's log, which the console's tap and dead letter queue views read (and re-drive into). */
  log?: Log;
  /** This worker's id (`host:port`, as statuses name it), for the console's per-task figures. */
  workerId?: string;
  /** The worker's auto-restarter, for the restart history the console shows. */
  autoRestart?: AutoRestarter;
  /** Delivers signals to source tasks running here (`POST /tributary/connectors/{name}/signals`). */
  signalTask?: SignalTask;
}

/**
 * The REST API: the paths, JSON shapes and status codes of Kafka Connect. Routes only translate HTTP
 * to herder calls; errors are mapped in rest/errors.ts.
 */
export async function startRestServer(opts: RestServerOptions) {
  // Requests are not logged one by one; failures are, by the error handler. Path parameters (connector
  // names) may be as long as a name a create accepts.
  const app = Fastify({
    logger: false,
    bodyLimit: opts.bodyLimit,
    routerOptions: { maxParamLength: 65_536 },
    clientErrorHandler,
  });
  app.setErrorHandler(errorHandler(opts.logger.child({ component: 'rest' })));
  const routes = new RouteTable(app);
  app.setNotFoundHandler(routes.notFound());
  // Kafka Connect clients often send an empty body with a JSON content type on PUT/POST; allow it.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      const err = e as Error & { statusCode?: number };
      err.statusCode = 400;
      done(err, undefined);
    }
  });
  if (opts.basicAuthUsers) {
    const users = opts.basicAuthUsers;
    app.addHook('onRequest', async (req, reply) => {
      if (!authorized(req.headers.authorization, users)) {
        void reply
          .code(401)
          .header('WWW-Authenticate', 'Basic realm="tributary"')
          .send({ error_code: 401, message: 'Unauthorized' });
      }
    });
  }
  // Every change made through the API (the console's too) is in the worker's log.
  const restLogger = opts.logger.child({ component: 'rest' });
  app.addHook('onResponse', async (req, reply) => {
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS') {
      restLogger.info(
        { method: req.method, url: req.url, status: reply.statusCode },
        `${req.method} ${req.url} ${reply.statusCode}`,
      );
    }
  });
  app.addHook('onRequest', requireJson);
  app.addHook('onRequest', untilReady(opts.herder));
  app.addHook('preHandler', forwardWrites(opts.herder));
  app.get('/', async () => opts.herder.serverInfo());
  app.get('/health', async (_req, reply) => {
    const h = opts.herder.health();
    void reply.code(h.status === 'healthy' ? 200 : h.status === 'starting' ? 503 : 500);
    return h;
  });
  app.get('/metrics', async (_req, reply) => {
    void reply.header('Content-Type', opts.metrics.registry.contentType);
    return opts.metrics.registry.metrics();
  });
  await app.register(connectorRoutes(opts.herder));
  await app.register(pluginRoutes(opts.herder));
  if (opts.signalTask) await app.register(signalRoutes(opts.herder, opts.signalTask));
  await app.register(loggerRoutes(loggerLevels(opts.logger), opts.herder));
  const consoleMetrics = new ConsoleMetrics(opts.herder, opts.metrics, opts.log, opts.workerId ?? '');
  app.addHook('onClose', async () => consoleMetrics.stop());
  const taps = new Set<AbortController>();
  app.addHook('preClose', async () => {
    for (const t of taps) t.abort();
  });
  await app.register(
    consoleRoutes({
      herder: opts.herder,
      log: opts.log,
      metrics: consoleMetrics,
      autoRestart: opts.autoRestart,
      logger: restLogger,
      taps,
    }),
  );
  await app.register(adoptRoutes(restLogger));
  await app.register(uiRoutes());
  await app.listen({ host: opts.host, port: opts.port });
  return app;
}

/** How long a request for connectors waits for a starting worker to have read its configs. */
const READY_WAIT_MS = 10_000;

/**
 * A starting worker does not answer for connectors before it has read its configs (a cluster's
 * config topic): the request waits for that, and gets 503 if it takes too long.
 */
function untilReady(herder: Herder) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.url.startsWith('/connectors') || herder.isReady()) return undefined;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      herder.whenReady(),
      new Promise((r) => {
        timer = setTimeout(r, READY_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
    if (!herder.isReady()) {
      return reply.code(503).send({
        error_code: 503,
        message: 'The worker is still starting up and has not read its connector configs yet; retry shortly.',
      });
    }
    return undefined;
  };
}

/**
 * In a cluster, config writes run on the leader: a follower re-sends the request there once, with
 * `forward=false` (as Kafka Connect does); a request that still misses the leader gets 409.
 */
function forwardWrites(herder: Herder) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.method === 'GET' || !req.url.startsWith('/connectors') || !herder.forwardTarget) return;
    const target = herder.forwardTarget();
    if (!target) return;
    const url = new URL(req.url, 'http://local');
    if (url.searchParams.get('forward') === 'false') {
      throw new ConflictError('Cannot complete request because of a conflicting operation (e.g. worker rebalance)');
    }
    url.searchParams.set('forward', 'false');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (req.headers.authorization) headers.authorization = req.headers.authorization;
    const res = await fetch(`${target}${url.pathname}${url.search}`, {
      method: req.method,
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
    });
    const location = res.headers.get('location');
    if (location) void reply.header('Location', location);
    const text = await res.text();
    void reply.code(res.status).header('content-type', 'application/json');
    return reply.send(text === '' ? undefined : text);
  };
}

function authorized(header: string | undefined, users: Map<string, string>): boolean {
  if (!header?.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  const expected = users.get(decoded.slice(0, i));
  if (i < 0 || expected === undefined) return false;
  const a = Buffer.from(decoded.slice(i + 1));
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export type RestServer = Awaited<ReturnType<typeof startRestServer>>;
