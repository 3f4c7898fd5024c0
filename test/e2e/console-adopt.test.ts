// The console's Adopt page (POST /tributary/adopt and /tributary/handback, run by the worker) in Debian's
// chromium, between a real Kafka Connect 3.9.2 distributed worker (jars from Maven Central through
// bench/debezium.mjs) and a Tributary distributed worker on the same Kafka: an unreachable URL refused, the dry
// run's table, a FileStreamSource moving lines, an idle one and a FileStreamSink moved in and handed back, each
// step and outcome shown; then every line arrived.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { openBrowser, screenshots } from '../support/browser.js';
import { appendLines, numberedLine, sinkLines } from '../support/lines.js';
import { ensureService } from '../support/services.js';
import { tempDir, waitFor, WorkerProcess } from '../support/worker-process.js';
import { create, running, startJavaConnect, status, type JavaWorker } from './adopt/connect-rest.js';
import { JSON_CONVERTERS } from './postgres-cdc/cdc-harness.js';

const tag = `adopt-ui-${Date.now()}`;
const TOPIC = `${tag}-lines`;
const NAMES = { src: 'adopt-ui-src', idle: 'adopt-ui-idle', sink: 'adopt-ui-sink' };

describe('console: adopt from Kafka Connect 3.9.2 and hand back', () => {
  let java: JavaWorker;
  let ours: WorkerProcess;
  let context: BrowserContext;
  let page: Page;
  let output: string;
  let written = 0;
  let writing: Promise<void> | null = null;
  let stopWriting = false;

  before(async () => {
    ensureService('kafka');
    const dir = await tempDir('adopt-ui-');
    const input = join(dir, 'in.txt');
    const idle = join(dir, 'idle.txt');
    output = join(dir, 'out.txt');
    await writeFile(input, '');
    await writeFile(idle, '');
    [java, ours] = await Promise.all([
      startJavaConnect({ dir, group: `${tag}-java` }),
      WorkerProcess.distributed(`${tag}-ours`, { ...JSON_CONVERTERS }),
    ]);
    await ours.start();
    await create(java.url, NAMES.src, { 'connector.class': 'FileStreamSource', file: input, topic: TOPIC });
    await create(java.url, NAMES.idle, { 'connector.class': 'FileStreamSource', file: idle, topic: `${tag}-idle` });
    await create(java.url, NAMES.sink, { 'connector.class': 'FileStreamSink', file: output, topics: TOPIC });
    for (const n of Object.values(NAMES))
      await waitFor(`${n} RUNNING in Kafka Connect`, async () => running(await status(java.url, n)), 120_000);
    // 50 lines/s into the source's file until the end.
    writing = (async () => {
      while (!stopWriting) {
        await appendLines(input, written, written + 5);
        written += 5;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    ({ context, page } = await openBrowser());
  });

  after(async () => {
    stopWriting = true;
    await writing?.catch(() => undefined);
    await context?.close().catch(() => undefined);
    await Promise.all([java?.stop(), ours?.stop()]);
  });

  /** Dry run against `url` in `direction`, then move every planned connector; returns the outcome table's text. */
  async function move(direction: 'Adopt into this cluster' | 'Hand back to Kafka Connect', url: string) {
    await page.getByRole('radio', { name: direction }).check();
    await page.fill('#adopt-url', url);
    await page.getByRole('button', { name: 'Dry run', exact: true }).click();
    const plan = page.getByRole('table', { name: 'Dry run' });
    await plan.waitFor();
    for (const n of Object.values(NAMES)) {
      const row = plan.getByRole('row').filter({ hasText: n });
      assert.match(await row.innerText(), /FileStream(Source|Sink)\s+yes [\s\S]*planned: would move/);
      assert.equal(await row.getByRole('checkbox').isChecked(), true, `${n} picked`);
    }
    await screenshots(page, direction.startsWith('Adopt') ? 'adopt-plan' : 'handback-plan');
    const verb = direction.startsWith('Adopt') ? 'Move' : 'Hand back';
    await page.getByRole('button', { name: `${verb} selected`, exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: verb, exact: true }).click();
    const outcome = page.getByRole('table', { name: 'Outcome' });
    await waitFor(
      'three outcomes',
      async () => (await outcome.getByRole('row').count()) === 4, // with the header
      180_000,
      500,
    );
    await screenshots(page, direction.startsWith('Adopt') ? 'adopt-outcome' : 'handback-outcome');
    const steps = await page.getByRole('list', { name: 'Steps' }).innerText();
    for (const step of ['stopping in', 'creating STOPPED in', 'resuming in', 'verifying in', 'deleting from'])
      assert.ok(steps.includes(step), `step "${step}" shown:\n${steps}`);
    const rows: Record<string, string> = {};
    for (const n of Object.values(NAMES)) rows[n] = await outcome.getByRole('row').filter({ hasText: n }).innerText();
    console.log(`# ${verb}:\n${Object.values(rows).join('\n')}`);
    for (const n of Object.values(NAMES)) assert.match(rows[n]!, /\bmoved\b/, rows[n]);
    assert.match(rows[NAMES.src]!, /moving[\s\S]*records moving/);
    assert.match(rows[NAMES.sink]!, /moving[\s\S]*records moving/);
    assert.match(rows[NAMES.idle]!, /idle[\s\S]*none expected/);
  }

  it('refuses an unreachable Kafka Connect clearly, and moves nothing', async () => {
    await page.goto(`${ours.url}/ui/#/adopt`);
    await page.fill('#adopt-url', 'http://127.0.0.1:1');
    await page.getByRole('button', { name: 'Dry run', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /Nothing moved: cannot reach the worker at http:\/\/127\.0\.0\.1:1/);
    assert.deepEqual(await (await fetch(`${ours.url}/connectors`)).json(), []);
  });

  it('adopts the three through the page: dry-run table, steps, outcome with records moving or idle', async () => {
    await move('Adopt into this cluster', java.url);
    for (const n of Object.values(NAMES)) {
      assert.ok(running(await status(ours.url, n)), `${n} runs in Tributary`);
      assert.equal(await status(java.url, n), null, `${n} deleted from Connect`);
    }
  });

  it('hands them back to Kafka Connect through the page; every line arrived', async () => {
    await new Promise((r) => setTimeout(r, 2000)); // lines through Tributary
    await move('Hand back to Kafka Connect', java.url);
    for (const n of Object.values(NAMES)) {
      await waitFor(`${n} RUNNING in Connect`, async () => running(await status(java.url, n)), 60_000);
      assert.equal(await status(ours.url, n), null, `${n} deleted from Tributary`);
    }
    await new Promise((r) => setTimeout(r, 2000)); // lines through Connect again
    stopWriting = true;
    await writing;
    const expected = new Set(Array.from({ length: written }, (_, i) => numberedLine(i)));
    const got = await waitFor(
      `${written} lines in the sink file`,
      async () => {
        const lines = await sinkLines(output);
        const have = new Set(lines);
        return [...expected].every((l) => have.has(l)) ? lines : null;
      },
      60_000,
      1000,
    );
    console.log(
      `# lines ${written}: all arrived, ${got.length - new Set(got).size} duplicates (FileStream: at least once)`,
    );
  });
});
