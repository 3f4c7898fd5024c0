import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceConnector } from '@tributary/connect-api';
import { parseSyslogConfig } from './config.js';
import { plugins } from './index.js';

const byName = (name: string) => plugins.find((p) => p.class === name || p.aliases?.includes(name));
const create = (name: string) => byName(name)!.create() as SourceConnector;

describe('SyslogSourceConnector', () => {
  it("is registered under Confluent's and jcustenborder's class names", () => {
    for (const name of [
      'io.confluent.connect.syslog.SyslogSourceConnector',
      'SyslogSource',
      'com.github.jcustenborder.kafka.connect.syslog.UDPSyslogSourceConnector',
      'com.github.jcustenborder.kafka.connect.syslog.TCPSyslogSourceConnector',
      'com.github.jcustenborder.kafka.connect.syslog.SSLTCPSyslogSourceConnector',
    ]) {
      assert.ok(byName(name), name);
    }
  });

  it('takes the listener from a jcustenborder class name, unless the config sets one', async () => {
    const ssl = create('com.github.jcustenborder.kafka.connect.syslog.SSLTCPSyslogSourceConnector');
    await ssl.start({ 'syslog.port': '6514', 'kafka.topic': 'logs', 'syslog.host': '127.0.0.1' }, {
      name: 'x',
    } as never);
    const [task] = await ssl.taskConfigs(5);
    const cfg = parseSyslogConfig(task!);
    assert.deepEqual([cfg.listener, cfg.topic, cfg.address], ['TCPSSL', 'logs', '127.0.0.1']);
    const tcp = create('TCPSyslogSourceConnector');
    await tcp.start({ 'syslog.port': '5514', 'syslog.listener': 'udp' }, { name: 'x' } as never);
    assert.equal(parseSyslogConfig((await tcp.taskConfigs(1))[0]!).listener, 'UDP');
  });

  it('always runs one task (it binds the port)', async () => {
    const c = create('SyslogSource');
    await c.start({ 'syslog.port': '5514' }, { name: 'x' } as never);
    assert.equal((await c.taskConfigs(8)).length, 1);
  });

  it('asks for PEM files that exist when the listener is TCPSSL', async () => {
    const c = create('SyslogSource');
    const props = { 'syslog.port': '6514', 'syslog.listener': 'TCPSSL', 'syslog.ssl.key.path': '/does/not/exist.pem' };
    const values = await c.validate!(props, c.config().validate(props));
    const errors = Object.fromEntries(values.map((v) => [v.name, v.errors.join('; ')]));
    assert.match(errors['syslog.ssl.cert.chain.path']!, /required when syslog.listener is TCPSSL/);
    assert.match(errors['syslog.ssl.key.path']!, /no such file/);
  });
});
