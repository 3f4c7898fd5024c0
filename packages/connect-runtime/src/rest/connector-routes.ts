import type { FastifyPluginAsync } from 'fastify';
import { stringifyValues } from '../config/config-file.js';
import { BadRequestError, NotFoundError } from '../errors.js';
import type { ConnectorOffset, Herder } from '../herder/herder.js';
import type { TargetState } from '../storage/config-store.js';
import { taskLabel } from '../worker/task-id.js';

type NameParams = { Params: { name: string } };
type TaskParams = { Params: { name: string; task: string } };

const INITIAL_STATES: Record<string, TargetState> = { RUNNING: 'STARTED', PAUSED: 'PAUSED', STOPPED: 'STOPPED' };

/** `/connectors/...`: each route is a herder call and a status code, as Kafka Connect. */
export function connectorRoutes(herder: Herder): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { expand?: string | string[] } }>('/connectors', async (req) => {
      const names = await herder.connectors();
      const expand = new Set([req.query.expand ?? []].flat());
      if (!expand.has('status') && !expand.has('info')) return names;
      const out: Record<string, Record<string, unknown>> = {};
      for (const name of names) {
        const entry: Record<string, unknown> = {};
        if (expand.has('status')) entry.status = await herder.connectorStatus(name);
        if (expand.has('info')) entry.info = await herder.connectorInfo(name);
        out[name] = entry;
      }
      return out;
    });

    app.post<{ Body: unknown }>('/connectors', async (req, reply) => {
      const body = objectBody(req.body);
      const config = objectBody(body.config ?? null, 'config');
      // Connect trims the name; an empty one fails validation (400) like any invalid config.
      const name = body.name === undefined || body.name === null ? '' : String(body.name).trim();
      if (config.name !== undefined && config.name !== name)
        throw new BadRequestError(
          'Connector name configuration (' +
            String(config.name) +
            ") doesn't match connector name in the URL (" +
            name +
            ')',
        );
      let initialState: TargetState | undefined;
      if (body.initial_state !== undefined && body.initial_state !== null) {
        initialState = INITIAL_STATES[String(body.initial_state).toUpperCase()];
        if (!initialState)
          throw new BadRequestError(
            `Invalid initial state ${String(body.initial_state)}; use RUNNING, PAUSED or STOPPED`,
          );
      }
      const { info } = await herder.putConnectorConfig(name, stringifyValues(config), {
        allowReplace: false,
        initialState,
      });
      void reply.code(201).header('Location', `/connectors/${encodeURIComponent(name)}`);
      return info;
    });

    app.get<NameParams>('/connectors/:name', async (req) => herder.connectorInfo(req.params.name));
    app.get<NameParams>('/connectors/:name/config', async (req) => herder.connectorConfig(req.params.name));

    app.put<NameParams & { Body: unknown }>('/connectors/:name/config', async (req, reply) => {
      const config = stringifyValues(objectBody(req.body));
      const { name } = req.params;
      if (config.name !== undefined && config.name !== name)
        throw new BadRequestError(
          `Connector name configuration (${config.name}) doesn't match connector name in the URL (${name})`,
        );
      const { created, info } = await herder.putConnectorConfig(name, config, { allowReplace: true });
      void reply.code(created ? 201 : 200);
      if (created) void reply.header('Location', `/connectors/${encodeURIComponent(name)}`);
      return info;
    });

    app.patch<NameParams & { Body: unknown }>('/connectors/:name/config', async (req) => {
      const body = objectBody(req.body);
      const { name } = req.params;
      if (body.name !== undefined && body.name !== null && body.name !== name)
        throw new BadRequestError(
          `Connector name configuration (${String(body.name)}) doesn't match connector name in the URL (${name})`,
        );
      const patch: Record<string, string | null> = {};
      for (const [k, v] of Object.entries(body))
        patch[k] = v === null ? null : typeof v === 'object' ? JSON.stringify(v) : String(v);
      return herder.patchConnectorConfig(name, patch);
    });

    app.get<NameParams>('/connectors/:name/status', async (req) => herder.connectorStatus(req.params.name));
    app.get<NameParams>('/connectors/:name/tasks', async (req) => herder.taskConfigs(req.params.name));
    app.get<NameParams>('/connectors/:name/tasks-config', async (req) => {
      const tasks = await herder.taskConfigs(req.params.name);
      return Object.fromEntries(tasks.map((t) => [taskLabel(t.id), t.config]));
    });
    app.get<TaskParams>('/connectors/:name/tasks/:task/status', async (req) =>
      herder.taskStatus(req.params.name, taskId(req.params.task)),
    );

    app.post<NameParams & { Querystring: { includeTasks?: string; onlyFailed?: string } }>(
      '/connectors/:name/restart',
      async (req, reply) => {
        const plan = await herder.restartConnector(req.params.name, {
          includeTasks: req.query.includeTasks === 'true',
          onlyFailed: req.query.onlyFailed === 'true',
        });
        if (plan === null) return reply.code(204).send();
        return reply.code(202).send(plan);
      },
    );
    app.post<TaskParams>('/connectors/:name/tasks/:task/restart', async (req, reply) => {
      await herder.restartTask(req.params.name, taskId(req.params.task));
      return reply.code(204).send();
    });

    app.put<NameParams>('/connectors/:name/pause', async (req, reply) => {
      await herder.setTargetState(req.params.name, 'PAUSED');
      return reply.code(202).send();
    });
    app.put<NameParams>('/connectors/:name/resume', async (req, reply) => {
      await herder.setTargetState(req.params.name, 'STARTED');
      return reply.code(202).send();
    });
    app.put<NameParams>('/connectors/:name/stop', async (req, reply) => {
      await herder.setTargetState(req.params.name, 'STOPPED');
      return reply.code(204).send();
    });
    app.delete<NameParams>('/connectors/:name', async (req, reply) => {
      await herder.deleteConnector(req.params.name);
      return reply.code(204).send();
    });

    app.get<NameParams>('/connectors/:name/offsets', async (req) => herder.offsets(req.params.name));
    app.patch<NameParams & { Body: unknown }>('/connectors/:name/offsets', async (req) => {
      const body = objectBody(req.body);
      if (!Array.isArray(body.offsets)) throw new BadRequestError('The request body must have an "offsets" array');
      return herder.alterOffsets(req.params.name, body.offsets as ConnectorOffset[]);
    });
    app.delete<NameParams>('/connectors/:name/offsets', async (req) => herder.resetOffsets(req.params.name));

    app.get<NameParams>('/connectors/:name/topics', async (req) => herder.activeTopics(req.params.name));
    app.put<NameParams>('/connectors/:name/topics/reset', async (req, reply) => {
      await herder.resetActiveTopics(req.params.name);
      return reply.code(202).send();
    });
  };
}

function objectBody(body: unknown, what = 'Request body'): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new BadRequestError(`${what} must be a JSON object`);
  return body as Record<string, unknown>;
}

/**
 * A task id is an integer, as in Connect's paths (`{task: int}`); anything else is no such path. A negative one is no
 * such task.
 */
function taskId(raw: string): number {
  if (!/^[-+]?\d{1,9}$/.test(raw)) throw new NotFoundError('HTTP 404 Not Found');
  return Number(raw);
}
