import { ConfigDef, Validators } from '@tributary/connect-api';

export const VERSION = '0.1.0';

export type Listener = 'UDP' | 'TCP' | 'TCPSSL';

/**
 * Keys as Confluent's `SyslogSourceConnector` spells them; the older jcustenborder spellings
 * (`kafka.topic`, `syslog.host`, `backoff.ms`, `batch.size`) are accepted as aliases. Keys marked
 * "Tributary" have no counterpart in either.
 */
export const configDef = new ConfigDef()
  .define({
    name: 'syslog.port',
    type: 'INT',
    importance: 'HIGH',
    documentation: 'Port to listen on.',
    validator: Validators.between(1, 65535),
  })
  .define({
    name: 'syslog.listener',
    type: 'STRING',
    default: 'UDP',
    importance: 'HIGH',
    validValues: ['UDP', 'TCP', 'TCPSSL'],
    validator: Validators.inIgnoreCase('UDP', 'TCP', 'TCPSSL'),
    documentation:
      'UDP (RFC 5426, one message per datagram), TCP (RFC 6587: octet counting or newline framing, chosen per frame) or TCPSSL (TCP over TLS, RFC 5425).',
  })
  .define({
    name: 'syslog.listen.address',
    type: 'STRING',
    default: '0.0.0.0',
    importance: 'HIGH',
    aliases: ['syslog.host'],
    documentation: 'Address to bind to; "::" for every IPv6 and IPv4 address.',
  })
  .define({
    name: 'topic',
    type: 'STRING',
    default: 'syslog',
    importance: 'HIGH',
    aliases: ['kafka.topic'],
    documentation: 'Topic to write messages to.',
    validator: Validators.nonEmptyString(),
  })
  .define({
    name: 'syslog.ssl.cert.chain.path',
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    documentation: 'PEM file with the server certificate (and its chain). Required for TCPSSL.',
  })
  .define({
    name: 'syslog.ssl.key.path',
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    documentation: 'PEM file with the private key of the certificate. Required for TCPSSL.',
  })
  .define({
    name: 'syslog.ssl.key.password',
    type: 'PASSWORD',
    default: null,
    importance: 'MEDIUM',
    documentation: 'Password of an encrypted private key.',
  })
  .define({
    name: 'syslog.ssl.provider',
    type: 'STRING',
    default: 'JDK',
    importance: 'LOW',
    validValues: ['JDK', 'OPENSSL', 'OPENSSL_REFCNT'],
    documentation: 'Accepted for compatibility and ignored: Node always uses its OpenSSL.',
  })
  .define({
    name: 'syslog.queue.max.size',
    type: 'INT',
    default: 10000,
    importance: 'MEDIUM',
    validator: Validators.atLeast(1),
    documentation:
      'Messages received and not yet polled by the worker. When full, TCP sockets stop being read (the senders are slowed by TCP flow control) and UDP datagrams are dropped and counted.',
  })
  .define({
    name: 'syslog.queue.batch.size',
    type: 'INT',
    default: 1000,
    importance: 'LOW',
    aliases: ['batch.size'],
    validator: Validators.atLeast(1),
    documentation: 'Most messages returned by one poll.',
  })
  .define({
    name: 'syslog.backoff.millis',
    type: 'INT',
    default: 100,
    importance: 'LOW',
    aliases: ['backoff.ms'],
    validator: Validators.atLeast(10),
    documentation: 'How long a poll waits for messages when none are queued.',
  })
  .define({
    name: 'syslog.message.max.bytes',
    type: 'INT',
    default: 65536,
    importance: 'MEDIUM',
    validator: Validators.between(480, 16 * 1024 * 1024),
    documentation:
      'Tributary: longest message accepted. A longer one is delivered cut to this size with a parse_error saying so; the rest of it is skipped.',
  })
  .define({
    name: 'syslog.timeout',
    type: 'INT',
    default: 0,
    importance: 'LOW',
    validator: Validators.atLeast(0),
    documentation: 'Milliseconds a TCP connection may stay silent before it is closed; 0 keeps idle connections open.',
  })
  .define({
    name: 'syslog.max.active.sockets',
    type: 'INT',
    default: 0,
    importance: 'LOW',
    validator: Validators.atLeast(0),
    documentation: 'Most concurrent TCP connections; further ones are refused. 0 for no limit.',
  })
  .define({
    name: 'syslog.udp.receive.buffer.bytes',
    type: 'INT',
    default: 0,
    importance: 'LOW',
    validator: Validators.atLeast(0),
    documentation:
      'Tributary: SO_RCVBUF of the UDP socket; 0 keeps the OS default. Linux caps it at net.core.rmem_max.',
  })
  .define({
    name: 'syslog.reverse.dns.remote.ip',
    type: 'BOOLEAN',
    default: false,
    importance: 'LOW',
    documentation: "Look up the sender's address in DNS and fill hostname; when false hostname is null.",
  })
  .define({
    name: 'syslog.reverse.dns.cache.ms',
    type: 'INT',
    default: 60000,
    importance: 'LOW',
    validator: Validators.atLeast(0),
    documentation: 'How long reverse DNS answers are cached.',
  })
  .define({
    name: 'syslog.stats.interval.ms',
    type: 'INT',
    default: 30000,
    importance: 'LOW',
    validator: Validators.atLeast(100),
    documentation:
      'Tributary: how often the task checks and logs its counters (received, UDP datagrams dropped by the kernel and by a full queue, connections).',
  });

export interface SyslogConfig {
  port: number;
  listener: Listener;
  address: string;
  topic: string;
  certPath: string;
  keyPath: string;
  keyPassword: string | null;
  queueMax: number;
  batchSize: number;
  backoffMs: number;
  maxBytes: number;
  idleTimeoutMs: number;
  maxSockets: number;
  udpReceiveBuffer: number;
  reverseDns: boolean;
  reverseDnsCacheMs: number;
  statsIntervalMs: number;
}

export function parseSyslogConfig(props: Record<string, string>): SyslogConfig {
  const c = configDef.parse(props);
  return {
    port: c.int('syslog.port'),
    listener: c.string('syslog.listener').toUpperCase() as Listener,
    address: c.string('syslog.listen.address'),
    topic: c.string('topic'),
    certPath: c.string('syslog.ssl.cert.chain.path'),
    keyPath: c.string('syslog.ssl.key.path'),
    keyPassword: c.password('syslog.ssl.key.password'),
    queueMax: c.int('syslog.queue.max.size'),
    batchSize: c.int('syslog.queue.batch.size'),
    backoffMs: c.int('syslog.backoff.millis'),
    maxBytes: c.int('syslog.message.max.bytes'),
    idleTimeoutMs: c.int('syslog.timeout'),
    maxSockets: c.int('syslog.max.active.sockets'),
    udpReceiveBuffer: c.int('syslog.udp.receive.buffer.bytes'),
    reverseDns: c.bool('syslog.reverse.dns.remote.ip'),
    reverseDnsCacheMs: c.int('syslog.reverse.dns.cache.ms'),
    statsIntervalMs: c.int('syslog.stats.interval.ms'),
  };
}
