import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import pino from 'pino';
import { adoptRoutes } from './adopt-routes.js';
import { errorHandler } from './errors.js';

async function app() {
  const a = Fastify();
  const logger = pino({ level: 'silent' });
  a.setErrorHandler(errorHandler(logger));
  await a.register(adoptRoutes(logger));
  return a;
}

describe('POST /tributary/adopt and /tributary/handback', () => {
  it('answer 400, nothing moved: no URL, no connectors, bad numbers, Connect unreachable', async () => {
    const a = await app();
    const post = (url: string, payload: unknown) => a.inject({ method: 'POST', url, payload: payload as object });
    const cases: Array<[string, unknown, RegExp]> = [
      ['/tributary/adopt', { all: true }, /from must be the URL of a Kafka Connect REST API/],
      ['/tributary/handback', { from: 'http://x:8083', all: true }, /to must be the URL/],
      ['/tributary/adopt', { from: 'http://x:8083' }, /Name connectors, or give "all": true/],
      ['/tributary/adopt', { from: 'http://x:8083', connectors: [1] }, /connectors must be a list of connector names/],
      ['/tributary/adopt', { from: 'http://x:8083', all: true, verify_ms: 'soon' }, /verify_ms must be a number/],
      [
        '/tributary/adopt',
        { from: 'http://127.0.0.1:1', all: true },
        /Nothing moved: cannot reach the worker at http:\/\/127\.0\.0\.1:1/,
      ],
    ];
    for (const [url, body, message] of cases) {
      const res = await post(url, body);
      assert.equal(res.statusCode, 400, res.body);
      assert.match((res.json() as { message: string }).message, message);
    }
    await a.close();
  });
});
