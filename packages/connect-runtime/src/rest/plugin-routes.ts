import type { FastifyPluginAsync } from 'fastify';
import { stringifyValues } from '../config/config-file.js';
import { BadRequestError } from '../errors.js';
import type { Herder } from '../herder/herder.js';

export function pluginRoutes(herder: Herder): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { connectorsOnly?: string } }>('/connector-plugins', async (req) =>
      herder.plugins(req.query.connectorsOnly !== 'false'),
    );
    app.get<{ Params: { plugin: string } }>('/connector-plugins/:plugin/config', async (req) =>
      herder.pluginConfig(req.params.plugin),
    );
    app.put<{ Params: { plugin: string }; Body: unknown }>(
      '/connector-plugins/:plugin/config/validate',
      async (req) => {
        const body = req.body;
        if (typeof body !== 'object' || body === null || Array.isArray(body))
          throw new BadRequestError('Request body must be a JSON object of config keys and values');
        return herder.validate(req.params.plugin, stringifyValues(body as Record<string, unknown>));
      },
    );
  };
}
