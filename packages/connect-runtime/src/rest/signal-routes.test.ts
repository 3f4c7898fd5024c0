import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import Fastify from 'fastify';
import pino from 'pino';
import type { SourceSignal } from '@tributary/connect-api';
import type { ConnectorStateInfo, Herder } from '../herder/herder.js';
import { errorHandler } from './errors.js';
import { signalRoutes, type SignalTask } from './signal-routes.js';

function status(workerId: string, state = 'RUNNING'): ConnectorStateInfo {
  return {
    name: 'c',
    connector: { state: 'RUNNING', worker_id: workerId },
    tasks: [{ id: 0, state: state as 'RUNNING', worker_id: workerId }],
    type: 'source',
  };
}

async function app(s: ConnectorStateInfo, signalTask: SignalTask, self?: string) {
  const herder = {
    connectorStatus: async () => s,
    ...(self ? { cluster: () => ({ self, leader_url: null, is_leader: true, members: [] }) } : {}),
  } as unknown as Herder;
  const a = Fastify();
  a.setErrorHandler(errorHandler(pino({ level: 'silent' })));
  await a.register(signalRoutes(herder, signalTask));
  return a;
}

describe('POST /tributary/connectors/{name}/signals', () => {
  const servers: Server[] = [];
  after(() => servers.forEach((s) => s.close()));

  it('hands the signal to task 0 here and answers 202 (data objects become JSON text, an id is made up)', async () => {
    const got: SourceSignal[] = [];
    const a = await app(status('127.0.0.1:1'), async (_c, task, s) => {
      assert.equal(task, 0);
      got.push(s);
      return 'delivered';
    });
    const res = await a.inject({
      method: 'POST',
      url: '/tributary/connectors/c/signals',
      payload: { type: 'execute-snapshot', data: { 'data-collections': ['public.b'] } },
    });
    assert.equal(res.statusCode, 202);
    assert.equal(got[0]!.type, 'execute-snapshot');
    assert.equal(got[0]!.data, '{"data-collections":["public.b"]}');
    assert.match(got[0]!.id, /^[0-9a-f-]{36}$/);
  });

  it('answers 400 for a rejected or unsupported signal and a bad body, 409 while task 0 does not run', async () => {
    const reject = await app(status('w:1'), async () => {
      throw new Error('Unknown signal type "x"');
    });
    const r1 = await reject.inject({ method: 'POST', url: '/tributary/connectors/c/signals', payload: { type: 'x' } });
    assert.equal(r1.statusCode, 400);
    assert.match(r1.json<{ message: string }>().message, /Unknown signal type/);
    const r2 = await reject.inject({ method: 'POST', url: '/tributary/connectors/c/signals', payload: { data: {} } });
    assert.equal(r2.statusCode, 400);
    const unsupported = await app(status('w:1'), async () => 'unsupported');
    const r3 = await unsupported.inject({
      method: 'POST',
      url: '/tributary/connectors/c/signals',
      payload: { type: 'log' },
    });
    assert.equal(r3.statusCode, 400);
    const paused = await app(status('w:1', 'PAUSED'), async () => 'delivered');
    const r4 = await paused.inject({
      method: 'POST',
      url: '/tributary/connectors/c/signals',
      payload: { type: 'log' },
    });
    assert.equal(r4.statusCode, 409);
  });

  it('in a cluster, forwards once to the worker running task 0 (forward=false)', async () => {
    let seen: { url: string; body: string } | null = null;
    const other = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen = { url: req.url!, body };
        res.writeHead(202, { 'content-type': 'application/json' }).end('{"forwarded":true}');
      });
    });
    servers.push(other);
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', () => r()));
    const port = (other.address() as { port: number }).port;
    const a = await app(
      status(`127.0.0.1:${port}`),
      async () => {
        throw new Error('not here');
      },
      'http://127.0.0.1:1',
    );
    const res = await a.inject({
      method: 'POST',
      url: '/tributary/connectors/c/signals',
      payload: { id: 's1', type: 'log', data: '{"message":"hi"}' },
    });
    assert.equal(res.statusCode, 202);
    assert.deepEqual(res.json(), { forwarded: true });
    assert.equal(seen!.url, '/tributary/connectors/c/signals?forward=false');
    assert.deepEqual(JSON.parse(seen!.body), { id: 's1', type: 'log', data: '{"message":"hi"}' });
    const again = await a.inject({
      method: 'POST',
      url: '/tributary/connectors/c/signals?forward=false',
      payload: { type: 'log' },
    });
    assert.equal(again.statusCode, 409, 'a forwarded request that misses task 0 is not forwarded again');
  });
});
