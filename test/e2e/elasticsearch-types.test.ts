import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureService } from '../support/services.js';
import { ROOT, WorkerProcess } from '../support/worker-process.js';
import { ES, deleteIndices, es, waitForCount } from './elasticsearch/fixtures.js';

/**
 * The record set with every Connect type (packages/connect-converters/golden, written by Kafka 3.9.2's
 * JsonConverter) into a real Elasticsearch. Each document must be Kafka's JSON for the record with
 * the sink's documented departures only: decimals as numbers (decimal.format=NUMERIC), Date as
 * yyyy-MM-dd, maps with int keys as {"key","value"} objects. Elasticsearch accepts every document into the
 * mapping built from the schema.
 */
const GOLDEN = join(ROOT, 'packages/connect-converters/golden/fixtures/records');
const RECORDS = 4;

/** Kafka's NUMERIC line with the Elasticsearch departures applied to its text. */
function expectedDocument(numericLine: string): string {
  const parsed = JSON.parse(numericLine) as { day: number; by_id: [number, number][] };
  const iso = new Date(parsed.day * 86_400_000).toISOString().slice(0, 10);
  const entries = parsed.by_id.map(([k, v]) => `{"key":${k},"value":${v}}`).join(',');
  return numericLine
    .replace(`"day":${parsed.day},`, `"day":"${iso}",`)
    .replace(`"by_id":[${parsed.by_id.map(([k, v]) => `[${k},${v}]`).join(',')}]`, `"by_id":[${entries}]`);
}

describe('Elasticsearch sink: every Connect type as a document', () => {
  const index = `types-${Date.now().toString(36)}`;
  let w: WorkerProcess;

  before(async () => {
    ensureService('elasticsearch');
    w = await WorkerProcess.create();
    await w.start();
  });
  after(async () => {
    await w.stop();
    await deleteIndices(index);
  });

  it("indexes each record as Kafka's JSON with the documented departures, into the mapping from its schema", async () => {
    const file = join(w.dir, 'types.jsonl');
    await writeFile(file, await readFile(join(GOLDEN, 'all-types.envelope.jsonl')));
    let res = await w.request('POST', '/connectors', {
      name: 'types-in',
      config: { 'connector.class': 'FileStreamSource', file, topic: index },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    res = await w.request('POST', '/connectors', {
      name: 'types-es',
      config: {
        'connector.class': 'ElasticsearchSink',
        topics: index,
        'connection.url': ES,
        'key.ignore': 'true',
        'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
        'value.converter.schemas.enable': 'true',
      },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(await waitForCount(index, RECORDS, 60_000), RECORDS);

    const numeric = (await readFile(join(GOLDEN, 'all-types.numeric.jsonl'), 'utf8')).trimEnd().split('\n');
    for (let i = 0; i < RECORDS; i++) {
      // _source gives back the bytes that were indexed.
      const r = await fetch(`${ES}/${index}/_source/${encodeURIComponent(`${index}+0+${i}`)}`);
      assert.equal(r.status, 200);
      assert.equal(await r.text(), expectedDocument(numeric[i]!), `document ${i}`);
    }
    const mapping = await es<Record<string, { mappings: { properties: Record<string, { type?: string }> } }>>(
      'GET',
      `/${index}/_mapping`,
    );
    const props = mapping.body[index]!.mappings.properties;
    const types = Object.fromEntries(
      ['i8', 'i16', 'i64', 'f32', 'f64', 'raw', 'd2', 'day', 'tod', 'ts'].map((f) => [f, props[f]!.type]),
    );
    console.log(`# mapping: ${JSON.stringify(types)}`);
    assert.deepEqual(types, {
      i8: 'byte',
      i16: 'short',
      i64: 'long',
      f32: 'float',
      f64: 'double',
      raw: 'binary',
      d2: 'double',
      day: 'date',
      tod: 'date',
      ts: 'date',
    });
    // The date fields are searchable as dates: 1969-12-31 and 9999-12-31 included.
    const search = await es<{ hits: { total: { value: number } } }>('POST', `/${index}/_search`, {
      query: { range: { day: { lte: '1970-01-01' } } },
    });
    assert.equal(search.body.hits.total.value, 2);
  });
});
