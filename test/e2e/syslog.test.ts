import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { hostname } from 'node:os';
import type { Socket } from 'node:net';
import { WorkerProcess, freePort, waitFor } from '../support/worker-process.js';
import {
  createConnector,
  logger,
  readTopic,
  requireClients,
  selfSignedCert,
  startRsyslog,
  syslogConnector,
  tcpConnect,
  tcpSend,
  waitForCount,
  type TopicRecord,
} from './syslog/helpers.js';

const HOST = hostname();
const byMessage = (recs: TopicRecord[], text: string) =>
  recs.find((r) => String(r.value.message ?? '').includes(text) || String(r.value.raw).includes(text));

describe('syslog source: real clients (util-linux logger, rsyslog) over UDP, TCP and TLS', () => {
  let w: WorkerProcess;
  let rsyslog: ChildProcess | null = null;
  const ports = { udp: 0, tcp: 0, tls: 0, relay: 0 };

  before(async () => {
    requireClients();
    w = await WorkerProcess.create();
    await w.start();
    for (const k of Object.keys(ports) as Array<keyof typeof ports>) ports[k] = await freePort();
    const { cert, key } = await selfSignedCert(w.dir);
    await createConnector(
      w,
      syslogConnector('syslog-udp', {
        'syslog.listener': 'UDP',
        'syslog.port': String(ports.udp),
        'syslog.stats.interval.ms': '200',
      }),
    );
    // jcustenborder's class name: the listener comes from the class.
    await createConnector(
      w,
      syslogConnector('syslog-tcp', {
        'connector.class': 'com.github.jcustenborder.kafka.connect.syslog.TCPSyslogSourceConnector',
        'syslog.port': String(ports.tcp),
      }),
    );
    await createConnector(
      w,
      syslogConnector('syslog-tls', {
        'syslog.listener': 'TCPSSL',
        'syslog.port': String(ports.tls),
        'syslog.ssl.cert.chain.path': cert,
        'syslog.ssl.key.path': key,
      }),
    );
    // rsyslog relays what logger sends it over UDP: to the TLS listener and, octet-counted, to the TCP one.
    rsyslog = await startRsyslog(
      w.dir,
      ports.relay,
      [
        `port="${ports.tls}" protocol="tcp" StreamDriver="ossl" StreamDriverMode="1" StreamDriverAuthMode="anon" TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format"`,
        `port="${ports.tcp}" protocol="tcp" TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format"`,
      ],
      `DefaultNetstreamDriver="ossl" DefaultNetstreamDriverCAFile="${cert}"`,
    );
  });
  after(async () => {
    rsyslog?.kill('SIGTERM');
    await w?.stop();
  });

  it('logger over UDP, RFC 5424 with structured data', async () => {
    await logger([
      '--server',
      '127.0.0.1',
      '--port',
      String(ports.udp),
      '--udp',
      '--rfc5424',
      '-p',
      'auth.warning',
      '-t',
      'sshd',
      '--id=4242',
      '--msgid',
      'LOGIN',
      '--sd-id',
      'origin@32473',
      '--sd-param',
      'ip="10.0.0.7"',
      '--sd-param',
      'note="two words"',
      'udp-5424 Invalid user mini from 114.130.4.16',
    ]);
    await waitForCount(w, 'syslog', 1);
    const r = byMessage(await readTopic(w, 'syslog'), 'udp-5424')!;
    assert.ok(r, 'message not in topic syslog');
    const v = r.value;
    assert.equal(r.key, HOST);
    assert.deepEqual(
      [v.type, v.version, v.facility, v.level, v.host, v.app_name, v.proc_id, v.msg_id, v.charset, v.parse_error],
      ['RFC5424', 1, 4, 4, HOST, 'sshd', '4242', 'LOGIN', 'UTF-8', null],
    );
    assert.equal(v.message, 'udp-5424 Invalid user mini from 114.130.4.16');
    assert.match(String(v.remote_address), /^\/127\.0\.0\.1:\d+$/);
    assert.ok(Math.abs(Number(v.date) - Date.now()) < 60_000, `date ${String(v.date)}`);
    const sd = v.structured_data as Array<{ id: string; params: Record<string, string> }>;
    assert.deepEqual(sd.find((e) => e.id === 'origin@32473')?.params, { ip: '10.0.0.7', note: 'two words' });
    assert.match(String(v.raw), /^<36>1 /);
    // Drop counters are task metrics: GET /metrics shows the kernel's UDP drops for this listener.
    const metrics = await waitFor('UDP drop metrics', async () => {
      const text = await (await fetch(`${w.url}/metrics`)).text();
      return /tributary_task_syslog_udp_kernel_drops\{connector="syslog-udp",task="0"\} \d+/.test(text) ? text : null;
    });
    assert.match(metrics, /tributary_task_syslog_udp_queue_full_drops\{connector="syslog-udp",task="0"\} 0/);
    // ... and the task's status carries the same figures.
    const status = (
      await w.request<{ tasks: Array<{ state: string; metrics?: Record<string, number> }> }>(
        'GET',
        '/connectors/syslog-udp/status',
      )
    ).body;
    console.log(`# status: ${JSON.stringify(status.tasks[0])}`);
    assert.equal(typeof status.tasks[0]!.metrics?.syslog_udp_kernel_drops, 'number');
    assert.equal(status.tasks[0]!.metrics?.syslog_udp_queue_full_drops, 0);
  });

  it('logger over TCP, RFC 3164 with newline framing and RFC 5424 with octet counting', async () => {
    await logger([
      '--server',
      '127.0.0.1',
      '--port',
      String(ports.tcp),
      '--tcp',
      '--rfc3164',
      '-p',
      'local3.err',
      '-t',
      'cron',
      '--id=77',
      'tcp-3164 job failed',
    ]);
    await logger([
      '--server',
      '127.0.0.1',
      '--port',
      String(ports.tcp),
      '--tcp',
      '--octet-count',
      '--rfc5424',
      '-p',
      'daemon.info',
      '-t',
      'app',
      'tcp-5424 with ünïcödé ✓',
    ]);
    await waitFor('both TCP messages', async () => {
      const recs = await readTopic(w, 'syslog');
      return byMessage(recs, 'tcp-3164') && byMessage(recs, 'tcp-5424');
    });
    const recs = await readTopic(w, 'syslog');
    const bsd = byMessage(recs, 'tcp-3164')!.value;
    assert.deepEqual(
      [bsd.type, bsd.facility, bsd.level, bsd.host, bsd.app_name, bsd.proc_id, bsd.message, bsd.version],
      ['RFC3164', 19, 3, HOST, 'cron', '77', 'cron[77]: tcp-3164 job failed', null],
    );
    const ietf = byMessage(recs, 'tcp-5424')!.value;
    assert.deepEqual(
      [ietf.type, ietf.facility, ietf.level, ietf.app_name, ietf.message],
      ['RFC5424', 3, 6, 'app', 'tcp-5424 with ünïcödé ✓'],
    );
  });

  it('rsyslog forwarding over TLS (octet counting) and over plain TCP', async () => {
    await logger([
      '--server',
      '127.0.0.1',
      '--port',
      String(ports.relay),
      '--udp',
      '--rfc5424',
      '-p',
      'user.notice',
      '-t',
      'relayed',
      'via-rsyslog hello over TLS',
    ]);
    // One message, two copies: rsyslog forwards it to the TLS and the TCP listener.
    const copies = await waitFor(
      'the relayed message over TLS and TCP',
      async () => {
        const found = (await readTopic(w, 'syslog')).filter((r) => String(r.value.message).includes('via-rsyslog'));
        return found.length >= 2 ? found : null;
      },
      30_000,
    );
    for (const r of copies) {
      assert.deepEqual(
        [r.value.type, r.value.facility, r.value.level, r.value.app_name, r.value.host, r.value.parse_error],
        ['RFC5424', 1, 5, 'relayed', HOST, null],
      );
      assert.equal(r.value.message, 'via-rsyslog hello over TLS');
    }
    const status = await w.request<{ tasks: Array<{ state: string }> }>('GET', '/connectors/syslog-tls/status');
    assert.equal(status.body.tasks[0]!.state, 'RUNNING');
    console.log(`# rsyslog relayed one logger message to the TLS and TCP listeners: ${copies.length} records`);
  });
});

describe("syslog source: the brief's filter (HOST = 'rpi-03' AND MESSAGE LIKE '%Invalid user%')", () => {
  let w: WorkerProcess;
  before(async () => {
    requireClients();
    w = await WorkerProcess.create();
    await w.start();
  });
  after(async () => {
    await w?.stop();
  });

  const isAttack = {
    predicates: 'isAttack',
    'predicates.isAttack.type': 'io.tributary.transforms.predicates.FieldValueMatches',
    'predicates.isAttack.field': 'host,message',
    'predicates.isAttack.pattern': '^rpi-03$,Invalid user',
  };
  const lines = [
    '<38>Mar  4 15:14:24 rpi-03 sshd[24150]: Invalid user mini from 114.130.4.16',
    '<38>Mar  4 15:14:25 rpi-03 sshd[24150]: Accepted publickey for pi from 192.168.10.2',
    '<38>Mar  4 15:14:26 rpi-04 sshd[1001]: Invalid user admin from 114.130.4.16',
    '<38>Mar  4 15:14:27 rpi-03x sshd[1]: Invalid user root from 1.2.3.4',
    '<86>1 2026-11-22T05:00:00Z rpi-03 sshd 99 - - Invalid user oracle from 5.6.7.8',
  ];

  it('routes matches to a second topic with RegexRouter + the FieldValueMatches predicate (one port)', async () => {
    const port = await freePort();
    await createConnector(
      w,
      syslogConnector('home', {
        'syslog.listener': 'TCP',
        'syslog.port': String(port),
        topic: 'syslog-home',
        transforms: 'attacks',
        'transforms.attacks.type': 'org.apache.kafka.connect.transforms.RegexRouter',
        'transforms.attacks.regex': '.*',
        'transforms.attacks.replacement': 'ssh-attacks',
        'transforms.attacks.predicate': 'isAttack',
        ...isAttack,
      }),
    );
    await tcpSend(port, lines.join('\n') + '\n');
    await waitForCount(w, 'ssh-attacks', 2);
    await waitForCount(w, 'syslog-home', 3);
    const attacks = (await readTopic(w, 'ssh-attacks')).map((r) => r.value.message);
    assert.deepEqual(attacks, ['sshd[24150]: Invalid user mini from 114.130.4.16', 'Invalid user oracle from 5.6.7.8']);
    assert.equal((await readTopic(w, 'syslog-home')).length, 3);
  });

  it('keeps only matches with the Filter transform, on a second listener fed the same stream', async () => {
    const all = await freePort();
    const onlyAttacks = await freePort();
    await createConnector(
      w,
      syslogConnector('all', { 'syslog.listener': 'UDP', 'syslog.port': String(all), topic: 'syslog-all' }),
    );
    await createConnector(
      w,
      syslogConnector('attacks-only', {
        'syslog.listener': 'UDP',
        'syslog.port': String(onlyAttacks),
        topic: 'ssh-attacks-only',
        transforms: 'keepAttacks',
        'transforms.keepAttacks.type': 'org.apache.kafka.connect.transforms.Filter',
        'transforms.keepAttacks.predicate': 'isAttack',
        'transforms.keepAttacks.negate': 'true',
        ...isAttack,
      }),
    );
    // A sender (or an rsyslog relay) that forwards to both listeners, as rsyslog does with two omfwd actions.
    const u = createSocket('udp4');
    for (const l of lines) for (const p of [all, onlyAttacks]) await new Promise((r) => u.send(l, p, '127.0.0.1', r));
    u.close();
    await waitForCount(w, 'syslog-all', lines.length);
    await waitForCount(w, 'ssh-attacks-only', 2);
    await new Promise((r) => setTimeout(r, 1000)); // nothing else should arrive
    const kept = await readTopic(w, 'ssh-attacks-only');
    assert.deepEqual(
      kept.map((r) => [r.key, r.value.host]),
      [
        ['rpi-03', 'rpi-03'],
        ['rpi-03', 'rpi-03'],
      ],
    );
    console.log(
      `# filter: ${lines.length} messages in, ${kept.length} in ssh-attacks-only, ${(await readTopic(w, 'syslog-all')).length} in syslog-all`,
    );
  });
});

describe('syslog source: bad input gets a clear error and everything else keeps flowing', () => {
  let w: WorkerProcess;
  let port = 0;
  const idle: Socket[] = [];
  before(async () => {
    requireClients();
    w = await WorkerProcess.create();
    await w.start();
    port = await freePort();
    await createConnector(
      w,
      syslogConnector('bad-input', {
        'syslog.listener': 'TCP',
        'syslog.port': String(port),
        'syslog.message.max.bytes': '1024',
      }),
    );
  });
  after(async () => {
    for (const s of idle) s.destroy();
    await w?.stop();
  });

  it('delivers garbage, cut, oversized and invalid UTF-8 frames with a marker, while 1000 idle connections wait', async () => {
    for (let i = 0; i < 1000; i++) idle.push(await tcpConnect(port));
    const silent = await tcpConnect(port); // connects, sends nothing, never closes
    idle.push(silent);
    await tcpSend(port, 'GET / HTTP/1.1\r\nHost: example\r\n\r\n');
    await tcpSend(
      port,
      Buffer.concat([
        Buffer.from('<13>1 - h app - - - bad utf8 '),
        Buffer.from([0xc3, 0x28, 0xa0, 0xa1]),
        Buffer.from('\n'),
      ]),
    );
    await tcpSend(port, `<13>1 - h app - - - ${'x'.repeat(5000)}\n<13>1 - h app - - - after-oversized\n`);
    await tcpSend(port, '500 <13>1 - h app - - - cut short by the sender');
    await logger(['--server', '127.0.0.1', '--port', String(port), '--tcp', '--rfc5424', 'still-flowing']);
    const recs = await waitFor('every frame delivered', async () => {
      const r = await readTopic(w, 'syslog');
      return byMessage(r, 'still-flowing') &&
        byMessage(r, 'cut short') &&
        byMessage(r, 'after-oversized') &&
        r.length >= 7
        ? r
        : null;
    });
    const err = (text: string) => String(byMessage(recs, text)?.value.parse_error);
    assert.match(err('GET / HTTP'), /not syslog/);
    assert.match(String(recs.find((r) => String(r.value.raw).startsWith('Host:'))?.value.parse_error), /not syslog/);
    assert.match(err('bad utf8'), /invalid UTF-8/);
    assert.match(
      String(recs.find((r) => String(r.value.raw).length === 1024)?.value.parse_error),
      /exceeds|longer than/,
    );
    assert.equal(byMessage(recs, 'after-oversized')!.value.parse_error, null);
    assert.match(err('cut short'), /truncated frame/);
    assert.equal(byMessage(recs, 'still-flowing')!.value.parse_error, null);
    const status = await w.request<{ tasks: Array<{ state: string }> }>('GET', '/connectors/bad-input/status');
    assert.equal(status.body.tasks[0]!.state, 'RUNNING');
    console.log(
      `# bad input: ${recs.length} records, ${recs.filter((r) => r.value.parse_error).length} with parse_error, 1001 idle connections open, task RUNNING`,
    );
  });

  it('sends what does not parse to the dead-letter topic when the connector names one', async () => {
    const p = await freePort();
    await createConnector(
      w,
      syslogConnector('with-dlq', {
        'syslog.listener': 'TCP',
        'syslog.port': String(p),
        topic: 'clean',
        'errors.tolerance': 'all',
        'errors.deadletterqueue.topic.name': 'clean-dlq',
      }),
    );
    await tcpSend(p, 'random junk\n<13>1 - h app - - - good one\n');
    await waitForCount(w, 'clean', 1);
    await waitForCount(w, 'clean-dlq', 1);
    const [dead] = await readTopic(w, 'clean-dlq');
    assert.equal(dead!.value.raw, 'random junk');
    assert.match(String(dead!.headers['__connect.errors.exception.message']), /not syslog/);
  });

  it('rejects bad configs over REST with messages that name the key', async () => {
    const validate = async (config: Record<string, string>) => {
      const res = await w.request<{
        error_count: number;
        configs: Array<{ value: { name: string; errors: string[] } }>;
      }>('PUT', '/connector-plugins/SyslogSourceConnector/config/validate', {
        'connector.class': 'SyslogSourceConnector',
        name: 'x',
        ...config,
      });
      assert.equal(res.status, 200);
      return Object.fromEntries(
        res.body.configs.filter((c) => c.value.errors.length > 0).map((c) => [c.value.name, c.value.errors.join('; ')]),
      );
    };
    assert.match((await validate({}))['syslog.port']!, /Missing required configuration "syslog.port"/);
    assert.match((await validate({ 'syslog.port': '70000' }))['syslog.port']!, /between 1 and 65535/);
    assert.match(
      (await validate({ 'syslog.port': '5514', 'syslog.listener': 'SSL' }))['syslog.listener']!,
      /UDP, TCP, TCPSSL/,
    );
    assert.match(
      (await validate({ 'syslog.port': '5514', 'syslog.listener': 'TCPSSL' }))['syslog.ssl.cert.chain.path']!,
      /required when syslog.listener is TCPSSL/,
    );
    assert.match(
      (
        await validate({
          'syslog.port': '5514',
          'syslog.listener': 'TCPSSL',
          'syslog.ssl.cert.chain.path': '/nope.pem',
          'syslog.ssl.key.path': '/nope.key',
        })
      )['syslog.ssl.key.path']!,
      /no such file/,
    );
    const bad = await w.request<{ error_code: number; message: string }>(
      'POST',
      '/connectors',
      syslogConnector('bad', { 'syslog.port': 'abc' }),
    );
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /syslog.port/);
  });

  it('fails only the connector whose port is taken, with the reason in its status', async () => {
    await w.request(
      'POST',
      '/connectors',
      syslogConnector('clash', { 'syslog.listener': 'TCP', 'syslog.port': String(port) }),
    );
    const trace = await waitFor('the clashing task to fail', async () => {
      const s = await w.request<{ tasks: Array<{ state: string; trace?: string }> }>('GET', '/connectors/clash/status');
      return s.body.tasks?.[0]?.state === 'FAILED' ? s.body.tasks[0].trace : null;
    });
    assert.match(trace!, /EADDRINUSE.*choose another syslog.port/s);
    await logger(['--server', '127.0.0.1', '--port', String(port), '--tcp', 'after-the-clash']);
    await waitFor('the first connector still flowing', async () =>
      byMessage(await readTopic(w, 'syslog'), 'after-the-clash'),
    );
  });
});
