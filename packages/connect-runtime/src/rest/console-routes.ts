import type { FastifyPluginAsync } from 'fastify';
import { BadRequestError, NotFoundError } from '../errors.js';
import type { Herder } from '../herder/herder.js';
import type { Log } from '../log/log.js';
import type { Logger } from '../logging.js';
import { AlreadyRedriven, browseDlq, redrive } from '../inspect/dlq.js';
import type { ConsoleMetrics } from '../inspect/console-metrics.js';
import { viewRecord } from '../inspect/record-view.js';
import { tapTopic } from '../inspect/tap.js';
import type { AutoRestarter } from '../restart/auto-restarter.js';

export interface ConsoleRouteDeps {
  herder: Herder;
  log?: Log;
  metrics: ConsoleMetrics;
  autoRestart?: AutoRestarter;
  logger: Logger;
  /** Open taps; the server aborts them when it closes, so a watching browser never holds up a shutdown. */
  taps: Set<AbortController>;
}

/** Characters (or bytes × 2 in hex) of a key, value or header sent to the console; the rest is cut. */
const VALUE_LIMIT = 4096;
/** The tap sends at most this many records a second; it counts the ones it skips. */
const TAP_PER_SECOND = 200;
const DLQ_LIMIT = 1000;

/**
 * `/tributary/...`: what the console needs beyond Kafka Connect's API — the worker and its cluster,
 * metrics history, restart history, a live tap of a topic, and dead letter queues to browse and re-drive.
 */
export function consoleRoutes(d: ConsoleRouteDeps): FastifyPluginAsync {
  const needLog = (): Log => {
    if (!d.log) throw new NotFoundError('This worker has no log to read');
    return d.log;
  };
  const dlqOf = async (name: string): Promise<{ topic: string; config: Record<string, string> }> => {
    const config = await d.herder.connectorConfig(name);
    const topic = config['errors.deadletterqueue.topic.name'];
    if (!topic)
      throw new NotFoundError(`Connector ${name} has no dead letter queue (errors.deadletterqueue.topic.name)`);
    return { topic, config };
  };

  return async (app) => {
    app.get('/tributary/worker', async () => {
      const info = d.herder.serverInfo();
      const cluster = d.herder.cluster?.();
      return {
        ...info,
        mode: cluster ? 'distributed' : 'standalone',
        log: d.log?.kind ?? null,
        health: d.herder.health(),
        ...(cluster ? { cluster } : {}),
      };
    });

    app.get('/tributary/metrics', async (req) => d.metrics.read(req.headers.authorization));
    app.get('/tributary/metrics/tasks', async () => d.metrics.localTasks());

    app.get<{ Params: { name: string }; Querystring: { local?: string } }>(
      '/tributary/connectors/:name/restarts',
      async (req) => {
        const name = req.params.name;
        const status = await d.herder.connectorStatus(name);
        const of = (task: number | null) =>
          d.autoRestart?.info(name, task) ?? { restarts: 0, nextRestartAt: null, history: [] };
        const mine = { connector: of(null), tasks: status.tasks.map((t) => ({ id: t.id, ...of(t.id) })) };
        const self = d.herder.cluster?.().self;
        if (!self || req.query.local === 'true') return mine;
        // In a cluster each worker remembers the restarts it made: ask the ones that run this connector's parts.
        const ask = async (workerId: string) => {
          if (`http://${workerId}` === self) return mine;
          try {
            const res = await fetch(
              `http://${workerId}/tributary/connectors/${encodeURIComponent(name)}/restarts?local=true`,
              {
                headers: req.headers.authorization ? { authorization: req.headers.authorization } : {},
                signal: AbortSignal.timeout(2000),
              },
            );
            return res.ok ? ((await res.json()) as typeof mine) : null;
          } catch {
            return null;
          }
        };
        const connector = (await ask(status.connector.worker_id))?.connector ?? mine.connector;
        const tasks = await Promise.all(
          status.tasks.map(
            async (t) => (await ask(t.worker_id))?.tasks.find((x) => x.id === t.id) ?? { id: t.id, ...of(t.id) },
          ),
        );
        return { connector, tasks };
      },
    );

    app.get<{ Params: { topic: string }; Querystring: { from?: string } }>(
      '/tributary/topics/:topic/tap',
      async (req, reply) => {
        const log = needLog();
        const abort = new AbortController();
        d.taps.add(abort);
        req.raw.on('close', () => abort.abort());
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, {
          'Content-Type': 'text/event-stream',
          'Cache-Control': 'no-cache',
          Connection: 'keep-alive',
          'X-Accel-Buffering': 'no',
        });
        const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        send('open', { topic: req.params.topic });
        let windowStart = Date.now();
        let sentInWindow = 0;
        let skipped = 0;
        const keepAlive = setInterval(() => {
          res.write(': keep-alive\n\n');
          if (skipped > 0) {
            send('skipped', { count: skipped });
            skipped = 0;
          }
        }, 1000);
        try {
          for await (const batch of tapTopic(log, req.params.topic, {
            fromBeginning: req.query.from === 'beginning',
            signal: abort.signal,
          })) {
            for (const r of batch) {
              if (Date.now() - windowStart >= 1000) {
                windowStart = Date.now();
                sentInWindow = 0;
              }
              if (sentInWindow >= TAP_PER_SECOND) {
                skipped++;
                continue;
              }
              sentInWindow++;
              send('record', viewRecord(r, VALUE_LIMIT));
            }
          }
        } catch (err) {
          if (!abort.signal.aborted) send('failure', { message: err instanceof Error ? err.message : String(err) });
        } finally {
          d.taps.delete(abort);
          clearInterval(keepAlive);
          res.end();
        }
      },
    );

    app.get<{ Params: { name: string }; Querystring: { limit?: string } }>(
      '/tributary/connectors/:name/dlq',
      async (req) => {
        const { topic } = await dlqOf(req.params.name);
        const limit = Math.min(DLQ_LIMIT, Math.max(1, Number(req.query.limit ?? 200) || 200));
        return browseDlq(needLog(), topic, limit, VALUE_LIMIT);
      },
    );

    app.post<{ Params: { name: string }; Body: unknown }>(
      '/tributary/connectors/:name/dlq/redrive',
      async (req, reply) => {
        const { topic, config } = await dlqOf(req.params.name);
        const body = (req.body ?? {}) as { records?: unknown; force?: unknown; topic?: unknown };
        if (typeof body !== 'object' || Array.isArray(body))
          throw new BadRequestError('Request body must be a JSON object');
        let records: Array<{ partition: number; offset: number }> | undefined;
        if (body.records !== undefined) {
          if (
            !Array.isArray(body.records) ||
            !body.records.every((r) => Number.isInteger(r?.partition) && Number.isInteger(r?.offset))
          ) {
            throw new BadRequestError('records must be a list of {"partition": n, "offset": n}');
          }
          records = body.records as Array<{ partition: number; offset: number }>;
        }
        if (body.topic !== undefined && (typeof body.topic !== 'string' || body.topic.trim() === ''))
          throw new BadRequestError('topic must be a topic name');
        const topics = (config.topics ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        try {
          const report = await redrive(
            needLog(),
            topic,
            {
              records,
              force: body.force === true,
              fallbackTopic: topics.length === 1 ? topics[0]! : null,
              ...(typeof body.topic === 'string' ? { toTopic: body.topic.trim() } : {}),
            },
            DLQ_LIMIT,
          );
          d.logger.info(
            { connector: req.params.name, dlq: topic, sent: report.sent, notSent: report.not_sent.length },
            'dead letter queue re-driven',
          );
          void reply.code(report.not_sent.length > 0 && report.sent === 0 ? 500 : 200);
          return report;
        } catch (err) {
          if (err instanceof AlreadyRedriven) {
            void reply.code(409);
            return { error_code: 409, message: err.message, already_redriven: err.records };
          }
          throw err;
        }
      },
    );
  };
}
