import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger, SinkRecord } from '@tributary/connect-api';
import { BulkProcessor, type Pending } from './bulk-processor.js';
import { RequestFailure, type ItemResult, type SinkClient } from './elasticsearch-client.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;
const settings = {
  batchSize: 2,
  bulkSizeBytes: -1,
  maxInFlight: 2,
  lingerMs: 0,
  upsert: false,
  maxRetries: 3,
  retryBackoffMs: 1,
  retryTimeoutMs: 0,
  retryDelayMaxMs: 5,
};

/**
 * A stand-in for Elasticsearch that answers from a script of responses (for logic only; pipelines are tested against
 * the real server).
 */
class ScriptedClient implements SinkClient {
  readonly bodies: string[] = [];
  constructor(private readonly answer: (body: string, call: number) => ItemResult[] | Error) {}
  async bulk(ndjson: string): Promise<ItemResult[]> {
    this.bodies.push(ndjson);
    const a = this.answer(ndjson, this.bodies.length);
    if (a instanceof Error) throw a;
    return a;
  }
  async ensureIndex(): Promise<void> {}
  async close(): Promise<void> {}
}

function pending(id: string, done: string[], versioned = true): Pending {
  return {
    action: { op: 'index', index: 'i', id, ndjson: `{"index":{"_id":"${id}"}}\n{}\n`, versioned },
    record: {} as SinkRecord,
    enqueuedAt: Date.now(),
    onDone: () => done.push(id),
  };
}
const lines = (body: string) => body.split('\n').filter((l) => l.startsWith('{"index"')).length;

describe('BulkProcessor', () => {
  it('batches by batch.size, treats external version conflicts as written, retries 429 items only', async () => {
    const done: string[] = [];
    const client = new ScriptedClient((body, call) => {
      if (call === 1) return [{ status: 201 }, { status: 409, error: { type: 'version_conflict_engine_exception' } }];
      if (call === 2) return [{ status: 201 }, { status: 429, error: { type: 'es_rejected_execution_exception' } }];
      return Array.from({ length: lines(body) }, () => ({ status: 201 }));
    });
    const p = new BulkProcessor(
      client,
      { ...settings, lingerMs: 1000 },
      async () => {
        throw new Error('no rejections expected');
      },
      quiet,
      new AbortController().signal,
    );
    for (const id of ['a', 'b', 'c', 'd']) p.add(pending(id, done));
    await p.drain(1000);
    assert.deepEqual(done.sort(), ['a', 'b', 'c', 'd']);
    assert.equal(p.failure, null);
    assert.deepEqual(client.bodies.map(lines), [2, 2, 1]);
    assert.equal(p.stats.versionConflicts, 1);
  });

  it('hands malformed documents to the rejection handler, and fails once retries run out', async () => {
    const done: string[] = [];
    const rejected: string[] = [];
    const client = new ScriptedClient((_b, call) =>
      call === 1
        ? [{ status: 400, error: { type: 'document_parsing_exception', reason: 'bad size' } }]
        : new RequestFailure('Elasticsearch at x is unreachable', true),
    );
    const p = new BulkProcessor(
      client,
      { ...settings, batchSize: 1, maxInFlight: 1 },
      async (x, kind, _s, reason) => {
        rejected.push(`${x.action.id}:${kind}:${reason}`);
      },
      quiet,
      new AbortController().signal,
    );
    p.add(pending('bad', done));
    p.add(pending('next', done));
    await p.drain(1000);
    assert.deepEqual(rejected, ['bad:malformed:document_parsing_exception: bad size']);
    assert.deepEqual(done, ['bad']);
    assert.match(p.failure!.message, /failed after 4 attempts.*unreachable.*errors\.retry\.timeout/);
  });

  it('upsert: a later update of an id waits for the request that carries the earlier one', async () => {
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const client: SinkClient = {
      async bulk(body) {
        order.push(body.includes('"x1"') ? 'first' : 'second');
        if (body.includes('"x1"')) await gate;
        return [{ status: 200 }];
      },
      async ensureIndex() {},
      async close() {},
    };
    const p = new BulkProcessor(
      client,
      { ...settings, batchSize: 1, upsert: true },
      async () => {},
      quiet,
      new AbortController().signal,
    );
    const mk = (tag: string): Pending => ({
      action: { op: 'update', index: 'i', id: 'same', ndjson: `{"update":{"_id":"${tag}"}}\n{}\n`, versioned: false },
      record: {} as SinkRecord,
      enqueuedAt: 0,
      onDone: () => {},
    });
    p.add(mk('x1'));
    p.add(mk('x2'));
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(order, ['first']);
    release();
    await p.drain(1000);
    assert.deepEqual(order, ['first', 'second']);
  });
});
