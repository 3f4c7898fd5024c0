import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { ConnectCluster } from '../adopt/cluster.js';
import { moveAll } from '../adopt/move-all.js';
import type { Direction } from '../adopt/offset-translation.js';
import { BadRequestError, ConflictError } from '../errors.js';
import type { Logger } from '../logging.js';

interface MoveBody {
  from?: unknown;
  to?: unknown;
  connectors?: unknown;
  all?: unknown;
  dry_run?: unknown;
  keep?: unknown;
  timeout_ms?: unknown;
  verify_ms?: unknown;
  settle_ms?: unknown;
  progress_timeout_ms?: unknown;
}

/** The CLI's defaults (packages/cli/src/commands/adopt.ts). */
const DEFAULTS = { timeout_ms: 60_000, verify_ms: 3000, settle_ms: 2000, progress_timeout_ms: 75_000 };

/**
 * `POST /tributary/adopt` (`from`: a Kafka Connect URL) and `POST /tributary/handback` (`to`): the CLI's
 * `tributary adopt`/`handback` run by this worker, for the console — a browser cannot call another host's
 * Connect. This worker is the other side, reached through its own REST API (writes forwarded to the leader as
 * any client's). The answer streams as it goes, one JSON object a line (application/x-ndjson):
 * `{"step": "..."}` for each step, `{"result": {...}}` for each connector, then `{"results": [...]}`. An
 * unreachable cluster is refused with 400 before anything moves; one move at a time per worker (409).
 */
export function adoptRoutes(logger: Logger): FastifyPluginAsync {
  let busy = false;
  /** The answer of the running move: ended when the server closes, so a watching browser never holds it up. */
  let open: ServerResponse | null = null;
  return async (app) => {
    app.addHook('preClose', async () => {
      if (open && !open.writableEnded) open.end(`${JSON.stringify({ error: 'The worker is shutting down' })}\n`);
    });
    const self = (req: FastifyRequest) => {
      const a = req.server.server.address() as AddressInfo;
      const host = a.address === '0.0.0.0' || a.address === '::' ? '127.0.0.1' : a.address;
      return `http://${host.includes(':') ? `[${host}]` : host}:${a.port}`;
    };
    const route = (direction: Direction) =>
      app.post<{ Body: MoveBody }>(`/tributary/${direction}`, async (req, reply) => {
        const body = (req.body ?? {}) as MoveBody;
        if (typeof body !== 'object' || Array.isArray(body))
          throw new BadRequestError('Request body must be a JSON object');
        const key = direction === 'adopt' ? 'from' : 'to';
        const url = body[key];
        if (typeof url !== 'string' || !/^https?:\/\/./.test(url))
          throw new BadRequestError(`${key} must be the URL of a Kafka Connect REST API (http://host:port)`);
        const names = body.connectors ?? [];
        if (!Array.isArray(names) || !names.every((n) => typeof n === 'string'))
          throw new BadRequestError('connectors must be a list of connector names');
        if (names.length === 0 && body.all !== true) throw new BadRequestError('Name connectors, or give "all": true');
        const ms = (k: keyof typeof DEFAULTS) => {
          const v = body[k] ?? DEFAULTS[k];
          if (typeof v !== 'number' || !(v >= 0)) throw new BadRequestError(`${k} must be a number of milliseconds`);
          return v;
        };
        const opts = {
          direction,
          names: names as string[],
          all: body.all === true,
          dryRun: body.dry_run === true,
          keep: body.keep === true,
          timeoutMs: ms('timeout_ms'),
          verifyMs: ms('verify_ms'),
          settleMs: ms('settle_ms'),
          progressMs: ms('progress_timeout_ms'),
        };
        const other = new ConnectCluster(url);
        try {
          await other.info();
        } catch (e) {
          throw new BadRequestError(`Nothing moved: ${(e as Error).message}`);
        }
        // This worker's own API with the caller's credentials (the worker may require them).
        const auth = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
        const ours = new ConnectCluster(self(req), auth ? Buffer.from(auth, 'base64').toString() : undefined);
        if (busy) throw new ConflictError('A move is already running on this worker; wait for it to finish');
        busy = true;
        reply.hijack();
        const res = reply.raw;
        open = res;
        res.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-cache' });
        // A browser that goes away does not stop the move: leaving a connector halfway would need a rerun.
        const send = (o: unknown) => {
          if (!res.writableEnded) res.write(`${JSON.stringify(o)}\n`);
        };
        const [from, to] = direction === 'adopt' ? [other, ours] : [ours, other];
        logger.info(
          { direction, url, connectors: opts.all ? 'all' : names, dryRun: opts.dryRun },
          `${direction} started`,
        );
        try {
          const results = await moveAll(
            from,
            to,
            opts,
            (step) => send({ step }),
            (result) => send({ result }),
          );
          logger.info({ direction, results: results.map((r) => `${r.name}: ${r.outcome}`) }, `${direction} done`);
          send({ results });
        } catch (e) {
          send({ error: (e as Error).message });
        } finally {
          busy = false;
          open = null;
          if (!res.writableEnded) res.end();
        }
      });
    route('adopt');
    route('handback');
  };
}
