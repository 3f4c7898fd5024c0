import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT, WorkerProcess } from '../support/worker-process.js';
import { ensureService, SERVICES } from '../support/services.js';
import {
  consume,
  exampleConfig,
  files,
  JSON_CONVERTERS,
  spoolDirs,
  waitForFiles,
  writeOrders,
} from './spooldir/support.js';

// The same pipeline on each log. On Kafka the topic gets a unique suffix so that runs do not add up
// (the only change to the example besides the paths).
for (const log of ['embedded', 'kafka'] as const)
  describe(`spooldir: the product brief's CSV example (csv-source-orders.json) on the ${log} log`, () => {
    const workers: WorkerProcess[] = [];
    after(async () => {
      for (const w of workers) await w.kill();
    });

    it('moves three orders*.csv files of 1000 rows into topic orders with INT64 keys and typed values, then to finished', async () => {
      if (log === 'kafka') ensureService('kafka');
      const w = await WorkerProcess.create({
        ...JSON_CONVERTERS,
        ...(log === 'kafka' ? { 'bootstrap.servers': SERVICES.kafka } : {}),
      });
      workers.push(w);
      const dirs = await spoolDirs(w.dir);
      await w.start();
      const topic = log === 'kafka' ? `orders-${Date.now()}` : 'orders';
      const cfg = await exampleConfig(dirs, log === 'kafka' ? { topic } : {});
      assert.equal((await w.request('POST', '/connectors', cfg)).status, 201);
      const started = Date.now();
      for (let f = 0; f < 3; f++) await writeOrders(join(dirs.source, `orders${f + 1}.csv`), f * 1000 + 1, 1000);
      await copyFile(join(ROOT, 'test/e2e/spooldir/orders-sample.csv'), join(dirs.source, 'customers.csv')); // does not match the pattern
      const finished = await waitForFiles(dirs.finished, 3);
      console.log(`# ${log}: 3 files × 1000 rows finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      assert.deepEqual(finished, ['orders1.csv', 'orders2.csv', 'orders3.csv']);
      assert.deepEqual(await files(dirs.source), ['customers.csv'], 'no marker left, the unmatched file untouched');
      const records = await consume(w, topic);
      assert.equal(records.length, 3000);
      const ids = new Set(
        records.map((r) => (JSON.parse(r.key!) as { payload: { order_id: number } }).payload.order_id),
      );
      assert.equal(ids.size, 3000);
      const first = records.find((r) => r.headers['file.name'] === 'orders1.csv' && r.headers['file.offset'] === '1')!;
      const key = JSON.parse(first.key!) as { schema: unknown; payload: unknown };
      assert.deepEqual(key, {
        schema: {
          type: 'struct',
          fields: [{ type: 'int64', optional: false, field: 'order_id' }],
          optional: false,
          name: 'com.github.jcustenborder.kafka.connect.model.Key',
        },
        payload: { order_id: 1 },
      });
      const value = JSON.parse(first.value!) as {
        schema: { fields: Array<{ field: string; type: string }> };
        payload: Record<string, unknown>;
      };
      assert.deepEqual(
        value.schema.fields.map((f) => `${f.field}:${f.type}`),
        ['order_id:int64', 'customer_id:int64', 'order_ts:string', 'product:string', 'order_total_usd:string'],
      );
      assert.deepEqual(value.payload, {
        order_id: 1,
        customer_id: 919,
        order_ts: '2018-02-01T00:01:01Z',
        product: 'Wine - Sherry Dry Sack, William',
        order_total_usd: '2.50',
      });
      assert.equal(first.headers['file.path'], join(dirs.source, 'orders1.csv'));
      assert.ok(Number(first.headers['file.length']) > 0);
      assert.ok(first.headers['file.last.modified']);
      console.log(
        `# ${log}: consumed ${records.length} records, ${ids.size} distinct order ids; sample key ${first.key}`,
      );
      await w.stop();
    });
  });
