import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkerProcess, freePort } from '../support/worker-process.js';
import {
  countTopic,
  createConnector,
  requireClients,
  scanTopic,
  syslogConnector,
  tcpConnect,
  waitForCount,
} from './syslog/helpers.js';

const SENDERS = Number(process.env.SYSLOG_SENDERS ?? 100);
const PER_SENDER = Number(process.env.SYSLOG_PER_SENDER ?? 10_000);

describe(`syslog source: ${SENDERS} concurrent TCP senders × ${PER_SENDER} messages`, () => {
  let w: WorkerProcess;
  after(async () => {
    await w?.stop();
  });

  it('puts every message in the topic, each exactly once', async () => {
    requireClients();
    w = await WorkerProcess.create({ 'key.converter': 'org.apache.kafka.connect.storage.StringConverter' });
    await w.start();
    const port = await freePort();
    await createConnector(
      w,
      syslogConnector('scale', {
        'syslog.listener': 'TCP',
        'syslog.port': String(port),
        'syslog.queue.batch.size': '2000',
      }),
    );
    const total = SENDERS * PER_SENDER;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: SENDERS }, async (_, s) => {
        const sock = await tcpConnect(port);
        // Half the senders use octet counting, half newline framing; each honours TCP backpressure.
        for (let i = 0; i < PER_SENDER; i += 500) {
          let text = '';
          for (let j = i; j < Math.min(PER_SENDER, i + 500); j++) {
            const m = `<134>1 2026-11-22T05:00:00.000Z sender-${s} app ${s} - - s=${s} n=${j}`;
            text += s % 2 === 0 ? `${m.length} ${m}` : `${m}\n`;
          }
          if (!sock.write(text)) await new Promise((r) => sock.once('drain', r));
        }
        await new Promise<void>((r) => sock.end(() => r()));
      }),
    );
    const sentSecs = (Date.now() - started) / 1000;
    await waitForCount(w, 'syslog', total, 600_000);
    const secs = (Date.now() - started) / 1000;
    console.log(
      `# ${total} messages from ${SENDERS} senders sent in ${sentSecs.toFixed(1)} s, all in the topic after ${secs.toFixed(1)} s (${Math.round(total / secs)} msg/s end to end, embedded log)`,
    );
    const seen = new Uint8Array(total);
    let dupes = 0;
    const read = await scanTopic(w, 'syslog', (text) => {
      const m = /s=(\d+) n=(\d+)/.exec(text)!;
      const idx = Number(m[1]) * PER_SENDER + Number(m[2]);
      if (seen[idx]) dupes++;
      seen[idx] = 1;
    });
    const missing = seen.reduce((n, v) => n + (v ? 0 : 1), 0);
    console.log(`# read back ${read} records: ${missing} missing, ${dupes} duplicates`);
    assert.equal(missing, 0);
    assert.equal(dupes, 0);
    assert.equal(await countTopic(w, 'syslog'), total);
  });
});
