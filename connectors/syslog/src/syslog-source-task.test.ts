import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect, createServer, type Socket } from 'node:net';
import { Struct, type Logger, type SourceRecord, type SourceTaskContext } from '@tributary/connect-api';
import { fakeSourceTaskContext } from '@tributary/connect-api/testing';
import { SyslogSourceTask } from './syslog-source-task.js';

const lines: string[] = [];
const logger: Logger = {
  debug: () => {},
  info: (m: unknown) => {
    lines.push(String(m));
  },
  warn: (m: unknown) => {
    lines.push(String(m));
  },
  error: (m: unknown) => {
    lines.push(String(m));
  },
} as Logger;

function context(connectorConfig: Record<string, string> = {}): SourceTaskContext {
  return fakeSourceTaskContext({ connector: 'syslog', connectorConfig, logger });
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

async function pollUntil(task: SyslogSourceTask, n: number, timeoutMs = 10_000): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < n && Date.now() < deadline) out.push(...((await task.poll()) ?? []));
  return out;
}

const value = (r: SourceRecord) => (r.value as Struct).toJSON();

describe('SyslogSourceTask over real sockets', () => {
  const tasks: SyslogSourceTask[] = [];
  after(async () => {
    for (const t of tasks) await t.stop();
  });

  async function startTask(
    props: Record<string, string>,
    connectorConfig: Record<string, string> = {},
  ): Promise<{ task: SyslogSourceTask; port: number }> {
    const port = await freePort();
    const task = new SyslogSourceTask();
    tasks.push(task);
    await task.start(
      { 'syslog.port': String(port), 'syslog.listen.address': '127.0.0.1', ...props },
      context(connectorConfig),
    );
    return { task, port };
  }

  it('turns TCP frames into records keyed by the sending host', async () => {
    const { task, port } = await startTask({ 'syslog.listener': 'TCP' });
    const s = connect(port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    const m5424 =
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3"] An application event';
    s.write(
      `${Buffer.byteLength(m5424)} ${m5424}<38>Mar  4 15:14:24 rpi-03 sshd[24150]: Invalid user mini from 114.130.4.16\nnot syslog at all\n`,
    );
    const recs = await pollUntil(task, 3);
    s.destroy();
    assert.equal(recs.length, 3);
    const [a, b, c] = recs.map(value);
    assert.equal(recs[0]!.key, 'mymachine.example.com');
    assert.equal(a!.facility, 20);
    assert.equal(a!.msg_id, 'ID47');
    assert.equal(a!.type, 'RFC5424');
    assert.match(String(a!.remote_address), /^\/127\.0\.0\.1:\d+$/);
    assert.equal((a!.structured_data as Struct[])[0]!.get('id'), 'exampleSDID@32473');
    assert.equal(recs[1]!.key, 'rpi-03');
    assert.deepEqual(
      [b!.host, b!.level, b!.facility, b!.app_name, b!.proc_id, b!.charset],
      ['rpi-03', 6, 4, 'sshd', '24150', 'UTF-8'],
    );
    assert.equal(recs[2]!.key, '127.0.0.1');
    assert.equal(c!.raw, 'not syslog at all');
    assert.match(String(c!.parse_error), /not syslog/);
    assert.equal(recs[2]!.topic, 'syslog');
  });

  it('sends what does not parse to the dead-letter topic when the connector has one', async () => {
    const { task, port } = await startTask(
      { 'syslog.listener': 'UDP', topic: 'logs' },
      { 'errors.deadletterqueue.topic.name': 'logs-dlq' },
    );
    const u = createSocket('udp4');
    u.send('garbage \xff', port, '127.0.0.1');
    u.send('<13>1 - h a - - - fine', port, '127.0.0.1');
    const recs = await pollUntil(task, 2);
    u.close();
    const byTopic = Object.fromEntries(recs.map((r) => [r.topic, r]));
    assert.equal(value(byTopic['logs']!).message, 'fine');
    assert.match(String(value(byTopic['logs-dlq']!).parse_error), /not syslog/);
    assert.ok(byTopic['logs-dlq']!.headers.some((h) => h.key === '__connect.errors.exception.message'));
  });

  it('marks invalid UTF-8 and still delivers the message', async () => {
    const { task, port } = await startTask({ 'syslog.listener': 'UDP' });
    const u = createSocket('udp4');
    u.send(Buffer.concat([Buffer.from('<13>1 - h a - - - bad '), Buffer.from([0xc3, 0x28, 0xff])]), port, '127.0.0.1');
    const [r] = await pollUntil(task, 1);
    u.close();
    assert.match(String(value(r!).parse_error), /invalid UTF-8/);
    assert.equal(value(r!).host, 'h');
  });

  it('stops reading TCP sockets while the queue is full, and loses nothing', async () => {
    const { task, port } = await startTask({
      'syslog.listener': 'TCP',
      'syslog.queue.max.size': '500',
      'syslog.queue.batch.size': '500',
    });
    const total = 100_000;
    const s: Socket = connect(port, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    let blocked = false;
    for (let i = 0; i < total; i++) {
      if (!s.write(`<13>1 - h a - - - message ${i} ${'p'.repeat(100)}\n`)) blocked = true;
    }
    // Nobody polls: the queue fills, the task pauses the socket, and the sender's data waits in buffers.
    await new Promise((r) => setTimeout(r, 500));
    const stalled = await task.stats();
    console.log(
      `# with nobody polling: ${stalled.queued} queued (bound 500 + one read), sender still buffering ${s.writableLength} bytes`,
    );
    assert.ok(stalled.queued < 500 + 1000, `queue grew to ${stalled.queued}`);
    assert.ok(blocked && s.writableLength > 0, 'the sender should be held back');
    const recs = await pollUntil(task, total, 60_000);
    s.destroy();
    assert.equal(recs.length, total);
    assert.equal(value(recs[total - 1]!).message, `message ${total - 1} ${'p'.repeat(100)}`);
  });

  it('counts UDP datagrams dropped because the queue is full', async () => {
    const { task, port } = await startTask({
      'syslog.listener': 'UDP',
      'syslog.queue.max.size': '10',
      'syslog.stats.interval.ms': '100',
    });
    const u = createSocket('udp4');
    for (let i = 0; i < 200; i++) u.send(`<13>1 - h a - - - ${i}`, port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 300));
    const st = await task.stats();
    const recs = await pollUntil(task, 1, 500);
    u.close();
    console.log(
      `# UDP: 200 sent, ${st.received} received, ${st.udpQueueDrops} dropped at the full queue, ${st.udpKernelDrops} by the kernel`,
    );
    assert.equal(st.received + st.udpQueueDrops + (st.udpKernelDrops ?? 0), 200);
    assert.ok(st.udpQueueDrops > 0);
    assert.ok(recs.length >= 10);
    // The figures reach the worker log as a WARN line, with what to do about them.
    const warn = lines.find((l) => /udp_queue_full_drops=[1-9]/.test(l));
    assert.ok(warn, `no stats warning in ${JSON.stringify(lines)}`);
    assert.match(warn!, /raise syslog.queue.max.size or use TCP/);
  });

  it('reads the datagrams the kernel dropped from /proc/net/udp', async () => {
    const { task, port } = await startTask({
      'syslog.listener': 'UDP',
      'syslog.udp.receive.buffer.bytes': '4096',
      'syslog.stats.interval.ms': '100',
    });
    // Another process sends while this one's event loop is busy, so the small receive buffer overflows.
    const sender = spawn(process.execPath, [
      '-e',
      `
      const s = require('node:dgram').createSocket('udp4'); let n = 0;
      const next = () => { if (n++ >= 2000) return s.close(); s.send('<13>1 - h a - - - ' + 'x'.repeat(200), ${port}, '127.0.0.1', next); };
      next();`,
    ]);
    const busyUntil = Date.now() + 1500;
    while (Date.now() < busyUntil) {
      /* keep the event loop from reading the socket */
    }
    await new Promise((r) => sender.once('exit', r));
    await new Promise((r) => setTimeout(r, 300));
    const st = await task.stats();
    console.log(
      `# UDP with a 4 KiB receive buffer and a busy worker: ${st.received} received, ${st.udpKernelDrops} dropped by the kernel`,
    );
    assert.ok((st.udpKernelDrops ?? 0) > 0, 'expected kernel drops');
    assert.equal(st.received + st.udpKernelDrops! + st.udpQueueDrops, 2000);
    assert.ok(lines.some((l) => /udp_kernel_drops=[1-9].*raise syslog.udp.receive.buffer.bytes/.test(l)));
  });

  it('says which port is taken', async () => {
    const { port } = await startTask({ 'syslog.listener': 'TCP' });
    const t = new SyslogSourceTask();
    await assert.rejects(
      t.start(
        { 'syslog.port': String(port), 'syslog.listen.address': '127.0.0.1', 'syslog.listener': 'TCP' },
        context(),
      ),
      /cannot listen on TCP 127.0.0.1:\d+: .*EADDRINUSE.*choose another syslog.port/,
    );
    await t.stop();
  });
});
