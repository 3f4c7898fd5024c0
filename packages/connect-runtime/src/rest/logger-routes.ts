import type { FastifyPluginAsync } from 'fastify';
import { BadRequestError, NotFoundError } from '../errors.js';
import type { Herder } from '../herder/herder.js';
import { LoggerLevels } from '../logging.js';

type LoggerParams = { Params: { logger: string } };

/**
 * `/admin/loggers` (KIP-495, KIP-976): the worker's log levels per logger name, changed at run time.
 * `?scope=cluster` asks the herder to set the level on every worker of the cluster (204, as Connect).
 */
export function loggerRoutes(levels: LoggerLevels, herder: Herder): FastifyPluginAsync {
  return async (app) => {
    app.get('/admin/loggers', async () => levels.list());
    app.get<LoggerParams>('/admin/loggers/:logger', async (req) => {
      const info = levels.describe(req.params.logger);
      if (!info) throw new NotFoundError(`Logger ${req.params.logger} not found.`);
      return info;
    });
    app.put<LoggerParams & { Body: unknown; Querystring: { scope?: string } }>(
      '/admin/loggers/:logger',
      async (req, reply) => {
        const body = req.body as { level?: unknown } | null | undefined;
        const level = typeof body === 'object' && body !== null && !Array.isArray(body) ? body.level : undefined;
        if (level === undefined || level === null)
          throw new BadRequestError("Desired 'level' parameter was not specified in request.");
        // Connect answers an unknown level with 404.
        if (LoggerLevels.parse(String(level)) === undefined)
          throw new NotFoundError(`invalid log level '${String(level)}'.`);
        if ((req.query.scope ?? '').toLowerCase() === 'cluster') {
          if (herder.setClusterLoggerLevel) await herder.setClusterLoggerLevel(req.params.logger, String(level));
          else levels.setLevel(req.params.logger, String(level));
          return reply.code(204).send();
        }
        return levels.setLevel(req.params.logger, String(level));
      },
    );
  };
}
