import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ConfigError, ConnectError } from '@tributary/connect-api';
import type { Logger } from '../logging.js';
import { httpMessage } from './http-rules.js';
import { AlreadyExistsError, BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../errors.js';

/** The one place that maps errors to HTTP: `{"error_code": <status>, "message": …}` as Kafka Connect. */
export function statusOf(err: unknown): number {
  if (err instanceof NotFoundError) return 404;
  if (err instanceof AlreadyExistsError || err instanceof ConflictError) return 409;
  if (err instanceof BadRequestError || err instanceof ConfigError) return 400;
  if (err instanceof ForbiddenError) return 403;
  const fe = err as FastifyError;
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) return fe.statusCode;
  return 500;
}

export function errorHandler(logger: Logger) {
  return async (err: unknown, req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    // A body over the limit is refused before it is read: read the rest (and drop it) first, so the
    // client, still sending, gets the 413 instead of a reset connection.
    if ((err as FastifyError)?.code === 'FST_ERR_CTP_BODY_TOO_LARGE' && !req.raw.complete) {
      await drain(req.raw, DRAIN_MS);
      void reply.header('Connection', 'close');
    }
    send(logger, err, req, reply);
  };
}

/** How long a refused body is read and dropped before the 413 goes out regardless. */
const DRAIN_MS = 30_000;

function drain(stream: FastifyRequest['raw'], ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stream.once('end', done).once('close', done).once('error', done);
    stream.resume();
  });
}

function send(logger: Logger, err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  const status = statusOf(err);
  const fe = err as FastifyError;
  let message = err instanceof Error ? err.message : String(err);
  if (fe?.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (err instanceof SyntaxError && status === 400))
    message = `Invalid JSON in request body: ${message}`;
  if (fe?.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fe?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    message = httpMessage(status);
  if (status === 500) logger.error({ err, method: req.method, url: req.url }, 'request failed');
  else if (!(err instanceof ConnectError)) logger.debug({ err, method: req.method, url: req.url }, 'request rejected');
  void reply.code(status).send({ error_code: status, message });
}
