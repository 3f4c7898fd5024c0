import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer as createTcpServer, isIPv6, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { ConfigError, type Logger } from '@tributary/connect-api';
import type { SyslogConfig } from './config.js';
import { FrameDecoder } from './frame-decoder.js';
import { receivedFrame, type ReceiveQueue } from './receive-queue.js';

/** Counters the task logs; see {@link SyslogServer.stats}. */
export interface ServerStats {
  received: number;
  connections: number;
  connectionsTotal: number;
  /** UDP datagrams dropped because the queue was full (the worker is not keeping up). */
  udpQueueDrops: number;
  /** Frames delivered with a framing error (cut to size, closed mid-frame). */
  framingErrors: number;
}

/**
 * The network side: a UDP socket, or a TCP/TLS server with a frame decoder per connection, all
 * feeding one bounded {@link ReceiveQueue}. While the queue is full every TCP socket is paused
 * (new ones start paused), so the kernel's receive window closes and senders wait.
 */
export class SyslogServer {
  private udp: UdpSocket | null = null;
  private tcp: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private paused = false;
  private readonly counters: ServerStats = {
    received: 0,
    connections: 0,
    connectionsTotal: 0,
    udpQueueDrops: 0,
    framingErrors: 0,
  };

  constructor(
    private readonly cfg: SyslogConfig,
    private readonly queue: ReceiveQueue,
    private readonly logger: Logger,
  ) {}

  stats(): ServerStats {
    return { ...this.counters, connections: this.sockets.size };
  }

  /** Binds the port; rejects with a message that names the port when it cannot. */
  async start(): Promise<void> {
    try {
      if (this.cfg.listener === 'UDP') await this.startUdp();
      else await this.startTcp();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const hint =
        code === 'EADDRINUSE'
          ? 'another process (or connector) already listens there; choose another syslog.port'
          : code === 'EACCES'
            ? 'ports below 1024 need privileges; use a port ≥ 1024 or grant CAP_NET_BIND_SERVICE'
            : 'check syslog.listen.address';
      throw new Error(
        `cannot listen on ${this.cfg.listener} ${this.cfg.address}:${this.cfg.port}: ${(err as Error).message}; ${hint}`,
        { cause: err },
      );
    }
  }

  /** Stops reading TCP sockets (called when the queue is full). */
  pause(): void {
    this.paused = true;
    for (const s of this.sockets) s.pause();
  }

  resume(): void {
    this.paused = false;
    for (const s of this.sockets) s.resume();
  }

  async stop(): Promise<void> {
    const udp = this.udp;
    this.udp = null;
    if (udp) await new Promise<void>((r) => udp.close(() => r()));
    const tcp = this.tcp;
    this.tcp = null;
    if (tcp) {
      const closed = new Promise<void>((r) => tcp.close(() => r()));
      for (const s of this.sockets) s.destroy();
      await closed;
    }
  }

  private async startUdp(): Promise<void> {
    const sock = createSocket({
      type: isIPv6(this.cfg.address) ? 'udp6' : 'udp4',
      ...(this.cfg.udpReceiveBuffer > 0 ? { recvBufferSize: this.cfg.udpReceiveBuffer } : {}),
    });
    sock.on('message', (msg, rinfo) => {
      if (this.queue.full) {
        this.counters.udpQueueDrops++;
        return;
      }
      const bytes = msg;
      let frameError: string | null = null;
      let end = bytes.length;
      while (end > 0 && (bytes[end - 1] === 10 || bytes[end - 1] === 13 || bytes[end - 1] === 0)) end--;
      if (end > this.cfg.maxBytes) {
        end = this.cfg.maxBytes;
        frameError = `datagram of ${bytes.length} bytes exceeds syslog.message.max.bytes (${this.cfg.maxBytes}); delivered cut to that size`;
        this.counters.framingErrors++;
      }
      this.counters.received++;
      const ip = plainIp(rinfo.address);
      this.queue.push(receivedFrame(bytes.subarray(0, end), frameError, javaAddress(ip, rinfo.port), ip));
    });
    sock.on('error', (err) => this.logger.error({ err }, `syslog UDP socket error on port ${this.cfg.port}`));
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(this.cfg.port, this.cfg.address, () => {
        sock.off('error', reject);
        resolve();
      });
    });
    this.udp = sock;
  }

  private async startTcp(): Promise<void> {
    const onSocket = (s: Socket) => this.accept(s);
    let server: Server;
    if (this.cfg.listener === 'TCPSSL') {
      if (!this.cfg.certPath || !this.cfg.keyPath) {
        throw new ConfigError([
          {
            key: 'syslog.ssl.cert.chain.path',
            message: 'TCPSSL needs syslog.ssl.cert.chain.path and syslog.ssl.key.path (PEM files)',
          },
        ]);
      }
      const tlsServer = createTlsServer(
        {
          cert: readFileSync(this.cfg.certPath),
          key: readFileSync(this.cfg.keyPath),
          ...(this.cfg.keyPassword ? { passphrase: this.cfg.keyPassword } : {}),
        },
        onSocket,
      );
      // A client that fails the handshake (wrong CA, plain TCP to the TLS port) costs only its socket.
      tlsServer.on('tlsClientError', (err, s) => {
        this.logger.warn(`syslog TLS handshake with ${s.remoteAddress ?? '?'} failed: ${err.message}`);
        s.destroy();
      });
      server = tlsServer;
    } else {
      server = createTcpServer(onSocket);
    }
    if (this.cfg.maxSockets > 0) server.maxConnections = this.cfg.maxSockets;
    server.on('error', (err) => this.logger.error({ err }, `syslog TCP server error on port ${this.cfg.port}`));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: this.cfg.port, host: this.cfg.address, backlog: 4096 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.tcp = server;
  }

  private accept(s: Socket): void {
    this.sockets.add(s);
    this.counters.connectionsTotal++;
    if (this.paused) s.pause();
    const ip = plainIp(s.remoteAddress ?? '');
    const remoteAddress = javaAddress(ip, s.remotePort ?? 0);
    const decoder = new FrameDecoder(this.cfg.maxBytes, (frame, error) => {
      if (error) this.counters.framingErrors++;
      this.counters.received++;
      this.queue.push(receivedFrame(frame, error, remoteAddress, ip));
    });
    if (this.cfg.idleTimeoutMs > 0) {
      s.setTimeout(this.cfg.idleTimeoutMs, () => {
        this.logger.debug(`closing syslog connection from ${remoteAddress}: idle for ${this.cfg.idleTimeoutMs} ms`);
        s.end();
      });
    }
    s.on('data', (chunk: Buffer) => decoder.push(chunk));
    s.on('error', (err) => this.logger.debug(`syslog connection from ${remoteAddress}: ${err.message}`));
    // On 'close', not 'end': a reset connection never ends, and its partial frame is still delivered.
    s.on('close', () => {
      decoder.end();
      this.sockets.delete(s);
    });
  }
}

/** `::ffff:1.2.3.4` (IPv4 on a dual-stack socket) → `1.2.3.4`. */
function plainIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

function javaAddress(ip: string, port: number): string {
  return `/${ip}:${port}`;
}
