import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { openBrowser, screenshots } from '../support/browser.js';
import { appendLines, numberedLine, sinkLines } from '../support/lines.js';
import { WorkerProcess, waitFor } from '../support/worker-process.js';

// The web console at /ui/ of a standalone worker on the embedded log, driven in Debian's chromium.

const FILE_SOURCE = 'org.apache.kafka.connect.file.FileStreamSourceConnector';
const FILE_SINK = 'org.apache.kafka.connect.file.FileStreamSinkConnector';

/** Clicks a button, then the confirming button of the dialog it opens. */
async function confirmed(page: Page, button: string, confirm = 'Yes, do it'): Promise<void> {
  await page.getByRole('button', { name: button, exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: confirm }).click();
}

describe('web console', () => {
  const workers: WorkerProcess[] = [];
  const browsers: BrowserContext[] = [];
  after(async () => {
    for (const b of browsers) await b.close().catch(() => undefined);
    for (const w of workers) await w.kill();
  });

  async function start(extra: Record<string, string> = {}, credentials?: { username: string; password: string }) {
    const w = await WorkerProcess.create(extra);
    workers.push(w);
    await w.start();
    const { context, page } = await openBrowser(credentials ? { httpCredentials: credentials } : {});
    browsers.push(context);
    return { w, page };
  }

  it('creates a file source and sink through the form, shows records/s, pauses and resumes, and taps the topic, behind basic auth', async () => {
    const auth = { username: 'ops', password: 's3cret' };
    const { w, page } = await start({ 'rest.basic.auth.users': 'ops:s3cret' }, auth);
    const header = { authorization: `Basic ${Buffer.from('ops:s3cret').toString('base64')}` };
    const status = async (name: string) =>
      (await (await fetch(`${w.url}/connectors/${name}/status`, { headers: header })).json()) as {
        connector: { state: string };
      };
    assert.equal((await fetch(`${w.url}/ui/`)).status, 401, 'the console is behind the same basic auth as the API');
    assert.equal((await fetch(`${w.url}/ui/`, { headers: header })).status, 200);
    const input = join(w.dir, 'in.txt');
    const output = join(w.dir, 'out.txt');
    await writeFile(input, '');

    await page.goto(`${w.url}/ui/#/new`);
    await page.selectOption('#plugin', FILE_SOURCE);
    await page.fill('#name', 'lines-in');
    await page.fill('#cfg-file', input);
    await page.fill('#cfg-topic', 'lines');
    await screenshots(page, 'new-connector');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'lines-in' }).waitFor();

    await page.goto(`${w.url}/ui/#/new`);
    await page.selectOption('#plugin', FILE_SINK);
    await page.fill('#name', 'lines-out');
    await page.fill('#cfg-file', output);
    await page.fill('#cfg-topics', 'lines');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'lines-out' }).waitFor();

    // A writer keeps appending while we watch.
    let n = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        await appendLines(input, n, n + 20);
        n += 20;
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    try {
      await page.goto(`${w.url}/ui/#/`);
      for (const chart of ['lines-in records per second in', 'lines-out records per second out']) {
        const rate = page.locator(`[aria-label^="${chart}"]`);
        await waitFor(
          `${chart} above 0 on the overview`,
          async () => {
            const label = (await rate.getAttribute('aria-label')) ?? '';
            return /: [1-9]/.test(label) ? label : null;
          },
          40_000,
          500,
        );
      }
      await screenshots(page, 'overview');

      await page.getByRole('link', { name: 'lines-in' }).click();
      await page.getByRole('heading', { level: 1, name: 'lines-in' }).waitFor();
      await confirmed(page, 'Pause');
      await waitFor('lines-in PAUSED', async () => (await status('lines-in')).connector.state === 'PAUSED', 10_000);
      await page.getByRole('button', { name: 'Resume', exact: true }).waitFor();
      const pausedAt = (await sinkLines(output)).length;
      await confirmed(page, 'Resume');
      await waitFor('lines-in RUNNING', async () => (await status('lines-in')).connector.state === 'RUNNING', 10_000);
      await waitFor(
        'lines flowing again after resume',
        async () => (await sinkLines(output)).length > pausedAt + 100,
        20_000,
      );
      await screenshots(page, 'connector');

      await page.goto(`${w.url}/ui/#/tap/lines`);
      await page.locator('table.records tbody tr').first().waitFor();
      await waitFor(
        'ten lines in the tap',
        async () => (await page.locator('table.records tbody tr').count()) >= 10,
        20_000,
      );
      assert.match(await page.locator('table.records tbody tr').first().innerText(), /line-\d{7}/);
      // A 1 MB line arrives cut, with its size; one with control bytes as hex. The page stays responsive.
      await appendFile(input, `${'m'.repeat(1024 * 1024)}\n\u0001\u0002binary\n`);
      await page
        .locator('table.records code', { hasText: /1.?048.?576 bytes in all/ })
        .first()
        .waitFor();
      await page.locator('table.records code.hex', { hasText: '0x0102' }).first().waitFor();
      const typed = Date.now();
      await page.fill('input[type=search]', 'line-');
      assert.ok(Date.now() - typed < 5000, 'the filter answers while records stream');
      await page.fill('input[type=search]', '');
      await page.getByRole('button', { name: 'Pause', exact: true }).click();
      await screenshots(page, 'tap');

      await page.goto(`${w.url}/ui/#/worker`);
      await page.getByText('standalone, embedded log').waitFor();
      await screenshots(page, 'worker');
    } finally {
      writing = false;
      await writer;
    }
  });

  it('shows a failed sink task with its trace, and auto-restart brings it back once its path is writable again', async () => {
    const { w, page } = await start({
      'auto.restart.enabled': 'true',
      'auto.restart.backoff.initial.ms': '1000',
      'auto.restart.backoff.max.ms': '2000',
    });
    const input = join(w.dir, 'in.txt');
    const outDir = join(w.dir, 'out');
    const output = join(outDir, 'out.txt');
    await mkdir(outDir);
    await appendLines(input, 0, 100);
    await w.request('POST', '/connectors', {
      name: 'src',
      config: { 'connector.class': FILE_SOURCE, file: input, topic: 'lines' },
    });
    await w.request('POST', '/connectors', {
      name: 'dst',
      config: { 'connector.class': FILE_SINK, file: output, topics: 'lines' },
    });
    await waitFor('100 lines out', async () => (await sinkLines(output)).length === 100, 30_000);

    // The sink's directory goes away: restarted, the task cannot open its file.
    await rm(outDir, { recursive: true });
    await page.goto(`${w.url}/ui/#/connectors/dst`);
    await confirmed(page, 'Restart');
    await page.locator('pre.trace', { hasText: 'ENOENT' }).first().waitFor({ timeout: 20_000 });
    await screenshots(page, 'connector-failed');
    await appendLines(input, 100, 200);

    await mkdir(outDir);
    await waitFor(
      'the task RUNNING again by itself',
      async () => {
        const s = (
          await w.request<{ tasks: Array<{ state: string; restarts?: number }> }>('GET', '/connectors/dst/status')
        ).body;
        return s.tasks[0]?.state === 'RUNNING' && (s.tasks[0].restarts ?? 0) >= 1 ? s : null;
      },
      30_000,
      250,
    );
    await page
      .getByText(/\d+ auto-restarts/)
      .first()
      .waitFor();
    const out = await waitFor(
      'the lines written while it was down',
      async () => {
        const l = await sinkLines(output);
        return l.at(-1) === numberedLine(199) ? l : null;
      },
      30_000,
    );
    assert.ok(out.includes(numberedLine(100)), 'nothing lost while the task was down');
    const metrics = await (await fetch(`${w.url}/metrics`)).text();
    assert.match(metrics, /tributary_auto_restarts_total\{connector="dst",task="0"\} [1-9]/);
  });

  it('browses 100 poison records in the dead letter queue, and re-drives them all once the cause is fixed', async () => {
    const { w, page } = await start();
    const input = join(w.dir, 'orders.txt');
    const output = join(w.dir, 'orders-out.txt');
    await appendLines(input, 0, 100, (i) => `order ${i} (not JSON)`);
    await w.request('POST', '/connectors', {
      name: 'orders-in',
      config: { 'connector.class': FILE_SOURCE, file: input, topic: 'orders' },
    });
    await w.request('POST', '/connectors', {
      name: 'orders-out',
      config: {
        'connector.class': FILE_SINK,
        file: output,
        topics: 'orders',
        'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
        'value.converter.schemas.enable': 'false',
        'errors.tolerance': 'all',
        'errors.deadletterqueue.topic.name': 'orders-dlq',
        'errors.deadletterqueue.context.headers.enable': 'true',
      },
    });

    await page.goto(`${w.url}/ui/#/dlq/orders-out`);
    await waitFor(
      '100 records in the DLQ view',
      async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        return (await page.getByText('100 records in orders-dlq, 0 re-driven').count()) === 1;
      },
      30_000,
      1000,
    );
    const first = page.locator('table.records tbody tr').first();
    assert.match(await first.innerText(), /VALUE_CONVERTER/);
    assert.match(await first.innerText(), /orders\/0\/0/);
    await screenshots(page, 'dlq');
    assert.equal((await sinkLines(output)).length, 0);

    // The cause: the sink expects JSON. Fixed in the config editor, validated as typed.
    await page.goto(`${w.url}/ui/#/connectors/orders-out`);
    await page.fill('#cfg-value-converter', 'NoSuchConverter');
    await page.getByText('Cannot save').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Save config' }).isDisabled(), true);
    await page.fill('#cfg-value-converter', 'org.apache.kafka.connect.storage.StringConverter');
    await page.getByText('Cannot save').waitFor({ state: 'detached' });
    await confirmed(page, 'Save config', 'Save');
    await page.getByText('Saved.').waitFor();

    await page.goto(`${w.url}/ui/#/dlq/orders-out`);
    await page.getByText('100 records in orders-dlq').waitFor();
    await confirmed(page, 'Re-drive all', 'Re-drive');
    await page.getByText('Re-driven: 100 sent.').waitFor();
    const out = await waitFor(
      'all 100 in the sink',
      async () => {
        const l = await sinkLines(output);
        return l.length >= 100 ? l : null;
      },
      30_000,
    );
    assert.deepEqual(
      out,
      Array.from({ length: 100 }, (_, i) => `order ${i} (not JSON)`),
    );
    await page.getByText('100 records in orders-dlq, 100 re-driven').waitFor();
    await screenshots(page, 'dlq-redriven');

    // A second re-drive asks first; declined, nothing is sent.
    await confirmed(page, 'Re-drive all', 'Re-drive');
    const dialog = page.getByRole('dialog');
    await dialog.getByText('100 of these were re-driven before').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal((await sinkLines(output)).length, 100);
  });

  it('a worker stops at once while a browser still taps a topic (regression: the open stream held up the shutdown)', async () => {
    const w = await WorkerProcess.create();
    workers.push(w);
    await w.start();
    const res = await fetch(`${w.url}/tributary/topics/quiet/tap`);
    const reader = res.body!.getReader();
    assert.match(new TextDecoder().decode((await reader.read()).value), /event: open/);
    const started = Date.now();
    await w.stop();
    const secs = (Date.now() - started) / 1000;
    assert.ok(secs < 15, `stopped in ${secs} s`);
    await reader.cancel().catch(() => undefined);
  });

  it('edits the offsets of a STOPPED file source, which resumes from there', async () => {
    const { w, page } = await start();
    const input = join(w.dir, 'numbers.txt');
    const output = join(w.dir, 'numbers-out.txt');
    const lines = Array.from({ length: 10 }, (_, i) => `n${i}`);
    await writeFile(input, lines.join('\n') + '\n');
    await w.request('POST', '/connectors', {
      name: 'numbers-in',
      config: { 'connector.class': FILE_SOURCE, file: input, topic: 'numbers' },
    });
    await w.request('POST', '/connectors', {
      name: 'numbers-out',
      config: { 'connector.class': FILE_SINK, file: output, topics: 'numbers' },
    });
    await waitFor('10 lines out', async () => (await sinkLines(output)).length === 10, 30_000);

    await page.goto(`${w.url}/ui/#/connectors/numbers-in`);
    // With the keyboard alone: the dialog takes focus on Cancel, Tab reaches the confirming button.
    await page.getByRole('button', { name: 'Stop', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Cancel');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.locator('pre.offsets', { hasText: '"position": 30' }).waitFor();
    await page.getByRole('button', { name: 'Edit offsets' }).click();
    const editor = page.getByLabel(/Offsets to write/);
    const current = JSON.parse(await editor.inputValue()) as {
      offsets: Array<{ partition: unknown; offset: { position: number } }>;
    };
    assert.equal(current.offsets[0]!.offset.position, 30, 'ten lines of three bytes read');
    current.offsets[0]!.offset.position = 15; // the start of n5
    await editor.fill(JSON.stringify(current, null, 2));
    await confirmed(page, 'Write offsets', 'Yes');
    await page
      .getByText(/offsets .* altered|successfully/i)
      .first()
      .waitFor();
    await screenshots(page, 'connector-offsets');
    await confirmed(page, 'Resume');
    const out = await waitFor(
      'n5..n9 again',
      async () => {
        const l = await sinkLines(output);
        return l.length >= 15 ? l : null;
      },
      30_000,
    );
    assert.deepEqual(out, [...lines, 'n5', 'n6', 'n7', 'n8', 'n9']);
  });
});
