// Offsets in the format jcustenborder's kafka-connect-spooldir writes (partition {"fileName"}, offset
// {"offset": n}: OpenCSV's lines read for CSV, the LineNumberReader's line for lines), PATCHed through KIP-875
// into Tributary spooldir connectors created STOPPED (KIP-980) halfway through a file: each continues at the
// next row, and its own offsets then carry the `javaOffset` a handback gives back to the Java connector.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkerProcess } from '../support/worker-process.js';
import { consume, exampleConfig, JSON_CONVERTERS, spoolDirs, waitForFiles, writeOrders } from './spooldir/support.js';

describe('spooldir: offsets written by kafka-connect-spooldir', () => {
  let w: WorkerProcess;
  after(async () => {
    await w?.kill();
  });

  async function startStoppedWithJavaOffset(
    name: string,
    config: Record<string, string>,
    fileName: string,
    javaOffset: number,
  ): Promise<void> {
    const created = await w.request('POST', '/connectors', { name, config, initial_state: 'STOPPED' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const patched = await w.request('PATCH', `/connectors/${name}/offsets`, {
      offsets: [{ partition: { fileName }, offset: { offset: javaOffset } }],
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal((await w.request('PUT', `/connectors/${name}/resume`)).status, 202);
  }

  it('CSV (header + 50 rows read) and lines (50 read) continue at row 51', async () => {
    w = await WorkerProcess.create({ ...JSON_CONVERTERS });
    const csvDirs = await spoolDirs(join(w.dir, 'csv'));
    const lineDirs = await spoolDirs(join(w.dir, 'lines'));
    await w.start();
    await writeOrders(join(csvDirs.source, 'orders1.csv'), 1, 100);
    await writeFile(
      join(lineDirs.source, 'log1.txt'),
      Array.from({ length: 100 }, (_, i) => `line ${i + 1}\n`).join(''),
    );

    const csv = await exampleConfig(csvDirs, { topic: 'adopt-csv' });
    await startStoppedWithJavaOffset('adopt-csv', csv.config, 'orders1.csv', 51);
    await startStoppedWithJavaOffset(
      'adopt-lines',
      {
        'connector.class': 'com.github.jcustenborder.kafka.connect.spooldir.SpoolDirLineDelimitedSourceConnector',
        'input.path': lineDirs.source,
        'finished.path': lineDirs.finished,
        'error.path': lineDirs.error,
        'input.file.pattern': '^log.*\\.txt$',
        topic: 'adopt-lines',
      },
      'log1.txt',
      50,
    );
    await waitForFiles(csvDirs.finished, 1);
    await waitForFiles(lineDirs.finished, 1);

    const ids = (await consume(w, 'adopt-csv')).map(
      (r) => (JSON.parse(r.key!) as { payload: { order_id: number } }).payload.order_id,
    );
    assert.deepEqual(
      ids,
      Array.from({ length: 50 }, (_, i) => i + 51),
    );
    const lines = (await consume(w, 'adopt-lines')).map((r) => JSON.parse(r.value!) as { payload: string });
    assert.deepEqual(
      lines.map((l) => l.payload),
      Array.from({ length: 50 }, (_, i) => `line ${i + 51}`),
    );

    // Our offsets keep the Java count beside our record number: 101 lines (header + 100 rows) for CSV.
    const offsets = (await w.request('GET', '/connectors/adopt-csv/offsets')).body as {
      offsets: Array<{ offset: Record<string, unknown> }>;
    };
    assert.equal(offsets.offsets[0]!.offset.offset, 100);
    assert.equal(offsets.offsets[0]!.offset.javaOffset, 101);
  });
});
