import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { SourceSignal } from '@tributary/connect-api';
import { BadRequestError, ConflictError } from '../errors.js';
import type { Herder } from '../herder/herder.js';

/** Delivers a signal to a task running on this worker (Worker.signalTask). */
export type SignalTask = (
  connector: string,
  task: number,
  signal: SourceSignal,
) => Promise<'delivered' | 'absent' | 'unsupported'>;

/**
 * `POST /tributary/connectors/{name}/signals` (not in Kafka Connect): a Debezium signal `{id?, type, data?}` for
 * the connector's task 0, for users without a signal table or topic. In a cluster the worker that runs task 0
 * (its status names it) gets the request, forwarded once with `forward=false` as config writes are. Answers
 * 202 once the task accepted the signal (the work runs in the task), 400 for a signal the task rejects, 409
 * while task 0 runs nowhere.
 */
export function signalRoutes(herder: Herder, signalTask: SignalTask): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Params: { name: string }; Querystring: { forward?: string }; Body: unknown }>(
      '/tributary/connectors/:name/signals',
      async (req, reply) => {
        const { name } = req.params;
        const signal = parseSignal(req.body);
        const status = await herder.connectorStatus(name);
        if (status.type !== 'source') throw new BadRequestError(`Connector ${name} is not a source connector`);
        const task = status.tasks.find((t) => t.id === 0);
        if (!task || task.state !== 'RUNNING')
          throw new ConflictError(`Task 0 of connector ${name} is not running (${task?.state ?? 'not assigned'})`);
        const self = herder.cluster?.().self;
        if (self && `http://${task.worker_id}` !== self) {
          if (req.query.forward === 'false')
            throw new ConflictError(`Task 0 of connector ${name} moved (e.g. a rebalance); retry`);
          const res = await fetch(
            `http://${task.worker_id}/tributary/connectors/${encodeURIComponent(name)}/signals?forward=false`,
            {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
              },
              body: JSON.stringify(signal),
            },
          );
          return reply
            .code(res.status)
            .header('content-type', 'application/json')
            .send(await res.text());
        }
        let outcome: Awaited<ReturnType<SignalTask>>;
        try {
          outcome = await signalTask(name, 0, signal);
        } catch (e) {
          throw new BadRequestError(`Signal ${signal.id} rejected: ${(e as Error).message}`);
        }
        if (outcome === 'absent') throw new ConflictError(`Task 0 of connector ${name} does not run here (yet); retry`);
        if (outcome === 'unsupported')
          throw new BadRequestError(`The tasks of connector ${name} take no signals (no onSignal() in its SourceTask)`);
        return reply.code(202).send({ ...signal, task: 0 });
      },
    );
  };
}

function parseSignal(body: unknown): SourceSignal {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new BadRequestError('Request body must be a JSON object {"type": …, "data": {…}}');
  const b = body as Record<string, unknown>;
  if (typeof b.type !== 'string' || b.type === '') throw new BadRequestError('A signal needs a "type" string');
  if (b.id !== undefined && b.id !== null && typeof b.id !== 'string')
    throw new BadRequestError('A signal "id" must be a string');
  const data =
    b.data === undefined || b.data === null ? null : typeof b.data === 'string' ? b.data : JSON.stringify(b.data);
  return { id: typeof b.id === 'string' && b.id !== '' ? b.id : randomUUID(), type: b.type, data };
}
