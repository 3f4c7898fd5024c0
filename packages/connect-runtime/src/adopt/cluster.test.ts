import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RestError } from './rest-client.js';
import { ConnectCluster } from './cluster.js';

describe('ConnectCluster', () => {
  let server: Server;
  let url = '';
  let conflicts = 0;

  before(async () => {
    // Answers 409 (Kafka Connect during a rebalance) `conflicts` times, then as a worker would.
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (conflicts > 0) {
        conflicts--;
        res.statusCode = 409;
        res.end(JSON.stringify({ error_code: 409, message: 'Cannot complete request momentarily due to rebalance' }));
      } else if (req.url === '/connectors/missing/status') {
        res.statusCode = 404;
        res.end(JSON.stringify({ error_code: 404, message: 'Connector missing not found' }));
      } else res.end(JSON.stringify(['a']));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('repeats a call answered 409 while the cluster rebalances', async () => {
    conflicts = 2;
    assert.deepEqual(await new ConnectCluster(url).names(), ['a']);
  });

  it('gives up with the 409 once the rebalance lasts too long', async () => {
    conflicts = 100;
    await assert.rejects(
      new ConnectCluster(url, undefined, 0).names(),
      (e) => e instanceof RestError && e.status === 409,
    );
    conflicts = 0;
  });

  it('reads a missing connector as null, and an unreachable cluster as an error', async () => {
    assert.equal(await new ConnectCluster(url).status('missing'), null);
    await assert.rejects(
      new ConnectCluster('http://127.0.0.1:1').info(),
      /cannot reach the worker at http:\/\/127.0.0.1:1/,
    );
  });
});
